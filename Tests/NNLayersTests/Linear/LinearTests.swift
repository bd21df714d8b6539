import NNLayers
import NNTestSupport
import Testing

@Suite struct LinearTests {
    @Test func forwardComputesAffineMap() throws {
        let layer = try Linear(
            weight: try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), bias: try Tensor(shape: [3], scalars: [0.5, -1, 0]))
        let y = try layer.forward(try Tensor(shape: [2, 2], scalars: [1, 0, -1, 2]), training: true)
        #expect(y.scalars == [1.5, 1, 3, 7.5, 7, 9])
    }

    @Test func backwardUsesTransposes() throws {
        let layer = try Linear(weight: try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), bias: try Tensor.zeros([2]))
        _ = try layer.forward(try Tensor(shape: [1, 2], scalars: [5, 6]), training: true)
        let dx = try layer.backward(try Tensor(shape: [1, 2], scalars: [1, -1]))
        #expect(dx.scalars == [-1, -1])  // dy · Wᵀ
        #expect(layer.weight.gradient.scalars == [5, -5, 6, -6])  // xᵀ · dy
        #expect(layer.bias?.gradient.scalars == [1, -1])
    }

    @Test(arguments: [[3, 4], [2, 2, 3], [7, 33]])
    func gradientMatchesNumerical(shape: [Int]) throws {
        let features = shape.dropFirst().reduce(1, *)
        let layer = try Linear(inputSize: features, outputSize: 5, initializer: .xavier, seed: 11)
        layer.bias!.value = GradientCheck.sample([5], seed: 12)
        let report = try GradientCheck.check(layer, input: GradientCheck.sample(shape, seed: 13))
        #expect(report.worstError < 2e-3, "\(report)")
    }

    /// `activation: relu`: the output is rectified as it is written, and the gradient is masked where it is 0.
    @Test func reluActivationIsAppliedAndMasked() throws {
        let layer = try Linear(configuration: LayerConfiguration(options: ["units": .int(3), "activation": .string("relu")], inputShape: [2]))
        layer.weight.value = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        layer.bias!.value = try Tensor(shape: [3], scalars: [0.5, -1, 0])
        let y = try layer.forward(try Tensor(shape: [2, 2], scalars: [1, 0, -1, -2]), training: true)
        #expect(y.scalars == [1.5, 1, 3, 0, 0, 0])
        let dx = try layer.backward(try Tensor(shape: [2, 3], scalars: [1, 1, 1, 1, 1, 1]))
        #expect(dx.scalars == [6, 15, 0, 0])
        #expect(layer.bias?.gradient.scalars == [1, 1, 1])
        let shifted = try Linear(inputSize: 4, outputSize: 5, initializer: .xavier, seed: 21)
        shifted.activation = .relu
        shifted.bias!.value = GradientCheck.sample([5], seed: 22)
        // Inputs whose pre-activations all lie at least 0.17 from the kink at 0, as a ReLU test's inputs do.
        let input = GradientCheck.sample([6, 4], seed: 57)
        let preActivations = try Linear(weight: shifted.weight.value, bias: shifted.bias!.value).forward(input, training: false)
        #expect(preActivations.scalars.allSatisfy { abs($0) > 0.1 } && preActivations.scalars.contains { $0 < 0 })
        let report = try GradientCheck.check(shifted, input: input)
        #expect(report.worstError < 2e-3, "\(report)")
        #expect(throws: ConfigurationError.self) {
            try Linear(configuration: LayerConfiguration(options: ["units": .int(3), "activation": .string("tanh")], inputShape: [2]))
        }
    }

    @Test func withoutBiasAndMatMul() throws {
        let layer = try Linear(inputSize: 4, outputSize: 3, bias: false, seed: 1)
        #expect(layer.parameters.map(\.name) == ["weight"])
        let report = try GradientCheck.check(layer, input: GradientCheck.sample([2, 4], seed: 2))
        #expect(report.worstError < 2e-3, "\(report)")
        let matmul = try MatMul(weight: try Tensor(shape: [2, 1], scalars: [2, 3]))
        #expect(try matmul.forward(try Tensor(shape: [1, 2], scalars: [1, 1]), training: true).scalars == [5])
        let matmulReport = try GradientCheck.check(try MatMul(inputSize: 3, outputSize: 2, seed: 3), input: GradientCheck.sample([4, 3], seed: 4))
        #expect(matmulReport.worstError < 2e-3, "\(matmulReport)")
    }

    @Test func rejectsWrongInputWidth() throws {
        let layer = try Linear(inputSize: 4, outputSize: 2)
        #expect(throws: LayerError.self) { try layer.forward(try Tensor.zeros([3, 5]), training: true) }
        #expect(throws: LayerError.self) { try layer.outputShape(forInput: [5]) }
        #expect(try layer.outputShape(forInput: [2, 2]) == [2])
    }

    @Test func initializersAreSeededAndScaled() throws {
        let a = try Linear(inputSize: 400, outputSize: 100, initializer: .he, seed: 5)
        let b = try Linear(inputSize: 400, outputSize: 100, initializer: .he, seed: 5)
        #expect(a.weight.value == b.weight.value)
        let w = a.weight.value.scalars
        let variance = w.reduce(0) { $0 + $1 * $1 } / Float(w.count)
        #expect(abs(variance - 2.0 / 400) < 0.0005)  // He: σ² = 2 / fan_in
    }
    /// Inference packs the weight once; the packing follows every change of the weight (an optimiser step
    /// in place, an assignment) and gives exactly what a training-mode forward gives.
    @Test func inferenceRepacksAfterEveryWeightChange() throws {
        let layer = try Linear(inputSize: 37, outputSize: 21, seed: 3)
        layer.bias!.value = GradientCheck.sample([21], seed: 4)
        let x = GradientCheck.sample([9, 37], seed: 5)
        func bothModes() throws -> (inference: [Float], training: [Float]) {
            let inference = try layer.forward(x, training: false).scalars
            return (inference, try layer.forward(x, training: true).scalars)
        }
        let before = try bothModes()
        #expect(before.inference == before.training)

        let version = layer.weight.version
        let storage = layer.weight.value.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
        _ = try layer.backward(GradientCheck.sample([9, 21], seed: 6))
        SGD(learningRate: 0.5).update(layer.parameters)
        #expect(layer.weight.version != version)
        #expect(layer.weight.value.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) } == storage, "updated in place")
        let stepped = try bothModes()
        #expect(stepped.inference == stepped.training)
        #expect(stepped.inference != before.inference)

        layer.weight.value = GradientCheck.sample([37, 21], seed: 7)
        let assigned = try bothModes()
        #expect(assigned.inference == assigned.training)
        #expect(assigned.inference != stepped.inference)
    }
    /// A single sample reads the weight in alternate directions on alternate calls; the output never changes.
    @Test func singleSampleOutputIsTheSameOnEveryCall() throws {
        let layer = try Linear(inputSize: 300, outputSize: 70, seed: 8)
        let x = GradientCheck.sample([1, 300], seed: 9)
        let outputs = try (0..<3).map { _ in try layer.forward(x, training: false).scalars }
        #expect(outputs[0] == outputs[1] && outputs[1] == outputs[2])
        let w = layer.weight.value.scalars
        for j in 0..<70 {
            let expected = (0..<300).reduce(0.0) { $0 + Double(x.scalars[$1]) * Double(w[$1 * 70 + j]) }
            #expect(abs(Double(outputs[0][j]) - expected) < 1e-4)
        }
    }

    /// A single sample with zero inputs skips their rows of `W` and still gives the dense product bit for bit; a
    /// weight that is infinite turns the skipping off, so `0 · ∞` still makes the output NaN.
    @Test func singleSampleSkipsZeroInputsOnlyWhenEveryWeightIsFinite() throws {
        let layer = try Linear(inputSize: 300, outputSize: 70, seed: 10)
        var x = GradientCheck.sample([1, 300], seed: 11).scalars
        for i in x.indices where i % 3 != 0 { x[i] = 0 }
        let input = try Tensor(shape: [1, 300], scalars: x)
        func dense() -> [Float] {
            var y = [Float](repeating: 0, count: 70)
            x.withUnsafeBufferPointer { x in
                layer.weight.value.withUnsafeBufferPointer { w in
                    layer.bias!.value.withUnsafeBufferPointer { b in
                        y.withUnsafeMutableBufferPointer { y in
                            GEMM.multiply(m: 1, n: 70, k: 300, a: x.baseAddress!, lda: 300, b: w.baseAddress!, ldb: 70,
                                          c: y.baseAddress!, ldc: 70, options: .init(epilogue: .bias(b.baseAddress!)))
                        }
                    }
                }
            }
            return y
        }
        #expect(try layer.forward(input, training: false).scalars == dense())
        #expect(try layer.forward(input, training: false).scalars == dense())
        layer.weight.value = try Tensor(shape: [300, 70], scalars: layer.weight.value.scalars.enumerated().map { $0.offset == 1 * 70 + 5 ? .infinity : $0.element })
        let output = try layer.forward(input, training: false).scalars
        #expect(output[5].isNaN)
        #expect(output.enumerated().filter { $0.offset != 5 }.allSatisfy { !$0.element.isNaN })
    }
    /// A batch of image-like inputs (a zero border shared by every sample) skips zeros in the weight gradient and,
    /// with enough of them, in the forward pass; both equal the dense products bit for bit, and an infinite
    /// gradient that meets a zero input still makes NaN.
    @Test func batchesSkipZeroInputsWithTheSameBits() throws {
        let (rows, inputs, outputs) = (20, 90, 40)
        let layer = try Linear(inputSize: inputs, outputSize: outputs, seed: 12)
        var x = GradientCheck.sample([rows, inputs], seed: 13).scalars
        for i in 0..<rows { for p in 0..<inputs where p < 36 || p % 4 == 1 || (i + p) % 7 == 0 { x[i * inputs + p] = 0 } }
        let input = try Tensor(shape: [rows, inputs], scalars: x)
        input.withUnsafeBufferPointer { x in
            #expect(GEMM.skippableDepthFraction(m: rows, k: inputs, a: x.baseAddress!, lda: inputs)
                    >= Linear.forwardZeroSkippingThreshold)
            #expect(GEMM.skippableDepthFraction(m: inputs, k: rows, a: x.baseAddress!, lda: inputs, transposeA: true)
                    >= Linear.gradientZeroSkippingThreshold)
        }
        var dy = GradientCheck.sample([rows, outputs], seed: 14).scalars
        func product(_ a: [Float], transposeA: Bool, _ b: [Float], m: Int, n: Int, k: Int, bias: [Float]? = nil) -> [Float] {
            var c = [Float](repeating: 0, count: m * n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    (bias ?? []).withUnsafeBufferPointer { bias in
                        c.withUnsafeMutableBufferPointer { c in
                            GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: transposeA ? m : k, transposeA: transposeA,
                                          b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n,
                                          options: .init(epilogue: bias.isEmpty ? .none : .bias(bias.baseAddress!)))
                        }
                    }
                }
            }
            return c
        }
        let weights = layer.weight.value.scalars, bias = layer.bias!.value.scalars
        for training in [false, true] {
            let y = try layer.forward(input, training: training).scalars
            #expect(y.map(\.bitPattern) == product(x, transposeA: false, weights, m: rows, n: outputs, k: inputs, bias: bias).map(\.bitPattern))
        }
        _ = try layer.backward(try Tensor(shape: [rows, outputs], scalars: dy))
        let dw = product(x, transposeA: true, dy, m: inputs, n: outputs, k: rows)
        #expect(layer.weight.gradient.scalars.map(\.bitPattern) == dw.map(\.bitPattern))
        dy[3 * outputs + 6] = .infinity
        _ = try layer.forward(input, training: true)
        _ = try layer.backward(try Tensor(shape: [rows, outputs], scalars: dy))
        let gradient = layer.weight.gradient.scalars
        for p in 0..<inputs where x[3 * inputs + p] == 0 { #expect(gradient[p * outputs + 6].isNaN, "input \(p)") }
    }
}
