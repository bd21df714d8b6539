/// The sum node of the source texts: adds the rows of `[N, D]` into `[1, D]`.
///
/// Gradient: the upstream gradient is repeated to every branch, `∂L/∂xᵢ = ∂L/∂y` (shape `[N, D]`).
public final class SumNode {
    private var rows: Int?

    /// Creates the node.
    public init() {}

    /// `[N, D]` → `[1, D]`.
    public func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else { throw LayerError.inputShape(layer: "SumNode", expected: "[N, D]", got: x.shape) }
        rows = x.shape[0]
        return try x.sum(alongAxis: 0, keepingDimension: true)
    }

    /// `[1, D]` → `[N, D]` by repetition.
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let rows else { throw LayerError.backwardWithoutForward(layer: "SumNode") }
        guard outputGradient.rank == 2, outputGradient.shape[0] == 1 else {
            throw LayerError.gradientShape(layer: "SumNode", expected: [1, -1], got: outputGradient.shape)
        }
        return try RepeatNode(count: rows).forward(outputGradient)
    }
}
