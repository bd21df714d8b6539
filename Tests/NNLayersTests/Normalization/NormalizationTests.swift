import NNLayers
import NNTestSupport
import Testing

@Suite struct NormalizationTests {
    @Test func batchNormTrainingAndInferenceMatchAHandComputation() throws {
        let bn = try BatchNorm(sampleShape: [2], momentum: 0.5, epsilon: 0)
        bn.gamma.value = Tensor([2, 1])
        bn.beta.value = Tensor([0, 10])
        let x = try Tensor(shape: [4, 2], scalars: [1, 0, 2, 0, 3, 4, 6, 4])
        // Feature 0: mean 3, biased variance (4+1+0+9)/4 = 3.5; feature 1: mean 2, variance 4.
        let y = try bn.forward(x, training: true)
        let s0 = Float(3.5).squareRoot()
        let expected: [Float] = [-4 / s0, 9, -2 / s0, 9, 0, 11, 6 / s0, 11]
        #expect(approximatelyEqual(y.scalars, expected, tolerance: 1e-5))
        // Running statistics: 0.5·0 + 0.5·mean, 0.5·1 + 0.5·unbiased variance (×4/3).
        #expect(approximatelyEqual(bn.runningMean.value.scalars, [1.5, 1]))
        let runningVariance: [Float] = [0.5 + 0.5 * 3.5 * 4 / 3, 0.5 + 0.5 * 4 * 4 / 3]
        #expect(approximatelyEqual(bn.runningVariance.value.scalars, runningVariance))
        let inference = try bn.forward(try Tensor(shape: [1, 2], scalars: [1.5, 1]), training: false)
        #expect(approximatelyEqual(inference.scalars, [0, 10], tolerance: 1e-6))
    }

    @Test(arguments: [[3], [2, 3, 2]])
    func batchNormGradients(sampleShape: [Int]) throws {
        let bn = try BatchNorm(sampleShape: sampleShape)
        bn.gamma.value = GradientCheck.sample([sampleShape[0]], seed: 1)
        bn.beta.value = GradientCheck.sample([sampleShape[0]], seed: 2)
        let report = try GradientCheck.check(bn, input: GradientCheck.sample([4] + sampleShape, seed: 3, range: 2), step: 1e-3)
        #expect(report.worstError < 5e-3, "\(report)")
        #expect(bn.buffers.map(\.name) == ["running_mean", "running_var"])
    }

    /// With ReLU fused (the network's fusion pass), the output is that of BatchNorm followed by ReLU, in training and
    /// inference, and the running statistics move as without it.
    @Test func batchNormAppliesAFusedReLU() throws {
        for training in [true, false] {
            let (plain, fused) = (try BatchNorm(sampleShape: [3, 2, 2]), try BatchNorm(sampleShape: [3, 2, 2]))
            for norm in [plain, fused] { norm.beta.value = GradientCheck.sample([3], seed: 4) }
            let x = GradientCheck.sample([2, 3, 2, 2], seed: 5)
            let expected = try plain.forward(x, training: training).scalars.map { Swift.max($0, 0) }
            #expect(expected.contains(0) && expected.contains { $0 > 0 })
            #expect(try fused.forward(x, training: training, applying: .relu).scalars == expected)
            #expect(fused.runningMean.value == plain.runningMean.value && fused.runningVariance.value == plain.runningVariance.value)
        }
    }

    /// The map folded into a convolution at inference: `γ/√(σ² + ε)` and `β − μ·γ/√(σ² + ε)` from the running
    /// statistics; none for a `[D]` input or another channel count.
    @Test func batchNormsInferenceMapComesFromItsRunningStatistics() throws {
        let bn = try BatchNorm(sampleShape: [2, 1, 1], epsilon: 0)
        bn.gamma.value = Tensor([2, 1])
        bn.beta.value = Tensor([0, 10])
        bn.runningMean.value = Tensor([1, -2])
        bn.runningVariance.value = Tensor([4, 0.25])
        let map = try #require(bn.inferenceMap(channels: 2))
        #expect(map == ChannelAffineMap(scale: [1, 2], shift: [-1, 14]))
        let x = try Tensor(shape: [1, 2, 1, 1], scalars: [3, 5])
        #expect(try bn.forward(x, training: false).scalars == [3 * 1 - 1, 5 * 2 + 14])
        #expect(bn.inferenceMap(channels: 3) == nil)
        #expect(try BatchNorm(sampleShape: [2]).inferenceMap(channels: 2) == nil)
    }

    /// A batch large enough to be shared over the threads gives the bits of one thread: output, input gradient,
    /// γ and β gradients and running statistics.
    @Test func batchNormGivesTheSameBitsOnEveryThreadCount() throws {
        let x = GradientCheck.sample([16, 8, 16, 16], seed: 7, range: 3)
        let dy = GradientCheck.sample([16, 8, 16, 16], seed: 8)
        func run(threads: Int) throws -> [Tensor] {
            try ComputeContext(threads: threads).run {
                let bn = try BatchNorm(sampleShape: [8, 16, 16])
                bn.gamma.value = GradientCheck.sample([8], seed: 9, range: 2)
                let y = try bn.forward(x, training: true, applying: .relu)
                let dx = try bn.backward(dy)
                return [y, dx, bn.gamma.gradient, bn.beta.gradient, bn.runningMean.value, bn.runningVariance.value]
            }
        }
        let one = try run(threads: 1)
        for threads in [2, 3] { #expect(try run(threads: threads) == one, "\(threads) threads") }
    }

    @Test func layerNormForwardAndGradients() throws {
        let ln = try LayerNorm(sampleShape: [4], epsilon: 0)
        let y = try ln.forward(try Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]), training: true)
        let s = Float(1.25).squareRoot()
        let expected: [Float] = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]
        #expect(approximatelyEqual(y.scalars, expected, tolerance: 1e-5))
        let layer = try LayerNorm(sampleShape: [2, 3])
        layer.gamma.value = GradientCheck.sample([2, 3], seed: 4)
        layer.beta.value = GradientCheck.sample([2, 3], seed: 5)
        let report = try GradientCheck.check(layer, input: GradientCheck.sample([3, 2, 3], seed: 6, range: 2), step: 1e-3)
        #expect(report.worstError < 5e-3, "\(report)")
    }
}
