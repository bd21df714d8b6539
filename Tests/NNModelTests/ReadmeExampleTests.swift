import Foundation
import NNKit
import NNTestSupport
import Testing

// The custom layer from the README, verbatim: if this stops compiling or working, the README is wrong.

/// y = x · factor, with a learnable per-feature factor.
final class Scale: RegistrableLayer {
    static let typeName = "Scale"
    static let summary = "Multiplies each feature by a learnable factor"
    static let options = [LayerOption("initial", .double, default: "1", "starting factor")]

    let factor: Parameter
    private var input: Tensor?

    init(configuration: LayerConfiguration) throws {
        let features = configuration.inputShape.reduce(1, *)
        factor = Parameter(try Tensor(repeating: Float(try configuration.double("initial", default: 1)), shape: [features]))
    }
    var parameters: [NamedParameter] { [NamedParameter("factor", factor)] }
    func outputShape(forInput shape: [Int]) -> [Int] { shape }
    func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        input = x
        return try x.flattenedToRows() * factor.value
    }
    func backward(_ dy: Tensor) throws -> Tensor {      // ∂L/∂x = dy · factor, ∂L/∂factor = Σₙ dy · x
        guard let input else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        factor.gradient = try (dy * input.flattenedToRows()).sum(alongAxis: 0)
        return try (dy * factor.value).reshaped(input.shape)
    }
}

@Suite struct ReadmeExampleTests {
    @Test func customLayerRegistersAndTrainsFromYAML() throws {
        let registry = LayerRegistry.shared
        if !registry.contains("Scale") { try registry.register(Scale.self) }
        let model = try Model(yaml: """
            input: [2]
            layers: [{type: Scale, initial: 0.5}, {type: Linear, units: 3}]
            """)
        #expect(model.parameters.map(\.name) == ["layers.0.factor", "layers.1.weight", "layers.1.bias"])
        let layer = try Scale(configuration: LayerConfiguration(options: ["initial": .double(0.5)], inputShape: [3]))
        #expect(try layer.forward(try Tensor(shape: [1, 3], scalars: [2, 4, 6]), training: true).scalars == [1, 2, 3])
        let report = try GradientCheck.check(layer, input: GradientCheck.sample([4, 3], seed: 2))
        #expect(report.worstError < 1e-3, "\(report)")
        let trainer = try Trainer(model: model, data: Spiral.split(), settings: TrainingSpec(epochs: 20, batchSize: 30))
        let reports = try trainer.run()
        #expect(reports.last!.trainLoss < reports.first!.trainLoss)
        #expect(model.parameters[0].parameter.value.scalars != [0.5, 0.5])
        #expect(throws: RegistryError.self) { try registry.register(Scale.self) }
    }
}

/// The README's functional-builder example, up to loading data and weights (which need files).
@Suite struct ReadmeGraphExampleTests {
    @Test func theBuilderExampleMakesAModel() throws {
        var graph = ModelGraph(input: [1, 28, 28])
        let a = graph.add("Conv2D", name: "a", options: ["filters": 16, "kernel": 3, "padding": 1])
        let c = graph.add("Conv2D", a, name: "c", options: ["filters": 16, "kernel": 3, "padding": 1])
        graph.add("Add", a, c, name: "res")
        graph.add("GlobalAvgPool2D")
        graph.add("Linear", name: "out", options: ["units": 10])
        let model = try Model(spec: graph.spec(name: "tiny", data: "fashion-mnist", optimizer: OptimizerSpec(type: "Adam")))
        #expect(model.outputShape == [10])
        #expect(model.inputNames(ofLayer: 2) == ["a", "c"])
        #expect(model.parameters.map(\.name).contains("c.weight"))
    }
}

/// The model-format document lists every built-in layer type.
@Suite struct ModelFormatDocumentTests {
    @Test func everyBuiltInLayerTypeIsDocumented() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/model-format.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for type in LayerRegistry.builtInTypes {
            #expect(text.contains("`\(type.typeName)`"), "\(type.typeName) is not in docs/model-format.md")
        }
    }
}
