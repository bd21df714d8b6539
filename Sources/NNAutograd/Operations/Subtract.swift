import NNCore

/// `y = a − b` with broadcasting. Gradient: `gy` and `−gy`, summed back to each input's shape.
public final class Subtract: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0] - x[1]] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        [try sumTo(gy[0], inputs[0].shape), try sumTo(try negate(gy[0]), inputs[1].shape)]
    }
}
