import ExampleLayers
import NNLayers
import NNTestSupport
import Testing

@Suite struct ExampleLayersTests {
    @Test func swishForwardAndGradient() throws {
        let y = try Swish(beta: 2).forward(try Tensor(shape: [1, 3], scalars: [0, 1, -1]), training: true)
        // x · σ(2x): 0, σ(2) = 0.8807971, −σ(−2) = −0.1192029
        #expect(approximatelyEqual(y.scalars, [0, 0.8807971, -0.1192029], tolerance: 1e-5))
        let report = try GradientCheck.check(Swish(beta: 1.3), input: GradientCheck.sample([4, 5], seed: 1, range: 2))
        #expect(report.worstError < 2e-3, "\(report)")
    }

    @Test func mishForwardAndGradient() throws {
        let y = try Mish().forward(try Tensor(shape: [1, 3], scalars: [0, 1, -2]), training: true)
        // 1 · tanh(ln(1 + e)) = 0.8650984, −2 · tanh(ln(1 + e⁻²)) = −0.2525015
        #expect(approximatelyEqual(y.scalars, [0, 0.8650984, -0.2525015], tolerance: 1e-5))
        let report = try GradientCheck.check(Mish(), input: GradientCheck.sample([4, 5], seed: 2, range: 3))
        #expect(report.worstError < 2e-3, "\(report)")
    }
}
