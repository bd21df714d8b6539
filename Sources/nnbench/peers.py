"""Reference runs for nnbench: the Fashion-MNIST MLP 784-256-128-10 trained and run by the frameworks people would
otherwise pick, on this machine and in the same session.

    python3 peers.py train FRAMEWORK THREADS DATA_DIR [dense]   # jax | torch | numpy: {"samples_per_second": …, "test_accuracy": …}
    python3 peers.py infer THREADS DATA_DIR             # ONNX Runtime: {"batch_1_microseconds": …, "batch_64_microseconds": …}

Each run is pinned to THREADS processors (sched_setaffinity) before any library starts its threads, and the BLAS,
OpenMP and PyTorch thread counts are set to match (XLA sizes its pool by the processors it may use; its flags for a
single thread made JAX a quarter slower than pinning alone). Training: SGD 0.1, batch 128, 468 steps (one epoch, the last partial batch
dropped), He-initialised, timed after one warm-up epoch (which also compiles JAX's step); the test accuracy after
the two epochs shows that the reference learns. DATA_DIR holds the
Fashion-MNIST IDX files; when it is empty or missing, random bytes of the same shape stand in. With `dense`, the
pixels are standardized (x/255 − μ)/σ with the training set's mean and deviation, so that no input is zero.
"""
import gzip, json, os, sys, time

command, rest = sys.argv[1], sys.argv[2:]
framework = rest.pop(0) if command == "train" else "onnxruntime"
threads, data_dir = int(rest[0]), rest[1]
dense = rest[2:] == ["dense"]
os.sched_setaffinity(0, range(min(threads, os.cpu_count())))
for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]:
    os.environ[key] = str(threads)
import numpy as np

def idx(name, offset):
    with gzip.open(os.path.join(data_dir, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

def load():
    try:
        train = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784)
        labels = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int32)
        test = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)
        test_labels = idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int32)
    except OSError:
        rng = np.random.default_rng(5)
        train = rng.integers(0, 256, (60000, 784), dtype=np.uint8)
        labels = rng.integers(0, 10, 60000, dtype=np.int32)
        test, test_labels = train[:1000], labels[:1000]
    return train, labels, test, test_labels

def he(rng, fan_in, fan_out):
    return (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)).astype(np.float32)

sizes = [784, 256, 128, 10]
rng = np.random.default_rng(42)
weights = [he(rng, a, b) for a, b in zip(sizes, sizes[1:])]
biases = [np.zeros(b, dtype=np.float32) for b in sizes[1:]]
images, labels, test, test_labels = load()
batch, lr = 128, np.float32(0.1)
# Each batch is images[rows] · scale + shift: [0, 1] by default, standardized with `dense`.
scale, shift = np.float32(1 / 255), np.float32(0)
if dense:
    mean, deviation = float(images.mean()) / 255, float((images / 255).std())
    scale, shift = np.float32(1 / (255 * deviation)), np.float32(-mean / deviation)
steps = len(images) // batch

def accuracy(w1, b1, w2, b2, w3, b3):
    x = test.astype(np.float32) * scale + shift
    h = np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 0)
    return float(np.mean((h @ w3 + b3).argmax(1) == test_labels))

def epoch_orders(count):
    order_rng = np.random.default_rng(7)
    return [order_rng.permutation(len(images))[: steps * batch].reshape(steps, batch) for _ in range(count)]

def train_numpy():
    params = [p for pair in zip(weights, biases) for p in pair]
    def step(rows):
        x = images[rows].astype(np.float32) * scale + shift
        t = labels[rows]
        w1, b1, w2, b2, w3, b3 = params
        h1 = np.maximum(x @ w1 + b1, 0)
        h2 = np.maximum(h1 @ w2 + b2, 0)
        z = h2 @ w3 + b3
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        y = e / e.sum(axis=1, keepdims=True)
        dz = y
        dz[np.arange(batch), t] -= 1
        dz /= batch
        dh2 = (dz @ w3.T) * (h2 > 0)
        dh1 = (dh2 @ w2.T) * (h1 > 0)
        grads = [x.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0)]
        for p, g in zip(params, grads):
            p -= lr * g
    warm, timed = epoch_orders(2)
    for rows in warm:
        step(rows)
    start = time.perf_counter()
    for rows in timed:
        step(rows)
    return steps * batch / (time.perf_counter() - start), accuracy(*params)

def train_jax():
    import jax, jax.numpy as jnp
    params = [jnp.asarray(p) for pair in zip(weights, biases) for p in pair]
    data, targets = jnp.asarray(images), jnp.asarray(labels)

    def loss(params, x, t):
        w1, b1, w2, b2, w3, b3 = params
        h = jax.nn.relu(x @ w1 + b1)
        h = jax.nn.relu(h @ w2 + b2)
        z = h @ w3 + b3
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(z), t[:, None], axis=1))

    @jax.jit
    def step(params, rows):
        x = data[rows].astype(jnp.float32) * scale + shift
        grads = jax.grad(loss)(params, x, targets[rows])
        return [p - lr * g for p, g in zip(params, grads)]

    warm, timed = ([jnp.asarray(rows) for rows in order] for order in epoch_orders(2))
    for rows in warm:
        params = step(params, rows)
    jax.block_until_ready(params)
    start = time.perf_counter()
    for rows in timed:
        params = step(params, rows)
    jax.block_until_ready(params)
    return steps * batch / (time.perf_counter() - start), accuracy(*(np.asarray(p) for p in params))

def train_torch():
    import torch
    torch.set_num_threads(threads)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    with torch.no_grad():
        for layer, w, b in zip(model[::2], weights, biases):
            layer.weight.copy_(torch.from_numpy(w.T.copy()))
            layer.bias.copy_(torch.from_numpy(b))
    optimizer = torch.optim.SGD(model.parameters(), lr=float(lr))
    data, targets = torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))

    def step(rows):
        x = data[rows].float().mul_(float(scale)).add_(float(shift))
        loss = torch.nn.functional.cross_entropy(model(x), targets[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    warm, timed = ([torch.from_numpy(rows) for rows in order] for order in epoch_orders(2))
    for rows in warm:
        step(rows)
    start = time.perf_counter()
    for rows in timed:
        step(rows)
    rate = steps * batch / (time.perf_counter() - start)
    trained = [(layer.weight.detach().numpy().T, layer.bias.detach().numpy()) for layer in model[::2]]
    return rate, accuracy(*(p for pair in trained for p in pair))

def infer_onnxruntime():
    import onnx, onnxruntime
    from onnx import TensorProto, helper, numpy_helper
    nodes, inits, current = [], [], "x"
    for i, (w, b) in enumerate(zip(weights, biases)):
        inits += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Gemm", [current, f"w{i}", f"b{i}"], [f"z{i}"]))
        current = f"z{i}"
        if i < len(weights) - 1:
            nodes.append(helper.make_node("Relu", [current], [f"h{i}"]))
            current = f"h{i}"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 784])],
                              [helper.make_tensor_value_info(current, TensorProto.FLOAT, ["n", 10])], inits)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(helper.make_model(graph).SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    images64 = test[:64].astype(np.float32) * scale + shift
    singles = [images64[i : i + 1] for i in range(64)]
    result = {}
    for size in [1, 64]:
        inputs = singles if size == 1 else [images64]
        for x in inputs:
            session.run(None, {"x": x})
        times, start, i = [], time.perf_counter(), 0
        while len(times) < 3 or (time.perf_counter() - start < 0.6 and len(times) < 20000):
            t = time.perf_counter()
            session.run(None, {"x": inputs[i % len(inputs)]})
            times.append(time.perf_counter() - t)
            i += 1
        result[f"batch_{size}_microseconds"] = sorted(times)[len(times) // 2] * 1e6
    return result

if command == "train":
    rate, test_accuracy = {"jax": train_jax, "torch": train_torch, "numpy": train_numpy}[framework]()
    print(json.dumps({"samples_per_second": rate, "test_accuracy": test_accuracy}))
else:
    print(json.dumps(infer_onnxruntime()))
