extension Tensor {
    /// A tensor of normal samples with the given mean and standard deviation (computed in `Double`).
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1, generator: inout SeededGenerator
    ) throws(TensorError) -> Tensor {
        let count = try elementCount(of: shape)
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = Float(Double(mean) + Double(standardDeviation) * generator.nextNormal()) }
        return Tensor(uncheckedShape: shape, scalars: values)
    }

    /// A tensor of uniform samples in `[low, high)`.
    public static func randomUniform(
        _ shape: [Int], low: Float = 0, high: Float = 1, generator: inout SeededGenerator
    ) throws(TensorError) -> Tensor {
        let count = try elementCount(of: shape)
        var values = [Float](repeating: 0, count: count)
        let width = Double(high) - Double(low)
        for i in 0..<count { values[i] = Float(Double(low) + width * generator.nextUnitDouble()) }
        return Tensor(uncheckedShape: shape, scalars: values)
    }
}
