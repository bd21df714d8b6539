import NNCore

/// Row-wise softmax of `[N, C]`, numerically stable. Gradient: `y ⊙ (gy − Σ_c y ⊙ gy)`.
public final class SoftmaxFunction: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].softmaxRows()] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let y = output
        return [try y * (gy[0] - sum(y * gy[0], axis: 1, keepingDimension: true))]
    }
}
