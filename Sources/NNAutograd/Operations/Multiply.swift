import NNCore

/// `y = a ⊙ b` with broadcasting. Gradient: the inputs swap, `gy ⊙ b` and `gy ⊙ a`.
public final class Multiply: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0] * x[1]] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let (a, b) = (inputs[0], inputs[1])
        return [try sumTo(try gy[0] * b, a.shape), try sumTo(try gy[0] * a, b.shape)]
    }
}
