import NNCore

/// The sum of all elements (`axis == nil`, a scalar) or along one axis. Gradient: `gy` repeated
/// (broadcast) back to the input's shape — the texts' Sum node.
public final class Sum: Function {
    /// The axis, or `nil` for all elements.
    public let axis: Int?
    /// Whether the summed axis is kept with size 1.
    public let keepingDimension: Bool
    /// Creates the reduction.
    public init(axis: Int? = nil, keepingDimension: Bool = false) {
        self.axis = axis
        self.keepingDimension = keepingDimension
    }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] {
        guard let axis else { return [Tensor(scalar: x[0].sum())] }
        return [try x[0].sum(alongAxis: axis, keepingDimension: keepingDimension)]
    }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        var kept = inputs[0].shape
        if let axis { kept[axis] = 1 } else { kept = kept.map { _ in 1 } }
        return [try broadcast(try reshape(gy[0], kept), to: inputs[0].shape)]
    }
}
