import NNCore

/// `y = √x`. Gradient: `gy / (2y)`.
public final class SquareRoot: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].map { $0.squareRoot() }] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try gy[0] / (output * 2)] }
}
