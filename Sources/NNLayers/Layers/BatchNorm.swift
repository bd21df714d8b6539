/// Batch normalisation over the batch (and, for images, the spatial positions) of each feature or channel.
///
/// Shapes: `[N, D]` (per feature) or `[N, C, H, W]` (per channel); `γ`, `β`, and the buffers `running_mean`,
/// `running_var` have shape `[D]` or `[C]`. In training, with the `M` values of a channel,
/// `x̂ = (x − μ)/√(σ² + ε)` (biased σ²), `y = γx̂ + β`, and the running statistics move by `momentum`
/// (`running_var` takes the unbiased `σ²·M/(M − 1)`). In inference the running statistics replace μ and σ².
///
/// Gradients (training): `∂L/∂β = Σ ∂L/∂y`, `∂L/∂γ = Σ ∂L/∂y · x̂`,
/// `∂L/∂x = γ/(M·√(σ² + ε)) · (M·∂L/∂y − Σ ∂L/∂y − x̂ · Σ ∂L/∂y·x̂)`. A ReLU after it is applied in the same
/// pass over the output (`ActivationFusing`); at inference, after a convolution, the convolution applies it
/// (`ChannelAffineFoldable`).
public final class BatchNorm: RegistrableLayer, ActivationFusing, ChannelAffineFoldable {
    public static let typeName = "BatchNorm"
    public static let aliases = ["BatchNorm1D", "BatchNorm2D"]
    public static let summary = "Normalise each feature ([N, D]) or channel ([N, C, H, W]) over the batch"
    public static let options = [
        LayerOption("momentum", .double, default: "0.1", "running-statistics update rate in (0, 1]"),
        LayerOption("epsilon", .double, default: "1e-5", "added to the variance, > 0"),
    ]

    /// γ, the scale.
    public let gamma: Parameter
    /// β, the shift.
    public let beta: Parameter
    /// The running mean (a buffer).
    public let runningMean: Parameter
    /// The running variance (a buffer).
    public let runningVariance: Parameter
    /// The update rate of the running statistics.
    public let momentum: Float
    /// ε.
    public let epsilon: Float
    /// The per-sample input shape.
    public let sampleShape: [Int]
    /// Sums per-channel statistics over the processes of a data-parallel run, in place, so that training normalises
    /// with the mean and variance of the global batch (synchronised BatchNorm); `nil` uses this process's batch.
    /// Called twice in a training forward pass (`channels + 1` values, then `channels`) and once in backward
    /// (`2 · channels`), the same number of times on every process.
    public var statisticsSum: ((UnsafeMutableBufferPointer<Double>) throws -> Void)?

    private var normalized: Tensor?
    private var output: Tensor?
    private var inputGradient: Tensor?
    private var trainingPass = false
    /// Whether the last pass was applied by the layer before (`forward(folded:)`), which leaves nothing to go back through.
    private var foldedPass = false
    /// Per-channel work arrays, kept between batches: μ, σ², 1/√(σ² + ε), Σ ∂L/∂y, Σ ∂L/∂y·x̂.
    private var mean: [Float], variance: [Float], inverseDeviation: [Float]
    private var gradientSum: [Double], gradientDotNormalized: [Double]
    /// Per-channel sums handed to `statisticsSum`, and the number of values per channel of the last training pass.
    private var channelSums: [Double] = [], statisticsCount = 0

    /// Creates the layer for samples `[D]` or `[C, H, W]`.
    public init(sampleShape: [Int], momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        guard sampleShape.count == 1 || sampleShape.count == 3, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "[D] or [C, H, W]", got: sampleShape)
        }
        self.sampleShape = sampleShape
        self.momentum = momentum
        self.epsilon = epsilon
        let channels = sampleShape[0]
        (mean, variance, inverseDeviation) = ([Float](repeating: 0, count: channels), [Float](repeating: 0, count: channels), [Float](repeating: 0, count: channels))
        (gradientSum, gradientDotNormalized) = ([Double](repeating: 0, count: channels), [Double](repeating: 0, count: channels))
        gamma = Parameter(try .ones([channels]))
        beta = Parameter(try .zeros([channels]))
        runningMean = Parameter(try .zeros([channels]))
        runningVariance = Parameter(try .ones([channels]))
    }

    public convenience init(configuration c: LayerConfiguration) throws {
        let momentum = try c.double("momentum", default: 0.1), epsilon = try c.double("epsilon", default: 1e-5)
        guard momentum > 0, momentum <= 1 else { throw ConfigurationError.invalidValue(key: "momentum", value: "\(momentum)", requirement: "it must be in (0, 1]") }
        guard epsilon > 0 else { throw ConfigurationError.invalidValue(key: "epsilon", value: "\(epsilon)", requirement: "it must be > 0") }
        try self.init(sampleShape: c.inputShape, momentum: Float(momentum), epsilon: Float(epsilon))
    }

    public var parameters: [NamedParameter] { [NamedParameter("weight", gamma), NamedParameter("bias", beta)] }
    public var buffers: [NamedParameter] { [NamedParameter("running_mean", runningMean), NamedParameter("running_var", runningVariance)] }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape == sampleShape else { throw LayerError.inputShape(layer: Self.typeName, expected: "\(sampleShape)", got: shape) }
        return shape
    }

    /// (channels, positions per channel per sample).
    private var layout: (channels: Int, spatial: Int) { (sampleShape[0], sampleShape.dropFirst().reduce(1, *)) }

    /// Calls `body(channel)` for every channel, shared over the threads when the batch is large enough to pay for
    /// the hand-off. Each channel's sums run on one thread in sample order, so every thread count gives the same bits.
    @inline(__always)
    private func forEachChannel(batch n: Int, _ body: (Int) -> Void) {
        let (channels, spatial) = layout
        guard n * channels * spatial >= Self.parallelMinimum else {
            for c in 0..<channels { body(c) }
            return
        }
        ThreadPool.shared.parallelFor(channels) { c, _ in body(c) }
    }

    /// Calls `body(channel, range)` for each sample's contiguous span of each channel, with the samples shared
    /// over the threads when the batch is large enough (each share in memory order).
    @inline(__always)
    private func forEachSpan(batch n: Int, _ body: (Int, Range<Int>) -> Void) {
        let (channels, spatial) = layout
        func spans(of samples: Range<Int>) {
            for s in samples {
                for c in 0..<channels {
                    let base = (s * channels + c) * spatial
                    body(c, base..<(base + spatial))
                }
            }
        }
        guard n * channels * spatial >= Self.parallelMinimum else { return spans(of: 0..<n) }
        ThreadPool.shared.forEachShare(n) { samples, _ in spans(of: samples) }
    }

    /// Values per batch below which the passes stay on the calling thread.
    private static let parallelMinimum = 1 << 15

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training, activation: nil)
    }

    public func canApply(_ activation: FusedActivation) -> Bool { true }

    public func forward(_ input: Tensor, training: Bool, applying activation: FusedActivation) throws -> Tensor {
        try forward(input, training: training, activation: activation)
    }

    private func forward(_ input: Tensor, training: Bool, activation: FusedActivation?) throws -> Tensor {
        guard input.rank == sampleShape.count + 1, input.shape.dropFirst().elementsEqual(sampleShape), input.shape[0] > 0 else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N] + \(sampleShape)", got: input.shape)
        }
        let n = input.shape[0]
        let (channels, spatial) = layout
        let m = n * spatial
        trainingPass = training
        foldedPass = false
        if training {
            guard m > 1 else { throw LayerError.inputShape(layer: Self.typeName, expected: "more than one value per channel in training", got: input.shape) }
            if channelSums.count != channels + 1 { channelSums = [Double](repeating: 0, count: channels + 1) }
            var count = m
            input.withUnsafeBufferPointer { x in
                channelSums.withUnsafeMutableBufferPointer { sums in
                    forEachChannel(batch: n) { c in
                        var sum = 0.0
                        for s in 0..<n { sum += Kernels.sum(x.baseAddress! + (s * channels + c) * spatial, count: spatial) }
                        sums[c] = sum
                    }
                }
            }
            if let statisticsSum {
                channelSums[channels] = Double(m)
                try channelSums.withUnsafeMutableBufferPointer { try statisticsSum($0) }
                count = Int(channelSums[channels])
            }
            input.withUnsafeBufferPointer { x in
                channelSums.withUnsafeMutableBufferPointer { sums in
                    mean.withUnsafeMutableBufferPointer { mean in
                        forEachChannel(batch: n) { c in
                            let mu = sums[c] / Double(count)
                            var squares = 0.0
                            for s in 0..<n { squares += Kernels.sumOfSquaredDeviations(x.baseAddress! + (s * channels + c) * spatial, count: spatial, mean: mu) }
                            mean[c] = Float(mu)
                            sums[c] = squares
                        }
                    }
                }
            }
            if let statisticsSum { try channelSums.withUnsafeMutableBufferPointer { try statisticsSum(UnsafeMutableBufferPointer(rebasing: $0[0..<channels])) } }
            for c in 0..<channels { variance[c] = Float(channelSums[c] / Double(count)) }
            statisticsCount = count
            let (unbiased, momentum) = (Float(count) / Float(count - 1), self.momentum)
            runningMean.value.withUnsafeMutableBufferPointer { running in
                for c in 0..<channels { running[c] = (1 - momentum) * running[c] + momentum * mean[c] }
            }
            runningVariance.value.withUnsafeMutableBufferPointer { running in
                for c in 0..<channels { running[c] = (1 - momentum) * running[c] + momentum * variance[c] * unbiased }
            }
        } else {
            runningMean.value.withUnsafeBufferPointer { running in for c in 0..<channels { mean[c] = running[c] } }
            runningVariance.value.withUnsafeBufferPointer { running in for c in 0..<channels { variance[c] = running[c] } }
        }
        for c in 0..<channels { inverseDeviation[c] = 1 / (variance[c] + epsilon).squareRoot() }
        var xhat = normalized.takeBuffer(), y = output.takeBuffer()
        xhat.resize(to: input.shape)
        y.resize(to: input.shape)
        input.withUnsafeBufferPointer { x in
            xhat.withUnsafeMutableBufferPointer { xh in
                y.withUnsafeMutableBufferPointer { out in
                    gamma.value.withUnsafeBufferPointer { g in
                        beta.value.withUnsafeBufferPointer { b in
                            forEachSpan(batch: n) { c, span in
                                let start = span.lowerBound
                                Kernels.normalize(
                                    x.baseAddress! + start, mean: mean[c], inverseDeviation: inverseDeviation[c], scale: g[c], shift: b[c],
                                    relu: activation == .relu, normalized: xh.baseAddress! + start, into: out.baseAddress! + start, count: span.count)
                            }
                        }
                    }
                }
            }
        }
        normalized = xhat
        output = y
        return y
    }

    public func inferenceMap(channels: Int) -> ChannelAffineMap? {
        guard sampleShape.count == 3, sampleShape[0] == channels else { return nil }
        var map = ChannelAffineMap(scale: gamma.value.scalars, shift: beta.value.scalars)
        runningMean.value.withUnsafeBufferPointer { mean in
            runningVariance.value.withUnsafeBufferPointer { variance in
                for c in 0..<channels {
                    map.scale[c] *= 1 / (variance[c] + epsilon).squareRoot()
                    map.shift[c] -= mean[c] * map.scale[c]
                }
            }
        }
        return map
    }

    public func forward(folded output: Tensor) -> Tensor {
        foldedPass = true
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard !foldedPass else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let xhat = try checkGradient(outputGradient, matches: normalized, layer: Self.typeName)
        let n = xhat.shape[0]
        let (channels, spatial) = layout
        var m = Float(n * spatial)
        for c in 0..<channels { (gradientSum[c], gradientDotNormalized[c]) = (0, 0) }
        outputGradient.withUnsafeBufferPointer { dy in
            xhat.withUnsafeBufferPointer { xh in
                gradientSum.withUnsafeMutableBufferPointer { sums in
                    gradientDotNormalized.withUnsafeMutableBufferPointer { dots in
                        forEachChannel(batch: n) { c in
                            for s in 0..<n {
                                let start = (s * channels + c) * spatial
                                let (sum, dot) = Kernels.sumAndDot(dy.baseAddress! + start, xh.baseAddress! + start, count: spatial)
                                sums[c] += sum
                                dots[c] += dot
                            }
                        }
                    }
                }
            }
        }
        beta.gradient.resize(to: beta.value.shape)
        gamma.gradient.resize(to: gamma.value.shape)
        beta.gradient.withUnsafeMutableBufferPointer { db in for c in 0..<channels { db[c] = Float(gradientSum[c]) } }
        gamma.gradient.withUnsafeMutableBufferPointer { dg in for c in 0..<channels { dg[c] = Float(gradientDotNormalized[c]) } }
        // γ and β keep this process's sums (the trainer sums gradients itself); ∂L/∂x needs the global batch's.
        if let statisticsSum, trainingPass {
            if channelSums.count < 2 * channels { channelSums = [Double](repeating: 0, count: 2 * channels) }
            for c in 0..<channels { (channelSums[c], channelSums[channels + c]) = (gradientSum[c], gradientDotNormalized[c]) }
            try channelSums.withUnsafeMutableBufferPointer { try statisticsSum(UnsafeMutableBufferPointer(rebasing: $0[0..<(2 * channels)])) }
            for c in 0..<channels { (gradientSum[c], gradientDotNormalized[c]) = (channelSums[c], channelSums[channels + c]) }
            m = Float(statisticsCount)
        }
        var dx = inputGradient.takeBuffer()
        dx.resize(to: outputGradient.shape)
        let trainingPass = self.trainingPass
        outputGradient.withUnsafeBufferPointer { dy in
            xhat.withUnsafeBufferPointer { xh in
                dx.withUnsafeMutableBufferPointer { d in
                    gamma.value.withUnsafeBufferPointer { g in
                        forEachSpan(batch: n) { c, span in
                            let scale = g[c] * inverseDeviation[c]
                            let (sum, dot) = (Float(gradientSum[c]), Float(gradientDotNormalized[c]))
                            let (start, count) = (span.lowerBound, span.count)
                            if trainingPass {
                                Kernels.normalizationGradient(dy.baseAddress! + start, normalized: xh.baseAddress! + start, factor: scale / m, m: m,
                                                              sum: sum, dot: dot, into: d.baseAddress! + start, count: count)
                            } else {
                                Kernels.scale(dy.baseAddress! + start, by: scale, into: d.baseAddress! + start, count: count)
                            }
                        }
                    }
                }
            }
        }
        inputGradient = dx
        return dx
    }
}
