"""The Python side of NNKit's ONNX and PyTorch interop tests (Tests/NNRunTests/ONNXInteropTests.swift).

  python3 onnx_peer.py run-onnx MODEL.onnx INPUTS.safetensors OUTPUTS.safetensors
      Checks MODEL.onnx with onnx.checker (full check) and runs it in ONNX Runtime on the tensor `input` of
      INPUTS; writes the tensor `output`. Needs: pip install onnx onnxruntime numpy.
  /usr/bin/python3 onnx_peer.py torch-models DIRECTORY
      Builds PyTorch counterparts of Models/fashion-mlp.yaml, Models/lenet.yaml and Models/resnet-fashion.yaml
      with seeded random weights (and random BatchNorm statistics), runs them in eval mode on DIRECTORY/inputs
      .safetensors, and writes for each NAME: NAME.onnx (torch.onnx.export, opset 17, dynamic batch),
      NAME.torch.safetensors (the outputs) and NAME.state_dict.safetensors, and resnet-bn.onnx, the ResNet with
      its BatchNormalization nodes kept. Needs PyTorch (Debian: python3-torch).

Safetensors files are read and written with numpy alone (the format is an 8-byte header size, a JSON header and
the raw little-endian data), so that Debian's PyTorch, which comes without the safetensors package, can run it.
"""
import json
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    base = 8 + size
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[base + start:base + end], dtype="<f4").reshape(entry["shape"])
    return tensors


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f4")
        raw = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def run_onnx(model_path, inputs_path, outputs_path):
    import onnx
    import onnxruntime

    onnx.checker.check_model(onnx.load(model_path), full_check=True)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    x = read_safetensors(inputs_path)["input"]
    (output,) = session.run(["output"], {"input": x})
    write_safetensors(outputs_path, {"output": output})


def torch_models(directory):
    import torch
    from torch import nn
    import torch.nn.functional as F

    class Residual(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.c1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.c2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)

        def forward(self, x):
            return F.relu(x + self.bn2(self.c2(F.relu(self.bn1(self.c1(x))))))

    class Downsample(nn.Module):
        def __init__(self, inputs, channels):
            super().__init__()
            self.c1 = nn.Conv2d(inputs, channels, 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.c2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.shortcut = nn.Conv2d(inputs, channels, 1, stride=2, bias=False)
            self.bn_shortcut = nn.BatchNorm2d(channels)

        def forward(self, x):
            return F.relu(self.bn_shortcut(self.shortcut(x)) + self.bn2(self.c2(F.relu(self.bn1(self.c1(x))))))

    class ResNet(nn.Module):
        """Models/resnet-fashion.yaml, module for layer, with the same names."""

        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
            self.stem_bn = nn.BatchNorm2d(16)
            self.block1 = Residual(16)
            self.block2 = Downsample(16, 32)
            self.block3 = Residual(32)
            self.block4 = Downsample(32, 64)
            self.block5 = Residual(64)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.stem_bn(self.stem(x)))
            x = self.block5(self.block4(self.block3(self.block2(self.block1(x)))))
            return self.out(torch.flatten(self.pool(x), 1))

    class Mixer(nn.Module):
        """The other layers PyTorch exports in forms NNKit reads: GELU (erf form), LayerNorm, average pooling, ELU,
        LeakyReLU, Tanh, Sigmoid, Softmax, and a Linear on a flattened image."""

        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 8, 3, padding=1)
            self.pool = nn.AvgPool2d(2, padding=1)  # exported as Pad and AveragePool
            self.norm = nn.LayerNorm([8, 15, 15])
            self.fc = nn.Linear(8 * 15 * 15, 64)
            self.gate = nn.Linear(64, 64)
            self.head = nn.Linear(64, 10)

        def forward(self, x):
            x = torch.flatten(self.norm(self.pool(F.gelu(self.conv(x)))), 1)
            x = F.elu(self.fc(F.dropout(x, 0.2, self.training)), 0.5)
            x = F.leaky_relu(x, 0.2) * torch.sigmoid(self.gate(x))
            return torch.softmax(self.head(torch.tanh(x)), dim=1)

    models = {
        "mlp": nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)),
        "lenet": nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10)),
        "resnet": ResNet(),
        "mixer": Mixer(),
    }
    x = torch.from_numpy(read_safetensors(f"{directory}/inputs.safetensors")["input"].copy())
    for seed, (name, model) in enumerate(models.items()):
        torch.manual_seed(seed)
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d)):
                module.reset_parameters()
            if isinstance(module, nn.BatchNorm2d):
                with torch.no_grad():
                    module.running_mean.uniform_(-0.5, 0.5)
                    module.running_var.uniform_(0.5, 2.0)
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.2, 0.2)
        model.eval()
        with torch.no_grad():
            y = model(x)
        write_safetensors(f"{directory}/{name}.torch.safetensors", {"output": y.numpy()})
        write_safetensors(f"{directory}/{name}.state_dict.safetensors",
                          {k: v.numpy().astype(np.float32) for k, v in model.state_dict().items()})
        export = dict(input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=17)
        torch.onnx.export(model, x[:2], f"{directory}/{name}.onnx", **export)
        if name == "resnet":
            # Without constant folding, BatchNormalization stays a node of its own instead of being folded into
            # the convolution before it.
            torch.onnx.export(model, x[:2], f"{directory}/resnet-bn.onnx", training=torch.onnx.TrainingMode.PRESERVE,
                              do_constant_folding=False, **export)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "run-onnx":
        run_onnx(*sys.argv[2:5])
    elif command == "torch-models":
        torch_models(sys.argv[2])
    else:
        sys.exit(f"unknown command {command}")
