import NNCore

/// Softmax followed by cross-entropy, as one node (the texts' Softmax-with-Loss).
///
/// Forward: `y = softmax(x)` row-wise and `L = −(1/N) Σₙ Σ_c t_{nc} log y_{nc}`, with `log y` computed as
/// `x − max − log Σ exp(x − max)` in the same pass (exact log-softmax: no `+ 1e-7` inside the logarithm, so a
/// confident wrong answer costs what it should). Targets are class indices or rows of a distribution (one-hot or
/// soft). Gradient: `∂L/∂x = (y − t) / N`.
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
        let total: Double
        switch targets {
        case .classIndices(let labels):
            guard labels.count == rows else {
                throw LayerError.targets(loss: Self.typeName, message: "\(labels.count) labels for \(rows) predictions")
            }
            for (n, label) in labels.enumerated() where label < 0 || label >= classes {
                throw LayerError.targets(loss: Self.typeName, message: "label \(label) of sample \(n) is not in 0..<\(classes)")
            }
            total = prediction.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { p in
                    labels.withUnsafeBufferPointer { l in
                        Kernels.softmaxCrossEntropy(x.baseAddress!, rows: rows, columns: classes, labels: l.baseAddress!, into: p.baseAddress!)
                    }
                }
            }
        case .tensor(let t):
            guard t.shape == prediction.shape else {
                throw LayerError.targets(loss: Self.typeName, message: "targets of shape \(t.shape) for predictions \(prediction.shape)")
            }
            total = prediction.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { p in
                    t.withUnsafeBufferPointer { t in
                        Kernels.softmaxCrossEntropy(x.baseAddress!, rows: rows, columns: classes, targets: t.baseAddress!, into: p.baseAddress!)
                    }
                }
            }
        }
        probabilities = y
        self.targets = targets
        return Float(total / Double(rows))
    }

    public func backward() throws -> Tensor {
        guard let probabilities, let targets else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let classes = probabilities.shape[1]
        let scale = 1 / Float(probabilities.shape[0])
        var dx = inputGradient.takeBuffer()
        switch targets {
        case .classIndices(let labels):
            probabilities.map(into: &dx) { y, d, count in Kernels.scale(y, by: scale, into: d, count: count) }
            dx.withUnsafeMutableBufferPointer { d in
                for (n, label) in labels.enumerated() { d[n &* classes &+ label] -= scale }
            }
        case .tensor(let t):
            probabilities.zip(with: t, into: &dx) { y, t, d, count in Kernels.scaledDifference(y, t, by: scale, into: d, count: count) }
        }
        inputGradient = dx
        // Releasing the labels lets the trainer refill its label buffer in place.
        self.targets = nil
        return dx
    }
}
