/// Logistic sigmoid, `y = 1 / (1 + e^{−x})`.
///
/// Shapes: any; output has the input's shape. Gradient: `∂L/∂x = ∂L/∂y · y(1 − y)`.
public final class Sigmoid: RegistrableLayer {
    public static let typeName = "Sigmoid"
    public static let summary = "1 / (1 + exp(-x)); backward dy·y(1−y)"

    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var y = output.takeBuffer()
        input.map(into: &y, by: Kernels.sigmoid)
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        var dx = inputGradient.takeBuffer()
        y.zip(with: outputGradient, into: &dx, by: Kernels.sigmoidBackward)
        inputGradient = dx
        return dx
    }
}
