/// Batch normalisation over the batch (and, for images, the spatial positions) of each feature or channel.
///
/// Shapes: `[N, D]` (per feature) or `[N, C, H, W]` (per channel); `γ`, `β`, and the buffers `running_mean`,
/// `running_var` have shape `[D]` or `[C]`. In training, with the `M` values of a channel,
/// `x̂ = (x − μ)/√(σ² + ε)` (biased σ²), `y = γx̂ + β`, and the running statistics move by `momentum`
/// (`running_var` takes the unbiased `σ²·M/(M − 1)`). In inference the running statistics replace μ and σ².
///
/// Gradients (training): `∂L/∂β = Σ ∂L/∂y`, `∂L/∂γ = Σ ∂L/∂y · x̂`,
/// `∂L/∂x = γ/(M·√(σ² + ε)) · (M·∂L/∂y − Σ ∂L/∂y − x̂ · Σ ∂L/∂y·x̂)`.
public final class BatchNorm: RegistrableLayer {
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

    private var normalized: Tensor?
    private var inverseDeviation: [Float] = []
    private var trainingPass = false

    /// Creates the layer for samples `[D]` or `[C, H, W]`.
    public init(sampleShape: [Int], momentum: Float = 0.1, epsilon: Float = 1e-5) throws {
        guard sampleShape.count == 1 || sampleShape.count == 3, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "[D] or [C, H, W]", got: sampleShape)
        }
        self.sampleShape = sampleShape
        self.momentum = momentum
        self.epsilon = epsilon
        let channels = sampleShape[0]
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

    /// Calls `body(channel, range)` for each sample's contiguous span of each channel, in memory order.
    @inline(__always)
    private func forEachSpan(batch n: Int, _ body: (Int, Range<Int>) -> Void) {
        let (channels, spatial) = layout
        for s in 0..<n {
            for c in 0..<channels {
                let base = (s * channels + c) * spatial
                body(c, base..<(base + spatial))
            }
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == sampleShape.count + 1, Array(input.shape.dropFirst()) == sampleShape, input.shape[0] > 0 else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N] + \(sampleShape)", got: input.shape)
        }
        let n = input.shape[0]
        let (channels, spatial) = layout
        let m = n * spatial
        trainingPass = training
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        if training {
            guard m > 1 else { throw LayerError.inputShape(layer: Self.typeName, expected: "more than one value per channel in training", got: input.shape) }
            input.withUnsafeBufferPointer { x in
                for c in 0..<channels {
                    var sum = 0.0, squares = 0.0
                    for s in 0..<n {
                        let base = x.baseAddress! + (s * channels + c) * spatial
                        for p in 0..<spatial { sum += Double(base[p]) }
                    }
                    let mu = sum / Double(m)
                    for s in 0..<n {
                        let base = x.baseAddress! + (s * channels + c) * spatial
                        for p in 0..<spatial { squares += (Double(base[p]) - mu) * (Double(base[p]) - mu) }
                    }
                    mean[c] = Float(mu)
                    variance[c] = Float(squares / Double(m))
                }
            }
            let unbiased = Float(m) / Float(m - 1)
            runningMean.value = try Tensor(shape: [channels], scalars: (0..<channels).map { (1 - momentum) * runningMean.value.scalars[$0] + momentum * mean[$0] })
            runningVariance.value = try Tensor(shape: [channels], scalars: (0..<channels).map { (1 - momentum) * runningVariance.value.scalars[$0] + momentum * variance[$0] * unbiased })
        } else {
            mean = runningMean.value.scalars
            variance = runningVariance.value.scalars
        }
        inverseDeviation = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let (g, b) = (gamma.value.scalars, beta.value.scalars)
        var xhat = input
        var y = input
        xhat.withUnsafeMutableBufferPointer { xh in
            y.withUnsafeMutableBufferPointer { out in
                forEachSpan(batch: n) { c, span in
                    for p in span {
                        xh[p] = (xh[p] - mean[c]) * inverseDeviation[c]
                        out[p] = g[c] * xh[p] + b[c]
                    }
                }
            }
        }
        normalized = xhat
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let xhat = try checkGradient(outputGradient, matches: normalized, layer: Self.typeName)
        let n = xhat.shape[0]
        let (channels, spatial) = layout
        let m = Float(n * spatial)
        var sumDy = [Double](repeating: 0, count: channels), sumDyX = [Double](repeating: 0, count: channels)
        outputGradient.withUnsafeBufferPointer { dy in
            xhat.withUnsafeBufferPointer { xh in
                forEachSpan(batch: n) { c, span in
                    for p in span {
                        sumDy[c] += Double(dy[p])
                        sumDyX[c] += Double(dy[p]) * Double(xh[p])
                    }
                }
            }
        }
        beta.gradient = try Tensor(shape: [channels], scalars: sumDy.map(Float.init))
        gamma.gradient = try Tensor(shape: [channels], scalars: sumDyX.map(Float.init))
        let g = gamma.value.scalars
        var dx = outputGradient
        xhat.withUnsafeBufferPointer { xh in
            dx.withUnsafeMutableBufferPointer { d in
                forEachSpan(batch: n) { c, span in
                    let scale = g[c] * inverseDeviation[c]
                    for p in span {
                        d[p] = trainingPass
                            ? scale / m * (m * d[p] - Float(sumDy[c]) - xh[p] * Float(sumDyX[c]))
                            : scale * d[p]
                    }
                }
            }
        }
        return dx
    }
}
