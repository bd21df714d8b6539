import NNCore

/// Repeats `x` along broadcast dimensions to `shape`. Gradient: `gy` summed back to `x`'s shape.
public final class BroadcastTo: Function {
    /// The target shape.
    public let shape: [Int]
    /// Creates the broadcast.
    public init(_ shape: [Int]) { self.shape = shape }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].broadcast(to: shape)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try sumTo(gy[0], inputs[0].shape)] }
}
