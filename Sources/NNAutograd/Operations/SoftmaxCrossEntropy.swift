import NNCore

/// Mean cross-entropy of row-wise softmax against class indices: `L = −(1/N) Σₙ log softmax(x)ₙ,tₙ`.
/// Gradient: `(softmax(x) − onehot(t)) / N · gy` — the texts' `(y − t)/N`.
public final class SoftmaxCrossEntropy: Function {
    /// The class index of each row.
    public let labels: [Int]
    /// Creates the loss for `labels`.
    public init(labels: [Int]) { self.labels = labels }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] {
        let logits = x[0]
        guard logits.rank == 2, logits.shape[0] == labels.count, labels.allSatisfy({ (0..<logits.shape[1]).contains($0) }) else {
            throw TensorError.shapeMismatch(operation: "softmaxCrossEntropy", lhs: logits.shape, rhs: [labels.count],
                                            hint: "needs [N, C] scores and N labels in 0 ..< C")
        }
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        var probabilities = [Float](repeating: 0, count: logits.count)
        let total = logits.withUnsafeBufferPointer { x in
            probabilities.withUnsafeMutableBufferPointer { p in
                labels.withUnsafeBufferPointer { l in
                    Kernels.softmaxCrossEntropy(x.baseAddress!, rows: rows, columns: classes, labels: l.baseAddress!, into: p.baseAddress!)
                }
            }
        }
        return [Tensor(scalar: Float(total / Double(rows)))]
    }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let x = inputs[0]
        let classes = x.shape[1]
        var oneHot = [Float](repeating: 0, count: x.data.count)
        for (row, label) in labels.enumerated() { oneHot[row * classes + label] = 1 }
        let t = Variable(try Tensor(shape: x.shape, scalars: oneHot))
        return [try (softmax(x) - t) * (1 / Float(labels.count)) * gy[0]]
    }
}
