import NNCore

/// `y = x` with a new shape. Gradient: `gy` reshaped back.
public final class Reshape: Function {
    /// The output shape (one `-1` is inferred).
    public let shape: [Int]
    /// Creates the reshape.
    public init(_ shape: [Int]) { self.shape = shape }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].reshaped(shape)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try reshape(gy[0], inputs[0].shape)] }
}
