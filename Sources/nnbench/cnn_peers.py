"""Reference runs for nnbench's CNN rows: the models of Models/lenet.yaml and Models/resnet-fashion.yaml trained by
PyTorch and, exported from PyTorch to ONNX, run by ONNX Runtime, on this machine and in the same session.

    python3 cnn_peers.py train MODEL THREADS DATA_DIR STEPS   # {"samples_per_second", "loss", "peak_rss_mib", "version"}
    python3 cnn_peers.py infer MODEL THREADS DATA_DIR         # {"batch_1_microseconds", "batch_64_microseconds", "version"}

MODEL is lenet or resnet. Each run is pinned to THREADS processors (sched_setaffinity) before any library starts its
threads, with the BLAS, OpenMP and PyTorch thread counts set to match. Training uses the model file's optimizer and
batch (LeNet: Adam 1e-3, batch 64; ResNet: Adam 2e-3, batch 128) and times STEPS steps after STEPS / 10 (at least 3)
warm-up steps on Fashion-MNIST scaled to [0, 1] (random bytes of the same shape when DATA_DIR has no IDX files);
"loss" is the mean training loss of the timed steps, which shows the reference learns as ours does. Inference times
the model in eval mode at batch 1 (64 test images one after another) and batch 64 on the same images.
"""
import gzip, json, os, resource, sys, tempfile, time

command, model_name, threads, data_dir = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
steps = int(sys.argv[5]) if command == "train" else 0
os.sched_setaffinity(0, range(min(threads, os.cpu_count())))
for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]:
    os.environ[key] = str(threads)
import numpy as np
import torch
from torch import nn

torch.set_num_threads(threads)
torch.manual_seed(1)

def idx(name, offset):
    with gzip.open(os.path.join(data_dir, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

def load():
    try:
        train = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
        labels = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
        test = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    except OSError:
        rng = np.random.default_rng(5)
        train = rng.integers(0, 256, (60000, 1, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, 60000, dtype=np.int64)
        test = train[:1000]
    return train, labels, test

def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10))

class Residual(nn.Module):
    """relu(x + bn(conv(relu(bn(conv(x)))))), with a 1×1 stride-2 projection when the block downsamples."""
    def __init__(self, channels_in, channels, stride):
        super().__init__()
        self.c1 = nn.Conv2d(channels_in, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.c2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.shortcut = None
        if stride != 1:
            self.shortcut = nn.Sequential(nn.Conv2d(channels_in, channels, 1, stride=stride, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        y = self.bn2(self.c2(torch.relu(self.bn1(self.c1(x)))))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))

def resnet():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        Residual(16, 16, 1), Residual(16, 32, 2), Residual(32, 32, 1), Residual(32, 64, 2), Residual(64, 64, 1),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))

model, lr, batch = {"lenet": (lenet, 1e-3, 64), "resnet": (resnet, 2e-3, 128)}[model_name]
model = model()
images, labels, test = load()
version = torch.__version__

def peak_rss_mib():
    """This process's peak resident set (VmHWM: ru_maxrss would include the parent's at the fork)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def train():
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    data, targets = torch.from_numpy(images.copy()), torch.from_numpy(labels)
    order = torch.from_numpy(np.random.default_rng(7).permutation(len(images)))
    warm = steps

    def step(i):
        rows = order[(i * batch) % (len(images) - batch):][:batch]
        x = data[rows].float().mul_(1 / 255)
        loss = nn.functional.cross_entropy(model(x), targets[rows])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.detach()

    model.train()
    for i in range(warm):
        step(i)
    start, losses = time.perf_counter(), []
    for i in range(warm, warm + steps):
        losses.append(step(i))
    rate = steps * batch / (time.perf_counter() - start)
    peak = peak_rss_mib()
    return {"samples_per_second": rate, "loss": float(torch.stack(losses).mean()), "peak_rss_mib": peak, "version": version}

def infer():
    import onnxruntime
    model.eval()
    path = os.path.join(tempfile.mkdtemp(), "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), path, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "n"}, "y": {0: "n"}}, opset_version=17)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    images64 = test[:64].astype(np.float32) * np.float32(1 / 255)
    singles = [images64[i : i + 1] for i in range(64)]
    result = {"version": onnxruntime.__version__}
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

print(json.dumps(train() if command == "train" else infer()))
