/// What a loss compares predictions with.
public enum Targets: Sendable {
    /// One class index per sample, `0 ..< C`.
    case classIndices([Int])
    /// A target tensor with the predictions' shape: one-hot rows `[N, C]`, or regression values.
    case tensor(Tensor)

    /// The number of samples.
    public var count: Int {
        switch self {
        case .classIndices(let labels): labels.count
        case .tensor(let tensor): tensor.shape.first ?? 0
        }
    }
}
