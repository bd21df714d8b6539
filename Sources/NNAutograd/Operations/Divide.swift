import NNCore

/// `y = a / b` with broadcasting. Gradient: `gy / b` and `−gy · a / b²`.
public final class Divide: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0] / x[1]] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let (a, b) = (inputs[0], inputs[1])
        let ga = try gy[0] / b
        let gb = try negate(try gy[0] * a / (b * b))
        return [try sumTo(ga, a.shape), try sumTo(gb, b.shape)]
    }
}
