/// How a weight matrix `[fanIn, fanOut]` is filled before training.
///
/// Xavier/Glorot keeps activations' variance for tanh and sigmoid (σ² = 2 / (fanIn + fanOut));
/// He keeps it for ReLU (σ² = 2 / fanIn). The uniform forms draw from ±√(3σ²).
public enum WeightInitializer: String, Sendable, CaseIterable {
    case xavier, xavierUniform = "xavier_uniform", he, heUniform = "he_uniform"
    /// Normal with σ = 0.01, as the book's first networks use.
    case small

    /// A tensor of `shape` whose first dimension is `fanIn` and last `fanOut`.
    public func makeWeight(shape: [Int], fanIn: Int, fanOut: Int, seed: UInt64) throws(TensorError) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        let variance: Float
        switch self {
        case .xavier, .xavierUniform: variance = 2 / Float(Swift.max(fanIn + fanOut, 1))
        case .he, .heUniform: variance = 2 / Float(Swift.max(fanIn, 1))
        case .small: variance = 1e-4
        }
        switch self {
        case .xavier, .he, .small:
            return try .randomNormal(shape, standardDeviation: variance.squareRoot(), generator: &generator)
        case .xavierUniform, .heUniform:
            let limit = (3 * variance).squareRoot()
            return try .randomUniform(shape, low: -limit, high: limit, generator: &generator)
        }
    }
}
