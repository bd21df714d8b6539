import Foundation
import NNCore
import Testing

@Suite struct ExponentialTests {
    @Test func matchesFoundationWithinTwoUlp() {
        var generator = SeededGenerator(seed: 12)
        var worst = 0.0
        let count = 200_000
        var x = (0..<count).map { _ in Float(-87.3 + 175.6 * generator.nextUnitDouble()) }
        x += [0, -0, 1, -1, 0.5, 88.3, -87.3, 1e-8, -1e-8]
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { Kernels.exp(xs.baseAddress!, $0.baseAddress!, count: xs.count) } }
        for (input, output) in zip(x, y) {
            let reference = Foundation.exp(Double(input))
            worst = max(worst, abs(Double(output) - reference) / reference)
        }
        #expect(worst < 2.5e-7, "worst relative error \(worst)")
        #expect(Kernels.exp(SIMD8(repeating: 0))[0] == 1)
    }

    @Test func clampsAndPropagatesNaN() {
        let out = Kernels.exp(SIMD8<Float>(-200, 200, .nan, -.infinity, .infinity, 10, -10, 0))
        #expect(out[0] > 0 && out[0] < 1.2e-38)
        #expect(out[1].isFinite && out[1] > 1e38)
        #expect(out[2].isNaN)
        #expect(out[3] >= 0 && out[3] < 1.2e-38)
        #expect(out[4].isFinite)
        #expect(abs(out[5] / 22026.465 - 1) < 1e-6)
    }
}
