import Foundation
import NNKit
import Testing

/// ONNX export and import against real clients: ONNX Runtime and onnx.checker (pip: onnx onnxruntime numpy) and
/// PyTorch (Debian: python3-torch, run as /usr/bin/python3), through `Tests/Interop/onnx_peer.py`. Outputs are
/// compared on the first 1,000 Fashion-MNIST test images (Debian: dataset-fashion-mnist).
@Suite(.serialized, .enabled(if: ONNXPeer.hasRuntime && ONNXPeer.hasFashionMNIST, "needs onnx, onnxruntime and numpy for python3, and dataset-fashion-mnist"))
struct ONNXInteropTests {
    @Test(arguments: ["fashion-mlp", "lenet", "resnet-fashion", "spiral-branches", "coverage"])
    func exportedModelAgreesWithONNXRuntimeAndImportsBack(_ name: String) throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ONNXPeer.model(name)
        ONNXPeer.randomizeNormalization(model)
        let inputs = try ONNXPeer.inputs(for: model)
        let onnx = directory.appendingPathComponent("\(name).onnx").path
        try model.exportONNX(to: onnx)

        let theirs = try ONNXPeer.runONNXRuntime(onnx, inputs: inputs, directory: directory)
        let ours = try model.predict(inputs)
        #expect(theirs.shape == ours.shape)
        let difference = ONNXPeer.maximumDifference(ours, theirs)
        #expect(difference <= 1e-4, "\(name): NNKit and ONNX Runtime differ by up to \(difference)")
        print("ONNX export \(name): max |NNKit - ONNX Runtime| = \(difference) over \(ours.count) outputs")

        let imported = try ONNXImport(contentsOf: onnx).model()
        #expect(imported.parameterCount == model.parameterCount)
        let again = try imported.predict(inputs)
        #expect(ONNXPeer.maximumDifference(ours, again) <= 1e-6, "\(name): the re-imported model computes something else")
    }

    /// `nnrun export` of trained-shape weights, and `nnrun predict`'s probabilities against ONNX Runtime's.
    @Test func exportCommandMatchesPredictCommand() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("mlp.safetensors").path
        let onnx = directory.appendingPathComponent("mlp.onnx").path
        let model = try ONNXPeer.model("fashion-mlp")
        try model.save(to: weights)
        let export = try CommandRunner.run(["export", "Models/fashion-mlp.yaml", "--weights", weights, "--onnx", onnx])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("235146 parameters"))

        let inputs = try ONNXPeer.inputs(for: model)
        let logits = try ONNXPeer.runONNXRuntime(onnx, inputs: inputs, directory: directory).softmaxRows()
        let images = DatasetCatalog.fashionMNISTDirectory + "/t10k-images-idx3-ubyte.gz"
        let predict = try CommandRunner.run(["predict", "Models/fashion-mlp.yaml", "--weights", weights, "--input", images, "--top", "10", "--json"])
        #expect(predict.status == 0, "\(predict.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
        var largest: Float = 0
        for row in rows.prefix(1000) {
            let index = try #require(row["index"] as? Int)
            for guess in try #require(row["top"] as? [[String: Any]]) {
                let (label, probability) = (try #require(guess["class"] as? Int), try #require(guess["probability"] as? Double))
                largest = max(largest, abs(Float(probability) - logits.scalars[index * 10 + label]))
            }
        }
        #expect(rows.count == 10000)
        #expect(largest <= 1e-4, "nnrun predict and ONNX Runtime differ by up to \(largest)")
    }

    /// PyTorch → ONNX → NNKit, and PyTorch's state_dict → `nnrun convert` → NNKit, against PyTorch's own outputs.
    @Test(.enabled(if: ONNXPeer.hasTorch, "needs PyTorch for /usr/bin/python3 (Debian: python3-torch)"))
    func torchModelsImportAndConvert() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = try ONNXPeer.inputs(for: try ONNXPeer.model("fashion-mlp"))
        try Checkpoint(tensors: ["input": StoredTensor(shape: inputs.shape, values: inputs.scalars)]).write(to: directory.appendingPathComponent("inputs.safetensors").path)
        let made = try Python.execute(["/usr/bin/python3", ONNXPeer.script, "torch-models", directory.path])
        #expect(made.status == 0, "\(made.stderr)")

        for (name, modelFile) in [("mlp", "fashion-mlp"), ("lenet", "lenet"), ("resnet", "resnet-fashion"), ("resnet-bn", nil), ("mixer", nil)] {
            let torchName = name == "resnet-bn" ? "resnet" : name
            let expected = try #require(try Checkpoint(contentsOf: directory.appendingPathComponent("\(torchName).torch.safetensors").path).tensors["output"])
            let file = { (suffix: String) in directory.appendingPathComponent(name + suffix).path }
            let imported = try CommandRunner.run(["import", file(".onnx"), "--out", file(".yaml"), "--weights", file(".nnkit.safetensors")])
            #expect(imported.status == 0, "\(name): \(imported.stderr)")
            let model = try Model(yamlFile: file(".yaml"))
            _ = try model.load(try Checkpoint(contentsOf: file(".nnkit.safetensors")))
            let difference = ONNXPeer.maximumDifference(try model.predict(inputs), try Tensor(shape: expected.shape, scalars: expected.values))
            #expect(difference <= 1e-4, "\(name): NNKit's import and PyTorch differ by up to \(difference)")
            print("ONNX import \(name): max |NNKit - PyTorch| = \(difference)")

            guard let modelFile else { continue }
            let converted = try CommandRunner.run(["convert", "Models/\(modelFile).yaml", "--state-dict", file(".state_dict.safetensors"), "--out", file(".converted.safetensors")])
            #expect(converted.status == 0, "\(name): \(converted.stderr)")
            #expect(converted.stdout.contains("transposed"))
            let original = try Model(yamlFile: "Models/\(modelFile).yaml".inRepository)
            _ = try original.load(try Checkpoint(contentsOf: file(".converted.safetensors")))
            let convertedDifference = ONNXPeer.maximumDifference(try original.predict(inputs), try Tensor(shape: expected.shape, scalars: expected.values))
            #expect(convertedDifference <= 1e-4, "\(name): the converted state_dict and PyTorch differ by up to \(convertedDifference)")
            print("state_dict convert \(name): max |NNKit - PyTorch| = \(convertedDifference)")
        }
    }

    /// An ONNX file with operators and attributes NNKit cannot honour: one error naming every such node, and no
    /// files written.
    @Test func unsupportedNodesAreAllListed() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let onnx = directory.appendingPathComponent("odd.onnx").path
        let made = try Python.run("""
            import sys, numpy as np, onnx
            from onnx import helper, TensorProto, numpy_helper
            w = numpy_helper.from_array(np.ones((4, 1, 3, 3), np.float32), "conv_w")
            nodes = [
                helper.make_node("Conv", ["input", "conv_w"], ["c"], name="same_conv", auto_pad="SAME_UPPER"),
                helper.make_node("Transpose", ["c"], ["t"], name="swap", perm=[0, 1, 3, 2]),
                helper.make_node("Relu", ["input"], ["r"], name="fine_relu"),
                helper.make_node("Softmax", ["r"], ["s"], name="softmax_images", axis=2),
                helper.make_node("HardSwish", ["s"], ["output"], name="hard_swish"),
            ]
            graph = helper.make_graph(nodes, "odd", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 8, 8])],
                                      [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 1, 8, 8])], [w])
            onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
            """, arguments: [onnx])
        #expect(made.status == 0, "\(made.stderr)")
        let out = directory.appendingPathComponent("odd.yaml").path, weights = directory.appendingPathComponent("odd.safetensors").path
        let result = try CommandRunner.run(["import", onnx, "--out", out, "--weights", weights])
        #expect(result.status == 1)
        for expected in ["'same_conv' (Conv): auto_pad SAME_UPPER", "'swap' (Transpose): NNKit has no layer", "'hard_swish' (HardSwish)", "'softmax_images' (Softmax)"] {
            #expect(result.stderr.contains(expected), "missing \(expected) in: \(result.stderr)")
        }
        #expect(!result.stderr.contains("fine_relu"))
        #expect(result.stderr.contains("4 nodes cannot be imported"))
        #expect(!FileManager.default.fileExists(atPath: out) && !FileManager.default.fileExists(atPath: weights))
    }
}

/// The Python side and the shared inputs of the ONNX tests.
enum ONNXPeer {
    static let script = CommandRunner.repository.appendingPathComponent("Tests/Interop/onnx_peer.py").path
    static let hasRuntime: Bool = (try? Python.run("import onnx, onnxruntime, numpy").status) == 0
    static let hasTorch: Bool = (try? Python.execute(["/usr/bin/python3", "-c", "import torch"]).status) == 0
    static let hasFashionMNIST = FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTDirectory)

    /// A model of `Models/` (random weights from its seed), or the test's `coverage` model.
    static func model(_ name: String) throws -> Model {
        if name == "coverage" { return try Model(yaml: coverageModel, file: "coverage.yaml") }
        return try Model(yamlFile: "Models/\(name).yaml".inRepository)
    }

    /// Every built-in layer type the model files do not use, in one graph.
    static let coverageModel = """
        name: coverage
        input: [3, 12, 12]
        layers:
          - {type: Conv2D, name: conv, filters: 8, kernel: 3, padding: 1}
          - {type: BatchNorm, name: bn}
          - {type: LeakyReLU, alpha: 0.1}
          - {type: Conv2D, name: dilated, filters: 8, kernel: [3, 1], padding: [2, 0], dilation: 2, groups: 2, stride: [1, 2]}
          - {type: Conv2D, name: widen, filters: 8, kernel: 1, stride: [1, 2], inputs: [bn]}
          - {type: ELU, name: elu, alpha: 0.5}
          - {type: Concatenate, name: joined, inputs: [widen, dilated]}
          - {type: AvgPool2D, kernel: 2, padding: 1}
          - {type: MaxPool2D, kernel: 3, stride: 2, padding: 1}
          - {type: LayerNorm, name: ln}
          - GELU
          - {type: Dropout, rate: 0.3}
          - {type: Linear, name: fc, units: 32}
          - {type: Sigmoid, name: gate}
          - {type: MatMul, name: proj, inputs: [ln], units: 32}
          - {type: Tanh, name: tanh}
          - {type: Multiply, name: gated, inputs: [gate, tanh]}
          - {type: Flatten, name: flat, inputs: [elu]}
          - {type: Linear, name: side, units: 32, bias: false}
          - {type: Add, name: sum, inputs: [gated, side, tanh]}
          - {type: BatchNorm, name: bn1d}
          - {type: Identity, name: same}
          - {type: Concatenate, name: both, inputs: [same, gate], axis: -1}
          - {type: Linear, name: head, units: 5}
          - Softmax
        """

    /// BatchNorm statistics and affine parameters away from their initial 0 and 1, so that the comparison sees them.
    static func randomizeNormalization(_ model: Model) {
        var generator = SeededGenerator(seed: 11)
        for layer in model.network.layers {
            guard let norm = layer as? BatchNorm else { continue }
            let count = norm.runningMean.value.count
            func uniform(_ low: Float, _ high: Float) -> Tensor {
                (try? Tensor(shape: [count], scalars: (0..<count).map { _ in Float.random(in: low...high, using: &generator) })) ?? norm.gamma.value
            }
            norm.runningMean.value = uniform(-0.5, 0.5)
            norm.runningVariance.value = uniform(0.5, 2)
            norm.gamma.value = uniform(0.5, 1.5)
            norm.beta.value = uniform(-0.2, 0.2)
        }
    }

    /// The first 1,000 Fashion-MNIST test images for models of input `[1, 28, 28]`, else 1,000 seeded normal samples.
    static func inputs(for model: Model) throws -> Tensor {
        if model.spec.input == [1, 28, 28] {
            let test = try DatasetCatalog.load("fashion-mnist").test
            return try test.batch(Array(0..<1000)[...]).features.reshaped([1000, 1, 28, 28])
        }
        var generator = SeededGenerator(seed: 5)
        return try Tensor.randomNormal([1000] + model.spec.input, generator: &generator)
    }

    /// ONNX Runtime's output for `inputs` (after `onnx.checker`'s full check).
    static func runONNXRuntime(_ onnx: String, inputs: Tensor, directory: URL) throws -> Tensor {
        let inputPath = directory.appendingPathComponent("inputs.safetensors").path, outputPath = directory.appendingPathComponent("outputs.safetensors").path
        try Checkpoint(tensors: ["input": StoredTensor(shape: inputs.shape, values: inputs.scalars)]).write(to: inputPath)
        let result = try Python.execute(["/usr/bin/env", "python3", script, "run-onnx", onnx, inputPath, outputPath])
        guard result.status == 0 else { throw PeerFailure(message: result.stderr) }
        let output = try #require(try Checkpoint(contentsOf: outputPath).tensors["output"])
        return try Tensor(shape: output.shape, scalars: output.values)
    }

    struct PeerFailure: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// The largest absolute difference of two tensors of the same size (infinity when their sizes differ).
    static func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}

extension String {
    /// The path of a repository file, for tests that run outside the repository directory.
    var inRepository: String { CommandRunner.repository.appendingPathComponent(self).path }
}
