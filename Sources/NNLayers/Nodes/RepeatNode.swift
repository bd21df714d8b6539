/// The repeat (branch) node of the source texts: copies a `[1, D]` row `count` times into `[count, D]`.
///
/// Gradient: the branches' gradients are summed, `∂L/∂x = Σᵢ ∂L/∂yᵢ` (shape `[1, D]`).
public final class RepeatNode {
    /// How many copies the forward pass makes.
    public let count: Int

    /// Creates a node making `count` copies.
    public init(count: Int) {
        self.count = count
    }

    /// `[1, D]` → `[count, D]`.
    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2, x.shape[0] == 1 else {
            throw LayerError.inputShape(layer: "RepeatNode", expected: "[1, D]", got: x.shape)
        }
        return try Tensor.zeros([count, x.shape[1]]) + x
    }

    /// `[count, D]` → `[1, D]` by summing the rows.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard outputGradient.rank == 2, outputGradient.shape[0] == count else {
            throw LayerError.gradientShape(layer: "RepeatNode", expected: [count, -1], got: outputGradient.shape)
        }
        return try outputGradient.sum(alongAxis: 0, keepingDimension: true)
    }
}
