import NNCore

/// `y = −x`. Gradient: `−gy`.
public final class Negate: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [-x[0]] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try negate(gy[0])] }
}
