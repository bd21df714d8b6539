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
