/// Inverted dropout: in training, each element is kept with probability `1 − p` and scaled by `1/(1 − p)`;
/// in inference, `y = x`. Gradient: `∂L/∂y` times the same mask.
///
/// The mask of the k-th training call comes from a generator seeded by the layer's seed and `k`, and `k` is
/// saved as the buffer `calls`, so a resumed run draws the same masks as an uninterrupted one.
public final class Dropout: RegistrableLayer {
    public static let typeName = "Dropout"
    public static let summary = "Zeroes elements with probability p in training (seeded), identity in inference"
    public static let options = [LayerOption("rate", .double, default: "0.5", "drop probability p in [0, 1)")]

    /// The drop probability.
    public let rate: Float
    /// Training calls so far (a buffer, saved in checkpoints).
    public let calls = Parameter(Tensor([0]))
    private let seed: UInt64
    private var mask: Tensor?
    private var output: Tensor?
    private var inputGradient: Tensor?
    /// Whether the latest forward pass dropped anything (training with `rate > 0`).
    private var masked = false

    /// Creates the layer.
    public init(rate: Float = 0.5, seed: UInt64 = 0) {
        self.rate = rate
        self.seed = seed
    }
    public convenience init(configuration: LayerConfiguration) throws {
        let rate = try configuration.double("rate", default: 0.5)
        guard rate >= 0, rate < 1 else { throw ConfigurationError.invalidValue(key: "rate", value: "\(rate)", requirement: "it must be in [0, 1)") }
        self.init(rate: Float(rate), seed: configuration.seed)
    }

    public var buffers: [NamedParameter] { [NamedParameter("calls", calls)] }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard training, rate > 0 else {
            masked = false
            return input
        }
        let call = calls.value.withUnsafeMutableBufferPointer { count in
            defer { count[0] += 1 }
            return UInt64(count[0])
        }
        var generator = SeededGenerator(seed: seed ^ (call &* 0x9E37_79B9_7F4A_7C15))
        let (p, scale) = (Double(rate), 1 / (1 - rate))
        var m = mask.takeBuffer()
        m.resize(to: input.shape)
        m.withUnsafeMutableBufferPointer { m in
            for i in 0..<m.count { m[i] = generator.nextUnitDouble() < p ? 0 : scale }
        }
        var y = output.takeBuffer()
        input.zip(with: m, into: &y) { Kernels.binary(.multiply, $0, $1, $2, count: $3) }
        mask = m
        masked = true
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard masked, let mask else { return outputGradient }
        guard outputGradient.shape == mask.shape else { throw LayerError.gradientShape(layer: Self.typeName, expected: mask.shape, got: outputGradient.shape) }
        var dx = inputGradient.takeBuffer()
        outputGradient.zip(with: mask, into: &dx) { Kernels.binary(.multiply, $0, $1, $2, count: $3) }
        inputGradient = dx
        return dx
    }
}
