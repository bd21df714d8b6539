/// The addition node of the source texts: `z = x + y` for two inputs of the same shape.
///
/// Gradient: the upstream gradient passes through unchanged to both inputs, `∂L/∂x = ∂L/∂y = ∂L/∂z`.
public final class AddNode {
    private var shape: [Int]?

    /// Creates the node.
    public init() {}

    /// `x + y`.
    /// - Throws: `TensorError.shapeMismatch` when the shapes differ.
    public func forward(_ x: Tensor, _ y: Tensor) throws -> Tensor {
        guard x.shape == y.shape else {
            throw TensorError.shapeMismatch(operation: "AddNode", lhs: x.shape, rhs: y.shape, hint: "inputs must have the same shape")
        }
        shape = x.shape
        return try x + y
    }

    /// `(∂L/∂z, ∂L/∂z)`.
    public func backward(_ outputGradient: Tensor) throws -> (Tensor, Tensor) {
        guard let shape else { throw LayerError.backwardWithoutForward(layer: "AddNode") }
        guard outputGradient.shape == shape else {
            throw LayerError.gradientShape(layer: "AddNode", expected: shape, got: outputGradient.shape)
        }
        return (outputGradient, outputGradient)
    }
}
