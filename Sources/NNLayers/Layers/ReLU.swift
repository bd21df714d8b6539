/// Rectified linear unit, `y = max(x, 0)`.
///
/// Shapes: any; output has the input's shape. Gradient: `∂L/∂x = ∂L/∂y` where `y > 0`, else 0
/// (the texts' mask).
public final class ReLU: RegistrableLayer {
    public static let typeName = "ReLU"
    public static let summary = "max(x, 0); backward masks where x ≤ 0"

    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var y = output.takeBuffer()
        input.map(into: &y, by: Kernels.relu)
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        var dx = inputGradient.takeBuffer()
        y.zip(with: outputGradient, into: &dx, by: Kernels.reluBackward)
        inputGradient = dx
        return dx
    }
}
