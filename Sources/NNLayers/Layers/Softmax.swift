/// Row-wise softmax, `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`, computed stably.
///
/// Shapes: `[N, C]` → `[N, C]`. Gradient: `∂L/∂xᵢ = yᵢ (∂L/∂yᵢ − Σⱼ ∂L/∂yⱼ yⱼ)`.
/// For classification use `SoftmaxWithLoss`, whose fused gradient is simpler and more accurate.
public final class Softmax: RegistrableLayer {
    public static let typeName = "Softmax"
    public static let summary = "Row-wise softmax over the last dimension of [N, C]"

    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws {
        guard configuration.inputShape.count == 1 else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "[C] (flatten first)", got: configuration.inputShape)
        }
        self.init()
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 1 else { throw LayerError.inputShape(layer: Self.typeName, expected: "[C]", got: shape) }
        return shape
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == 2 else { throw LayerError.inputShape(layer: Self.typeName, expected: "[N, C]", got: input.shape) }
        let (rows, columns) = (input.shape[0], input.shape[1])
        var y = output.takeBuffer()
        input.map(into: &y) { x, y, _ in Kernels.softmaxRows(x, rows: rows, columns: columns, into: y) }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        let (rows, columns) = (y.shape[0], y.shape[1])
        var dx = inputGradient.takeBuffer()
        y.zip(with: outputGradient, into: &dx) { y, dy, dx, _ in
            for r in 0..<rows {
                let offset = r * columns
                var dot: Float = 0
                for c in 0..<columns { dot += dy[offset + c] * y[offset + c] }
                for c in 0..<columns { dx[offset + c] = y[offset + c] * (dy[offset + c] - dot) }
            }
        }
        inputGradient = dx
        return dx
    }
}
