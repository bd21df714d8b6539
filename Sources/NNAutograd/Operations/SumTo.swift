import NNCore

/// Sums `x` over dimensions so that it has `shape` (the reverse of broadcasting). Gradient: `gy` broadcast back.
public final class SumTo: Function {
    /// The target shape.
    public let shape: [Int]
    /// Creates the reduction.
    public init(_ shape: [Int]) { self.shape = shape }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].summed(toShape: shape)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try broadcast(gy[0], to: inputs[0].shape)] }
}
