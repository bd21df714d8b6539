"""PyTorch DDP reference for Benchmarks/distributed.sh: the Fashion-MNIST MLP (784-256-128-10) or LeNet of
Models/, trained data-parallel on 2 processes × 1 thread with the Gloo backend, Adam 1e-3, global batch as given
(each process takes half), for EPOCHS epochs after one warm-up epoch.

    /usr/bin/python3 ddp.py MODEL EPOCHS BATCH DATA_DIR     # MODEL: fashion-mlp | lenet
Prints one JSON object: {"samples_per_second": ..., "test_accuracy": ...} (samples/s of the timed epochs).
"""
import gzip, json, os, sys, time

import numpy as np


def idx(directory, name, offset):
    with gzip.open(os.path.join(directory, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def worker(rank, size, model_name, epochs, batch, directory, port, results):
    os.sched_setaffinity(0, [rank % os.cpu_count()])
    import torch
    import torch.distributed as dist
    from torch import nn

    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=size)
    images = torch.from_numpy(idx(directory, "train-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
    labels = torch.from_numpy(idx(directory, "train-labels-idx1-ubyte.gz", 8).astype(np.int64))
    torch.manual_seed(0)
    if model_name == "lenet":
        net = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(),
                            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    model = nn.parallel.DistributedDataParallel(net)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    count = images.shape[0]

    def epoch(seed):
        order = torch.from_numpy(np.random.default_rng(seed).permutation(count))
        for start in range(0, count, batch):
            rows = order[start:start + batch]
            share = rows[len(rows) * rank // size:len(rows) * (rank + 1) // size]
            optimizer.zero_grad()
            loss_fn(model(images[share]), labels[share]).backward()
            optimizer.step()

    epoch(0)
    dist.barrier()
    start = time.perf_counter()
    for e in range(epochs):
        epoch(e + 1)
    dist.barrier()
    seconds = time.perf_counter() - start
    if rank == 0:
        test = torch.from_numpy(idx(directory, "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
        test_labels = torch.from_numpy(idx(directory, "t10k-labels-idx1-ubyte.gz", 8).astype(np.int64))
        with torch.no_grad():
            accuracy = (net(test).argmax(1) == test_labels).float().mean().item()
        results.put({"samples_per_second": epochs * count / seconds, "test_accuracy": accuracy})
    dist.destroy_process_group()


if __name__ == "__main__":
    import torch.multiprocessing as mp

    model_name, epochs, batch, directory = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    context = mp.get_context("spawn")
    results = context.Queue()
    port = 29500 + os.getpid() % 1000
    processes = [context.Process(target=worker, args=(rank, 2, model_name, epochs, batch, directory, port, results)) for rank in range(2)]
    for p in processes:
        p.start()
    result = results.get()
    for p in processes:
        p.join()
    print(json.dumps(result))
