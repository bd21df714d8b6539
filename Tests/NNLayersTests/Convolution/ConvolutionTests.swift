import NNLayers
import NNTestSupport
import Testing

/// Convolution and pooling: literal forwards and gradient checks over stride, padding, dilation and groups.
@Suite struct ConvolutionTests {
    @Test func convolutionForwardLiteral() throws {
        // One 3×3 input, one 2×2 kernel of ones, bias 0.5: each output is its window's sum plus 0.5.
        let conv = try Conv2D(inputShape: [1, 3, 3], filters: 1, kernel: [2, 2])
        conv.weight.value = try Tensor.ones([1, 1, 2, 2])
        conv.bias!.value = Tensor([0.5])
        let x = try Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try conv.forward(x, training: true).scalars == [12.5, 16.5, 24.5, 28.5])
        // Padding 1, stride 2: windows at the corners see zeros.
        let padded = try Conv2D(inputShape: [1, 3, 3], filters: 1, kernel: [2, 2], stride: [2, 2], padding: [1, 1], bias: false)
        padded.weight.value = try Tensor.ones([1, 1, 2, 2])
        #expect(try padded.forward(x, training: true).scalars == [1, 5, 11, 28])
        #expect(try padded.outputShape(forInput: [1, 3, 3]) == [1, 2, 2])
    }

    @Test(arguments: [
        ([2, 5, 5], 3, [3, 3], [1, 1], [0, 0], [1, 1], 1),
        ([2, 6, 5], 4, [3, 2], [2, 1], [1, 0], [1, 1], 1),
        ([1, 7, 7], 2, [3, 3], [1, 2], [2, 1], [2, 2], 1),
        ([4, 5, 5], 6, [3, 3], [1, 1], [1, 1], [1, 1], 2),
        ([3, 4, 4], 3, [1, 1], [1, 1], [0, 0], [1, 1], 3),
        // Stride 1 with same-like padding: the input gradient is a convolution of the output gradient.
        ([2, 7, 6], 3, [3, 3], [1, 1], [2, 3], [2, 2], 1),
        ([2, 5, 6], 4, [3, 2], [1, 1], [1, 1], [1, 1], 2),
    ])
    func convolutionGradients(shape: [Int], filters: Int, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int], groups: Int) throws {
        let conv = try Conv2D(inputShape: shape, filters: filters, kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups,
                              initializer: .xavier, seed: 3)
        conv.bias!.value = GradientCheck.sample([filters], seed: 4)
        let report = try GradientCheck.check(conv, input: GradientCheck.sample([2] + shape, seed: 5))
        #expect(report.worstError < 2e-3, "\(report)")
    }

    /// 3×3 convolutions at stride 1 with at least 8 channels in and out run as Winograd F(2×2, 3×3), forward and
    /// for the input gradient: eight channels of ones through a kernel of ones sum each window's taps inside the input.
    @Test func winogradForwardLiteral() throws {
        let conv = try Conv2D(inputShape: [8, 3, 4], filters: 8, kernel: [3, 3], padding: [1, 1], bias: false)
        conv.weight.value = try Tensor.ones([8, 8, 3, 3])
        let y = try conv.forward(try Tensor.ones([1, 8, 3, 4]), training: false)
        let plane: [Float] = [32, 48, 48, 32, 48, 72, 72, 48, 32, 48, 48, 32]
        #expect(y.scalars == Array((0..<8).map { _ in plane }.joined()))
    }

    @Test(arguments: [([8, 6, 7], 16, [1, 1]), ([16, 5, 5], 8, [2, 2]), ([8, 4, 20], 8, [1, 0])])
    func winogradGradients(shape: [Int], filters: Int, padding: [Int]) throws {
        let conv = try Conv2D(inputShape: shape, filters: filters, kernel: [3, 3], padding: padding, initializer: .xavier, seed: 3)
        conv.bias!.value = GradientCheck.sample([filters], seed: 4)
        // The layer is linear in its input and in its weights, so a wide step is exact but for rounding, which the
        // transforms' cancellations make larger than the direct sum's.
        let report = try GradientCheck.check(conv, input: GradientCheck.sample([2] + shape, seed: 5), step: 0.1)
        #expect(report.worstError < 2e-3, "\(report)")
    }

    /// The Winograd weight gradient multiplies the tiles of a few samples at a time (two of 14 × 14 here, so a
    /// batch of five makes three chunks): it is the sum of the samples' own gradients, on one thread and on two.
    @Test(arguments: [1, 2])
    func winogradWeightGradientSumsItsChunks(threads: Int) throws {
        try ComputeContext(threads: threads).run {
            let conv = try Conv2D(inputShape: [8, 14, 14], filters: 8, kernel: [3, 3], padding: [1, 1], initializer: .xavier, seed: 3)
            let x = GradientCheck.sample([5, 8, 14, 14], seed: 5), dy = GradientCheck.sample([5, 8, 14, 14], seed: 6)
            _ = try conv.forward(x, training: true)
            _ = try conv.backward(dy, needsInputGradient: false)
            let batch = conv.weight.gradient.scalars
            var sum = [Double](repeating: 0, count: batch.count)
            let sampleSize = 8 * 14 * 14
            for s in 0..<5 {
                let range = s * sampleSize..<(s + 1) * sampleSize
                _ = try conv.forward(try Tensor(shape: [1, 8, 14, 14], scalars: Array(x.scalars[range])), training: true)
                _ = try conv.backward(try Tensor(shape: [1, 8, 14, 14], scalars: Array(dy.scalars[range])), needsInputGradient: false)
                for (i, g) in conv.weight.gradient.scalars.enumerated() { sum[i] += Double(g) }
            }
            let worst = zip(batch, sum).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-3 * (sum.map(abs).max() ?? 1), "largest difference \(worst)")
        }
    }

    /// Each sample's Winograd transforms and products run on one thread, so every thread count gives the same bits.
    @Test func winogradGivesTheSameBitsOnEveryThreadCount() throws {
        func run(threads: Int) throws -> [[UInt32]] {
            try ComputeContext(threads: threads).run {
                let conv = try Conv2D(inputShape: [8, 9, 9], filters: 16, kernel: [3, 3], padding: [1, 1], initializer: .xavier, seed: 3)
                let y = try conv.forward(GradientCheck.sample([5, 8, 9, 9], seed: 5), training: true)
                let dx = try conv.backward(GradientCheck.sample(y.shape, seed: 6))
                return [y.scalars.map(\.bitPattern), dx.scalars.map(\.bitPattern)]
            }
        }
        let single = try run(threads: 1)
        #expect(try run(threads: 2) == single && run(threads: 3) == single)
    }

    /// The samples are shared out over the threads: each count gives the gradients of the numerical check and the
    /// same bits every run, and counts agree up to the order of the weight gradient's sums.
    @Test(arguments: [1, 2, 3, 5])
    func convolutionOverThreadsChecksAndRepeats(threads: Int) throws {
        let context = ComputeContext(threads: threads)
        func run() throws -> (Tensor, Tensor, Tensor) {
            try context.run {
                let conv = try Conv2D(inputShape: [3, 6, 5], filters: 4, kernel: [3, 3], padding: [1, 1], groups: 1, initializer: .xavier, seed: 3)
                let x = GradientCheck.sample([5, 3, 6, 5], seed: 5)
                let y = try conv.forward(x, training: true)
                let dx = try conv.backward(GradientCheck.sample(y.shape, seed: 6))
                return (y, dx, conv.weight.gradient)
            }
        }
        let (first, second, single) = (try run(), try run(), try ComputeContext(threads: 1).run { try run() })
        for (a, b) in [(first.0, second.0), (first.1, second.1), (first.2, second.2)] {
            #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern))
        }
        #expect(first.0.scalars == single.0.scalars && first.1.scalars == single.1.scalars)
        #expect(approximatelyEqual(first.2.scalars, single.2.scalars, tolerance: 1e-5))
        try context.run {
            let conv = try Conv2D(inputShape: [4, 5, 5], filters: 6, kernel: [3, 3], stride: [2, 1], padding: [1, 1], groups: 2, initializer: .xavier, seed: 3)
            conv.bias!.value = GradientCheck.sample([6], seed: 4)
            let report = try GradientCheck.check(conv, input: GradientCheck.sample([5, 4, 5, 5], seed: 5))
            #expect(report.worstError < 2e-3, "\(report)")
        }
    }

    /// With ReLU fused (the network's fusion pass), the output is that of the convolution followed by ReLU.
    @Test func convolutionAppliesAFusedReLU() throws {
        let conv = try Conv2D(inputShape: [2, 5, 5], filters: 3, kernel: [3, 3], padding: [1, 1], initializer: .xavier, seed: 3)
        conv.bias!.value = GradientCheck.sample([3], seed: 4)
        let x = GradientCheck.sample([2, 2, 5, 5], seed: 5)
        let plain = try conv.forward(x, training: false).scalars.map { $0 > 0 ? $0 : 0 }
        #expect(plain.contains(0) && plain.contains { $0 > 0 })
        #expect(try conv.forward(x, training: false, applying: .relu).scalars == plain)
    }

    @Test func convolutionRejectsBadConfigurations() {
        #expect(throws: ConfigurationError.self) { try Conv2D(inputShape: [3, 2, 2], filters: 4, kernel: [3, 3]) }
        #expect(throws: ConfigurationError.self) { try Conv2D(inputShape: [3, 8, 8], filters: 4, kernel: [3, 3], groups: 2) }
        #expect(throws: ConfigurationError.self) { try Conv2D(inputShape: [8, 8], filters: 4, kernel: [3, 3]) }
        #expect(throws: ConfigurationError.self) { try Conv2D(inputShape: [1, 8, 8], filters: 4, kernel: [0, 3]) }
    }

    /// `padding: same` keeps `⌈H / stride⌉`, for convolutions and pools, and refuses an odd number of zeros.
    @Test func samePaddingKeepsTheSizeOverTheStride() throws {
        func output(_ type: any RegistrableLayer.Type, _ options: [String: ConfigValue], input: [Int] = [2, 9, 8]) throws -> [Int] {
            try type.init(configuration: LayerConfiguration(options: options.merging(["padding": .string("same")]) { $1 }, inputShape: input))
                .outputShape(forInput: input)
        }
        #expect(try output(Conv2D.self, ["filters": .int(3), "kernel": .int(3)]) == [3, 9, 8])
        #expect(try output(Conv2D.self, ["filters": .int(3), "kernel": .int(3), "dilation": .int(2)]) == [3, 9, 8])
        #expect(try output(Conv2D.self, ["filters": .int(3), "kernel": .int(3), "stride": .int(2)], input: [2, 9, 9]) == [3, 5, 5])
        #expect(try output(MaxPool2D.self, ["kernel": .int(2)], input: [2, 8, 6]) == [2, 4, 3])
        #expect(try output(AvgPool2D.self, ["kernel": .int(3), "stride": .int(1)]) == [2, 9, 8])
        #expect(throws: ConfigurationError.self) { try output(Conv2D.self, ["filters": .int(3), "kernel": .int(2)]) }
        #expect(throws: ConfigurationError.self) {
            try Conv2D(configuration: LayerConfiguration(options: ["filters": .int(1), "kernel": .int(3), "padding": .string("valid")], inputShape: [1, 4, 4]))
        }
    }

    @Test func maxPoolForwardAndGradient() throws {
        let pool = try MaxPool2D(inputShape: [1, 4, 4], kernel: [2, 2])
        let x = try Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { Float(($0 * 7) % 16) })
        // Values: 0 7 14 5 / 12 3 10 1 / 8 15 6 13 / 4 11 2 9
        #expect(try pool.forward(x, training: true).scalars == [12, 14, 15, 13])
        let dx = try pool.backward(try Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4]))
        #expect(dx.scalars == [0, 0, 2, 0, 1, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0])
        for (kernel, stride, padding, dilation) in [([2, 2], [2, 2], [0, 0], [1, 1]), ([3, 3], [1, 1], [1, 1], [1, 1]), ([2, 3], [1, 2], [0, 1], [2, 1])] {
            let layer = try MaxPool2D(inputShape: [2, 6, 6], kernel: kernel, stride: stride, padding: padding, dilation: dilation)
            // Distinct values far apart, so a finite step never changes which tap is the maximum.
            let input = try Tensor(shape: [2, 2, 6, 6], scalars: (0..<144).map { Float(($0 * 37) % 144) * 0.1 })
            let report = try GradientCheck.check(layer, input: input, step: 1e-3)
            #expect(report.worstError < 2e-3, "\(kernel) \(stride) \(padding): \(report)")
        }
    }

    /// The 2 × 2, stride-2 kernel against a plain scan of each window: odd sizes (the last row and column are
    /// left out), ties (the first tap wins), a NaN first tap (kept) and widths on both sides of its 8-wide step.
    @Test(arguments: [(3, 5), (4, 4), (5, 17), (6, 32), (2, 35)])
    func maxPoolTwoByTwoMatchesAScanOfEachWindow(height: Int, width: Int) throws {
        let planes = 3
        var values = (0..<(planes * height * width)).map { Float(($0 * 7) % 5) }
        values[0] = .nan
        let pool = try MaxPool2D(inputShape: [planes, height, width], kernel: [2, 2])
        let y = try pool.forward(try Tensor(shape: [1, planes, height, width], scalars: values), training: true)
        var expected: [Float] = [], positions: [Int] = []
        for plane in 0..<planes {
            for i in 0..<(height / 2) {
                for j in 0..<(width / 2) {
                    var (best, at) = (values[plane * height * width + 2 * i * width + 2 * j], 2 * i * width + 2 * j)
                    for (di, dj) in [(0, 1), (1, 0), (1, 1)] {
                        let position = (2 * i + di) * width + 2 * j + dj
                        if values[plane * height * width + position] > best { (best, at) = (values[plane * height * width + position], position) }
                    }
                    expected.append(best)
                    positions.append(plane * height * width + at)
                }
            }
        }
        #expect(y.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
        let dx = try pool.backward(try Tensor(shape: y.shape, scalars: (0..<y.count).map { Float($0 + 1) }))
        var expectedGradient = [Float](repeating: 0, count: values.count)
        for (o, position) in positions.enumerated() { expectedGradient[position] += Float(o + 1) }
        #expect(dx.scalars == expectedGradient)
    }

    @Test func averagePoolsForwardAndGradient() throws {
        let pool = try AvgPool2D(inputShape: [1, 2, 4], kernel: [2, 2])
        let x = try Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(try pool.forward(x, training: true).scalars == [3.5, 5.5])
        for (kernel, stride, padding) in [([2, 2], [2, 2], [0, 0]), ([3, 3], [2, 1], [1, 1])] {
            let layer = try AvgPool2D(inputShape: [2, 5, 6], kernel: kernel, stride: stride, padding: padding)
            let report = try GradientCheck.check(layer, input: GradientCheck.sample([2, 2, 5, 6], seed: 8))
            #expect(report.worstError < 2e-3, "\(report)")
        }
        let global = GlobalAvgPool2D()
        #expect(try global.forward(x, training: true).scalars == [4.5])
        let report = try GradientCheck.check(GlobalAvgPool2D(), input: GradientCheck.sample([3, 2, 2, 3], seed: 9))
        #expect(report.worstError < 2e-3, "\(report)")
    }
}
