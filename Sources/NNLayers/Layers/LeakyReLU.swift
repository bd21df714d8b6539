/// `y = x` for `x > 0`, else `αx`.
///
/// Shapes: any; output has the input's shape. Gradient: `∂L/∂y` times 1 where `y > 0`, else α (the output
/// tells the two apart for α ≥ 0, so only the output is kept).
public final class LeakyReLU: RegistrableLayer {
    public static let typeName = "LeakyReLU"
    public static let summary = "x if x > 0 else αx"
    public static let options = [LayerOption("alpha", .double, default: "0.01", "slope for x ≤ 0, ≥ 0")]

    /// The negative slope α.
    public let alpha: Float
    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer.
    public init(alpha: Float = 0.01) { self.alpha = alpha }
    public convenience init(configuration: LayerConfiguration) throws {
        let alpha = try configuration.double("alpha", default: 0.01)
        guard alpha >= 0 else { throw ConfigurationError.invalidValue(key: "alpha", value: "\(alpha)", requirement: "it must be ≥ 0") }
        self.init(alpha: Float(alpha))
    }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var y = output.takeBuffer()
        let a = alpha
        input.map(into: &y) { x, y, count in Kernels.leakyReLU(x, y, alpha: a, count: count) }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        var dx = inputGradient.takeBuffer()
        let a = alpha
        y.zip(with: outputGradient, into: &dx) { y, dy, dx, count in Kernels.leakyReLUBackward(output: y, dy, dx, alpha: a, count: count) }
        inputGradient = dx
        return dx
    }
}
