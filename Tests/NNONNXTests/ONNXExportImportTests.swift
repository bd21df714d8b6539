import Foundation
@testable import NNONNX
import NNKit
import Testing

/// A layer with no ONNX form.
private final class Doubler: RegistrableLayer {
    static let typeName = "Doubler"
    static let summary = "y = 2x"
    static let options: [LayerOption] = []
    init(configuration: LayerConfiguration) throws {}
    func outputShape(forInput shape: [Int]) -> [Int] { shape }
    func forward(_ x: Tensor, training: Bool) throws -> Tensor { try x * Tensor(scalar: 2) }
    func backward(_ dy: Tensor) throws -> Tensor { try dy * Tensor(scalar: 2) }
}

@Suite struct ONNXExportImportTests {
    static let lenet = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Models/lenet.yaml").path

    @Test func exportKeepsNamesAndImportGivesTheSameModelBack() throws {
        let model = try Model(yamlFile: Self.lenet)
        let proto = try Onnx_ModelProto(serializedBytes: try model.onnxData())
        #expect(proto.opsetImport.first?.version == 17)
        #expect(proto.graph.input.first?.name == "input" && proto.graph.output.first?.name == "output")
        #expect(proto.graph.node.map(\.opType) == ["Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"])
        #expect(Set(proto.graph.initializer.map(\.name)) == Set(model.parameters.map(\.name)))
        guard case .dimParam("N")? = proto.graph.input.first?.type.tensorType.shape.dim.first?.value else {
            Issue.record("the batch dimension is not symbolic")
            return
        }

        let imported = try ONNXImport(data: try model.onnxData(), path: "lenet.onnx")
        #expect(imported.spec.layers.map(\.type) == model.layerTypes)
        #expect(imported.spec.input == [1, 28, 28])
        let again = try imported.model()
        #expect(again.parameters.map(\.name) == model.parameters.map(\.name))
        for (ours, theirs) in zip(model.parameters, again.parameters) {
            #expect(ours.parameter.value.scalars == theirs.parameter.value.scalars, "\(ours.name)")
        }
        var generator = SeededGenerator(seed: 2)
        let batch = try Tensor.randomNormal([3, 1, 28, 28], generator: &generator)
        #expect(try again.predict(batch).scalars == model.predict(batch).scalars)
    }

    @Test func layersWithoutONNXFormAreNamed() throws {
        let registry = LayerRegistry()
        for type in LayerRegistry.builtInTypes { try registry.register(LayerType(type, origin: "built-in")) }
        try registry.register(Doubler.self)
        let model = try Model(yaml: "name: d\ninput: [3]\nlayers:\n  - {type: Doubler, name: twice}\n  - {type: Linear, units: 2}\n", registry: registry)
        #expect(throws: ONNXError.layersWithoutONNXForm([(name: "twice", type: "Doubler")])) { try model.onnxData() }
    }

    @Test func garbageIsAnInvalidFile() {
        #expect {
            try ONNXImport(data: Data("not a protobuf at all".utf8), path: "junk.onnx")
        } throws: { error in
            guard case .invalidFile(let path, _) = error as? ONNXError else { return false }
            return path == "junk.onnx"
        }
        // A valid protobuf with no graph: no input.
        #expect(throws: ONNXError.self) { try ONNXImport(data: Data(), path: "empty.onnx") }
    }

    @Test func layerNamesAreMadeUsable() {
        #expect(ONNXImporter.layerName("features.0") == "features_0")
        #expect(ONNXImporter.layerName("/fc1/Gemm") == "fc1")
        #expect(ONNXImporter.layerName("/block1/c1/Conv") == "block1_c1")
        #expect(ONNXImporter.layerName("layers.3") == "layer_3")
        #expect(ONNXImporter.layerName("input") == "n_input")
    }

    /// Gemm with transB = 1 (PyTorch's nn.Linear), alpha and beta: the weight is transposed and scaled.
    @Test func gemmWeightsAreTransposedAndScaled() throws {
        var graph = Onnx_GraphProto()
        graph.name = "g"
        graph.input = [ONNXExporter.valueInfo("x", sampleShape: [3])]
        graph.output = [ONNXExporter.valueInfo("y", sampleShape: [2])]
        graph.initializer = [Onnx_TensorProto(name: "fc.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
                             Onnx_TensorProto(name: "fc.bias", shape: [2], values: [10, 20])]
        var node = Onnx_NodeProto()
        node.opType = "Gemm"
        node.name = "/fc/Gemm"
        node.input = ["x", "fc.weight", "fc.bias"]
        node.output = ["y"]
        node.attribute = [.int("transB", 1), .float("alpha", 2), .float("beta", 0.5)]
        graph.node = [node]
        var proto = Onnx_ModelProto()
        proto.graph = graph
        let imported = try ONNXImport(data: try proto.serializedData())
        #expect(imported.spec.layers == [LayerSpec("Linear", name: "fc", options: ["units": .int(2)])])
        #expect(imported.weights["fc.weight"] == StoredTensor(shape: [3, 2], values: [2, 8, 4, 10, 6, 12]))
        #expect(imported.weights["fc.bias"] == StoredTensor(shape: [2], values: [5, 10]))
        let output = try imported.model().predict(Tensor(shape: [1, 3], scalars: [1, 1, 1]))
        let expected: [Float] = [17, 40]  // 2 · (1 + 2 + 3) + 5, 2 · (4 + 5 + 6) + 10
        #expect(output.scalars == expected)
    }
}

@Suite struct StateDictMappingTests {
    static let mlp = """
        name: mlp
        input: [4]
        layers:
          - {type: Linear, name: hidden, units: 3}
          - ReLU
          - {type: BatchNorm, name: norm}
          - {type: Linear, name: out, units: 2, bias: false}
        """

    /// An `nn.Sequential(Linear(4, 3), ReLU(), BatchNorm1d(3), Linear(3, 2, bias=False))` state_dict, with module
    /// `10` standing in for `3` so that the order must be numeric, not textual.
    static func stateDict() -> Checkpoint {
        Checkpoint(tensors: [
            "0.weight": StoredTensor(shape: [3, 4], values: (0..<12).map(Float.init)),
            "0.bias": StoredTensor(shape: [3], values: [1, 2, 3]),
            "2.weight": StoredTensor(shape: [3], values: [1, 1, 1]),
            "2.bias": StoredTensor(shape: [3], values: [0, 0, 0]),
            "2.running_mean": StoredTensor(shape: [3], values: [0.5, 0.5, 0.5]),
            "2.running_var": StoredTensor(shape: [3], values: [2, 2, 2]),
            "2.num_batches_tracked": StoredTensor(shape: [], values: [7]),
            "10.weight": StoredTensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
        ])
    }

    @Test func mapsByNumericOrderAndTransposesLinearWeights() throws {
        let model = try Model(yaml: Self.mlp)
        let mapping = try StateDictMapping(stateDict: Self.stateDict(), model: model)
        #expect(mapping.ignored == ["2.num_batches_tracked"])
        let targets: [String] = mapping.matches.map(\.target)
        let expected: [String] = ["hidden.weight", "hidden.bias", "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var", "out.weight"]
        #expect(targets == expected)
        #expect(mapping.matches.first { $0.target == "out.weight" } == .init(source: "10.weight", target: "out.weight", transposed: true))
        #expect(mapping.checkpoint.tensors["hidden.weight"] == StoredTensor(shape: [4, 3], values: [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]))
        #expect(mapping.checkpoint.tensors["out.weight"]?.values == [1, 4, 2, 5, 3, 6])
        _ = try model.load(mapping.checkpoint, mode: .strict)
    }

    @Test func namedModulesMatchByName() throws {
        let model = try Model(yaml: Self.mlp)
        var dict = Self.stateDict()
        dict.tensors["out.weight"] = dict.tensors.removeValue(forKey: "10.weight")
        let mapping = try StateDictMapping(stateDict: dict, model: model)
        #expect(mapping.matches.last == .init(source: "out.weight", target: "out.weight", transposed: true))
    }

    @Test func mismatchesSayWhere() throws {
        let model = try Model(yaml: Self.mlp)
        var missing = Self.stateDict()
        missing.tensors["10.weight"] = nil
        #expect(throws: StateDictMappingError.self) { try StateDictMapping(stateDict: missing, model: model) }
        var wrongShape = Self.stateDict()
        wrongShape.tensors["10.weight"] = StoredTensor(shape: [2, 4], values: Array(repeating: 0, count: 8))
        #expect(throws: StateDictMappingError.shapeMismatch(source: "10.weight", shape: [2, 4], target: "out.weight", expected: [3, 2])) {
            try StateDictMapping(stateDict: wrongShape, model: model)
        }
        var extraBias = Self.stateDict()
        extraBias.tensors["10.bias"] = StoredTensor(shape: [2], values: [0, 0])
        #expect(throws: StateDictMappingError.tensorsDiffer(module: "10", tensors: ["bias", "weight"], layer: "out", expected: ["weight"])) {
            try StateDictMapping(stateDict: extraBias, model: model)
        }
    }
}
