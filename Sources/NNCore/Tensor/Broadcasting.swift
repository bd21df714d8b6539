/// NumPy broadcasting rules: shapes are aligned at their last dimension, and a dimension of 1
/// (or a missing one) stretches to match the other.
public enum Broadcasting {
    /// The shape of `lhs ⊕ rhs`, or `nil` when they do not broadcast.
    public static func shape(_ lhs: [Int], _ rhs: [Int]) -> [Int]? {
        let rank = max(lhs.count, rhs.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let a = i < rank - lhs.count ? 1 : lhs[i - (rank - lhs.count)]
            let b = i < rank - rhs.count ? 1 : rhs[i - (rank - rhs.count)]
            if a == b || b == 1 { result[i] = a } else if a == 1 { result[i] = b } else { return nil }
        }
        return result
    }

    /// Row-major strides of `shape` stretched to `target`: broadcast dimensions get stride 0.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in (0..<shape.count).reversed() {
            let t = i + target.count - shape.count
            strides[t] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }
}
