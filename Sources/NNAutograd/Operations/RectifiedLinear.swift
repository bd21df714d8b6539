import NNCore

/// `y = max(x, 0)`. Gradient: `gy` where `x > 0`, else 0 (the mask is a constant).
public final class RectifiedLinear: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].map { $0 > 0 ? $0 : 0 }] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        [try gy[0] * Variable(inputs[0].data.map { $0 > 0 ? 1 : 0 })]
    }
}
