#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax followed by cross-entropy, as one node (the texts' Softmax-with-Loss).
///
/// Forward: `y = softmax(x)` row-wise, `L = −(1/N) Σₙ Σ_c t_{nc} log(y_{nc} + 1e-7)`.
/// Targets are class indices or one-hot rows. Gradient: `∂L/∂x = (y − t) / N`.
public final class SoftmaxWithLoss: Loss {
    public static let typeName = "SoftmaxWithLoss"

    /// The softmax probabilities of the latest forward pass, `[N, C]`.
    public private(set) var probabilities: Tensor?
    private var targets: Targets?
    private var inputGradient: Tensor?

    /// Creates the loss.
    public init() {}

    public func forward(_ prediction: Tensor, targets: Targets) throws -> Float {
        guard prediction.rank == 2 else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N, C]", got: prediction.shape)
        }
        let (rows, classes) = (prediction.shape[0], prediction.shape[1])
        guard rows > 0 else { throw LayerError.targets(loss: Self.typeName, message: "the batch is empty") }
        var y = probabilities.takeBuffer()
        y.resize(to: prediction.shape)
        prediction.withUnsafeBufferPointer { p in
            y.withUnsafeMutableBufferPointer { q in Kernels.softmaxRows(p.baseAddress!, rows: rows, columns: classes, into: q.baseAddress!) }
        }
        var total: Double = 0
        switch targets {
        case .classIndices(let labels):
            guard labels.count == rows else {
                throw LayerError.targets(loss: Self.typeName, message: "\(labels.count) labels for \(rows) predictions")
            }
            for (n, label) in labels.enumerated() {
                guard label >= 0, label < classes else {
                    throw LayerError.targets(loss: Self.typeName, message: "label \(label) of sample \(n) is not in 0..<\(classes)")
                }
                total -= Double(logf(y.scalars[n * classes + label] + 1e-7))
            }
        case .tensor(let t):
            guard t.shape == prediction.shape else {
                throw LayerError.targets(loss: Self.typeName, message: "targets of shape \(t.shape) for predictions \(prediction.shape)")
            }
            for i in 0..<t.count where t.scalars[i] != 0 {
                total -= Double(t.scalars[i]) * Double(logf(y.scalars[i] + 1e-7))
            }
        }
        probabilities = y
        self.targets = targets
        return Float(total / Double(rows))
    }

    public func backward() throws -> Tensor {
        guard let probabilities, let targets else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let (rows, classes) = (probabilities.shape[0], probabilities.shape[1])
        var dx = inputGradient.takeBuffer()
        dx.resize(to: probabilities.shape)
        dx.withUnsafeMutableBufferPointer { d in
            probabilities.withUnsafeBufferPointer { d.baseAddress!.update(from: $0.baseAddress!, count: d.count) }
            switch targets {
            case .classIndices(let labels):
                for (n, label) in labels.enumerated() { d[n * classes + label] -= 1 }
            case .tensor(let t):
                t.withUnsafeBufferPointer { Kernels.binary(.subtract, d.baseAddress!, $0.baseAddress!, d.baseAddress!, count: d.count) }
            }
            Kernels.scale(d.baseAddress!, by: 1 / Float(rows), count: d.count)
        }
        inputGradient = dx
        // Releasing the labels lets the trainer refill its label buffer in place.
        self.targets = nil
        return dx
    }
}
