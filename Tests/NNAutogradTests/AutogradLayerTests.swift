import NNKit
import NNTestSupport
import Testing

/// Swish `x · sigmoid(βx)` with a learnable β: a custom layer with no hand-written backward.
final class Swish: AutogradLayer, RegistrableLayer {
    static let typeName = "Swish"
    static let summary = "x · sigmoid(βx) with a learnable β"
    static let options = [LayerOption("beta", .double, default: "1", "initial β")]
    let beta: Parameter

    init(configuration: LayerConfiguration) throws {
        beta = Parameter(Tensor([Float(try configuration.double("beta", default: 1))]))
        super.init()
    }
    override var parameters: [NamedParameter] { [NamedParameter("beta", beta)] }
    override func forward(_ x: Variable) throws -> Variable { try x * sigmoid(x * variable(for: beta)) }
}

/// A residual block `x + W₂ tanh(W₁ x + b₁)` over `[N, D]`.
final class ResidualBlock: AutogradLayer {
    let w1: Parameter, b1: Parameter, w2: Parameter

    init(features: Int, hidden: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        w1 = Parameter(try Tensor.randomNormal([features, hidden], standardDeviation: 0.5, generator: &generator))
        b1 = Parameter(try Tensor.randomNormal([hidden], standardDeviation: 0.5, generator: &generator))
        w2 = Parameter(try Tensor.randomNormal([hidden, features], standardDeviation: 0.5, generator: &generator))
        super.init()
    }
    override var parameters: [NamedParameter] { [.init("w1", w1), .init("b1", b1), .init("w2", w2)] }
    override func forward(_ x: Variable) throws -> Variable {
        try x + matmul(tanh(matmul(x, variable(for: w1)) + variable(for: b1)), variable(for: w2))
    }
}

@Suite(.serialized) struct AutogradLayerTests {
    @Test func swishForwardAndGradients() throws {
        let layer = try Swish(configuration: LayerConfiguration(options: ["beta": .double(1.5)], inputShape: [3]))
        let y = try layer.forward(try Tensor(shape: [1, 3], scalars: [0, 1, -2]), training: true)
        // x · σ(1.5x): 0, σ(1.5) = 0.8175745, −2 σ(−3) = −0.0948544
        #expect(approximatelyEqual(y.scalars, [0, 0.8175745, -0.0948544], tolerance: 1e-5))
        let report = try GradientCheck.check(layer, input: GradientCheck.sample([4, 3], seed: 5, range: 2))
        #expect(report.worstError < 2e-3, "\(report)")
        #expect(layer.beta.gradient.scalars[0] != 0)
    }

    @Test func residualBlockGradients() throws {
        let block = try ResidualBlock(features: 3, hidden: 4, seed: 9)
        let report = try GradientCheck.check(block, input: GradientCheck.sample([5, 3], seed: 6))
        #expect(report.worstError < 2e-3, "\(report)")
        #expect(block.parameters.map(\.name) == ["w1", "b1", "w2"])
    }

    @Test func inferenceRecordsNoGraph() throws {
        let layer = try Swish(configuration: LayerConfiguration(inputShape: [2]))
        _ = try layer.forward(try Tensor.ones([3, 2]), training: false)
        #expect(throws: LayerError.self) { try layer.backward(try Tensor.ones([3, 2])) }
    }

    @Test func customAutogradLayerTrainsInsideAYAMLModel() throws {
        if !LayerRegistry.shared.contains("Swish") { try LayerRegistry.shared.register(Swish.self) }
        let model = try Model(yaml: """
            name: spiral-swish
            input: [2]
            layers:
              - {type: Linear, name: hidden, units: 30, init: xavier}
              - {type: Swish, name: act, beta: 1.0}
              - {type: Linear, name: out, units: 3, init: xavier}
            optimizer: {type: Adam, lr: 0.02}
            train: {epochs: 150, batch_size: 30, seed: 1}
            """)
        #expect(model.parameters.map(\.name).contains("act.beta"))
        let reports = try Trainer(model: model, data: Spiral.split()).run()
        #expect((reports.last?.trainAccuracy ?? 0) > 0.9, "\(reports.last!)")
        #expect(model.parameters.first { $0.name == "act.beta" }!.parameter.value.scalars != [1])
    }
}
