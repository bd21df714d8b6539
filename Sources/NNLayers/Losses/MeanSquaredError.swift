/// Half the squared error, averaged over the batch: `L = (1/2N) Σₙ Σᵢ (y_{ni} − t_{ni})²`.
///
/// Shapes: predictions and targets `[N, …]` of equal shape. Gradient: `∂L/∂y = (y − t) / N`.
public final class MeanSquaredError: Loss {
    public static let typeName = "MeanSquaredError"
    public static let takesTargetValues = true

    private var difference: Tensor?

    /// Creates the loss.
    public init() {}

    public func forward(_ prediction: Tensor, targets: Targets) throws -> Float {
        let t: Tensor
        switch targets {
        case .tensor(let tensor): t = tensor
        case .classIndices(let labels):
            // Class indices become one-hot rows, as the book's MSE on MNIST does.
            guard prediction.rank == 2, labels.count == prediction.shape[0] else {
                throw LayerError.targets(loss: Self.typeName, message: "\(labels.count) labels for predictions \(prediction.shape)")
            }
            var oneHot = try Tensor.zeros(prediction.shape)
            for (n, label) in labels.enumerated() {
                guard label >= 0, label < prediction.shape[1] else {
                    throw LayerError.targets(loss: Self.typeName, message: "label \(label) of sample \(n) is not in 0..<\(prediction.shape[1])")
                }
                oneHot[n, label] = 1
            }
            t = oneHot
        }
        guard t.shape == prediction.shape else {
            throw LayerError.targets(loss: Self.typeName, message: "targets of shape \(t.shape) for predictions \(prediction.shape)")
        }
        let rows = prediction.shape.first ?? 0
        guard rows > 0 else { throw LayerError.targets(loss: Self.typeName, message: "the batch is empty") }
        let d = try prediction - t
        difference = d
        let squares = d.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
        return Float(0.5 * squares / Double(rows))
    }

    public func backward() throws -> Tensor {
        guard let difference else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        return difference * (1 / Float(difference.shape[0]))
    }
}
