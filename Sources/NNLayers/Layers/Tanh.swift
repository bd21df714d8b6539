/// Hyperbolic tangent, `y = tanh(x)`.
///
/// Shapes: any; output has the input's shape. Gradient: `∂L/∂x = ∂L/∂y · (1 − y²)`.
public final class Tanh: RegistrableLayer {
    public static let typeName = "Tanh"
    public static let summary = "tanh(x); backward dy·(1−y²)"

    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var y = output.takeBuffer()
        input.map(into: &y, by: Kernels.tanh)
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        var dx = inputGradient.takeBuffer()
        y.zip(with: outputGradient, into: &dx, by: Kernels.tanhBackward)
        inputGradient = dx
        return dx
    }
}
