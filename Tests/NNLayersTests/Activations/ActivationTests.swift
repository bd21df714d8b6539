import NNLayers
import NNTestSupport
import Testing

/// Forward against literal values and backward against central differences, one layer per test.
@Suite struct ActivationTests {
    let x = try! Tensor(shape: [2, 3], scalars: [-1, 0.5, 2, 3, -0.25, -4])

    @Test func reluForwardAndGradient() throws {
        #expect(try ReLU().forward(x, training: true).scalars == [0, 0.5, 2, 3, 0, 0])
    }

    @Test func reluBackwardMasks() throws {
        let relu = ReLU()
        _ = try relu.forward(x, training: true)
        let dx = try relu.backward(try Tensor(repeating: 1, shape: [2, 3]))
        #expect(dx.scalars == [0, 1, 1, 1, 0, 0])
        let report = try GradientCheck.check(ReLU(), input: GradientCheck.sample([4, 5], seed: 1))
        #expect(report.worstError < 1e-3, "\(report)")
    }

    @Test func sigmoidForwardAndGradient() throws {
        let y = try Sigmoid().forward(try Tensor(shape: [1, 3], scalars: [0, 2, -2]), training: true)
        #expect(approximatelyEqual(y.scalars, [0.5, 0.880797, 0.119203]))
        let report = try GradientCheck.check(Sigmoid(), input: GradientCheck.sample([3, 4], seed: 2, range: 3))
        #expect(report.worstError < 1e-3, "\(report)")
    }

    @Test func tanhForwardAndGradient() throws {
        let y = try Tanh().forward(try Tensor(shape: [1, 3], scalars: [0, 1, -0.5]), training: true)
        #expect(approximatelyEqual(y.scalars, [0, 0.7615942, -0.46211716]))
        let report = try GradientCheck.check(Tanh(), input: GradientCheck.sample([3, 4], seed: 3, range: 2))
        #expect(report.worstError < 1e-3, "\(report)")
    }

    @Test func softmaxForwardAndGradient() throws {
        let y = try Softmax().forward(try Tensor(shape: [1, 3], scalars: [0.3, 2.9, 4.0]), training: true)
        #expect(approximatelyEqual(y.scalars, [0.01821127, 0.24519181, 0.73659691]))
        let report = try GradientCheck.check(Softmax(), input: GradientCheck.sample([3, 5], seed: 4, range: 2))
        #expect(report.worstError < 1e-3, "\(report)")
    }

    @Test func backwardBeforeForwardIsAnError() {
        #expect(throws: LayerError.self) { try ReLU().backward(try Tensor.zeros([1, 1])) }
        #expect(throws: LayerError.self) { try Sigmoid().backward(try Tensor.zeros([1, 1])) }
    }

    @Test func gradientOfWrongShapeIsAnError() throws {
        let relu = ReLU()
        _ = try relu.forward(x, training: true)
        #expect(throws: LayerError.self) { try relu.backward(try Tensor.zeros([3, 2])) }
    }

    @Test func leakyReLUELUGELUAndIdentityForwardAndGradients() throws {
        let x = try Tensor(shape: [1, 3], scalars: [-2, 0.5, 3])
        #expect(try LeakyReLU(alpha: 0.1).forward(x, training: true).scalars == [-0.2, 0.5, 3])
        #expect(approximatelyEqual(try ELU().forward(x, training: true).scalars, [-0.86466473, 0.5, 3]))
        #expect(approximatelyEqual(try GELU().forward(x, training: true).scalars, [-0.04550026, 0.34573123, 2.99595031]))
        #expect(try Identity().forward(x, training: true) == x)
        for layer in [LeakyReLU(alpha: 0.2), ELU(alpha: 1.5), GELU(), Identity()] as [any Layer] {
            let report = try GradientCheck.check(layer, input: GradientCheck.sample([3, 4], seed: 10, range: 3))
            #expect(report.worstError < 2e-3, "\(type(of: layer)): \(report)")
        }
    }
}
