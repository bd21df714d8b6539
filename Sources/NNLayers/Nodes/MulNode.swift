/// The multiplication node of the source texts: `z = x ⊙ y` (elementwise) for inputs of the same shape.
///
/// Gradient: the inputs swap, `∂L/∂x = ∂L/∂z ⊙ y` and `∂L/∂y = ∂L/∂z ⊙ x`.
public final class MulNode {
    private var inputs: (Tensor, Tensor)?

    /// Creates the node.
    public init() {}

    /// `x ⊙ y`.
    /// - Throws: `TensorError.shapeMismatch` when the shapes differ.
    public func forward(_ x: Tensor, _ y: Tensor) throws -> Tensor {
        guard x.shape == y.shape else {
            throw TensorError.shapeMismatch(operation: "MulNode", lhs: x.shape, rhs: y.shape, hint: "inputs must have the same shape")
        }
        inputs = (x, y)
        return try x * y
    }

    /// `(∂L/∂z ⊙ y, ∂L/∂z ⊙ x)`.
    public func backward(_ outputGradient: Tensor) throws -> (Tensor, Tensor) {
        guard let (x, y) = inputs else { throw LayerError.backwardWithoutForward(layer: "MulNode") }
        guard outputGradient.shape == x.shape else {
            throw LayerError.gradientShape(layer: "MulNode", expected: x.shape, got: outputGradient.shape)
        }
        return (try outputGradient * y, try outputGradient * x)
    }
}
