/// Rectified linear unit, `y = max(x, 0)`.
///
/// Shapes: any; output has the input's shape. Gradient: `∂L/∂x = ∂L/∂y` where `y > 0`, else 0
/// (the texts' mask).
public final class ReLU: RegistrableLayer {
    public static let typeName = "ReLU"
    public static let summary = "max(x, 0); backward masks where x ≤ 0"

    private var output: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let y = input.mapped(by: Kernels.relu)
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        return y.zipped(with: outputGradient, by: Kernels.reluBackward)
    }
}
