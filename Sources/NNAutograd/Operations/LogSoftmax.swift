import NNCore

/// Row-wise `log softmax(x)` of `[N, C]`, computed as `x − max − log Σ exp(x − max)`.
/// Gradient: `gy − softmax(x) ⊙ Σ_c gy`.
public final class LogSoftmax: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].logSoftmaxRows()] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        [try gy[0] - exp(output) * sum(gy[0], axis: 1, keepingDimension: true)]
    }
}
