import NNCore

/// The 2-D transpose `y = xᵀ`. Gradient: `gyᵀ`.
public final class Transpose: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].transposed()] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try transpose(gy[0])] }
}
