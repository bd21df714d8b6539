import NNLayers
import NNTestSupport
import Testing

/// Dropout: a seeded mask scaled by 1/(1 − p) in training, the identity in inference.
@Suite struct DropoutTests {
    @Test func dropoutIsSeededScaledAndOffInInference() throws {
        let dropout = Dropout(rate: 0.5, seed: 7)
        let x = try Tensor.ones([100, 10])
        let y = try dropout.forward(x, training: true)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 2 })
        #expect(abs(Double(kept.count) / 1000 - 0.5) < 0.06)
        #expect(try dropout.backward(x) == y)
        #expect(try dropout.forward(x, training: false) == x)
        let again = Dropout(rate: 0.5, seed: 7)
        #expect(try again.forward(x, training: true) == y)
        #expect(try again.forward(x, training: true) != y)  // the next call draws a new mask
        #expect(dropout.calls.value.scalars == [1])
    }
}
