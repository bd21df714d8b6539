import NNCore

extension Tensor {
    /// Sums over broadcast dimensions so the result has `target` shape (the reverse of broadcasting):
    /// leading extra dimensions are summed away and dimensions where `target` has 1 are summed, kept as 1.
    public func summed(toShape target: [Int]) throws -> Tensor {
        var result = self
        while result.rank > target.count { result = try result.sum(alongAxis: 0) }
        for axis in target.indices where target[axis] == 1 && result.shape[axis] != 1 {
            result = try result.sum(alongAxis: axis, keepingDimension: true)
        }
        guard result.shape == target else {
            throw TensorError.shapeMismatch(operation: "sumTo", lhs: shape, rhs: target, hint: "the shape does not broadcast to the target")
        }
        return result
    }

    /// This tensor broadcast to `target` (a copy).
    public func broadcast(to target: [Int]) throws -> Tensor {
        guard shape != target else { return self }
        guard Broadcasting.shape(shape, target) == target else {
            throw TensorError.shapeMismatch(operation: "broadcastTo", lhs: shape, rhs: target, hint: "the shape does not broadcast to the target")
        }
        return try Tensor.zeros(target) + self
    }
}
