import NNLayers
import NNTestSupport
import Testing

/// Flatten: `[N, …]` to `[N, D]`, the gradient reshaped back.
@Suite struct FlattenTests {
    @Test func flattenKeepsValuesAndRestoresShape() throws {
        let flatten = Flatten()
        let input = GradientCheck.sample([2, 1, 2, 3], seed: 5)
        let y = try flatten.forward(input, training: true)
        #expect(y.shape == [2, 6])
        #expect(y.scalars == input.scalars)
        #expect(try flatten.backward(y).shape == [2, 1, 2, 3])
        #expect(try flatten.outputShape(forInput: [1, 28, 28]) == [784])
        let report = try GradientCheck.check(Flatten(), input: input)
        #expect(report.worstError < 1e-3, "\(report)")
    }
}
