/// What the GEMM does to each element of `C` after the product is complete (`GEMM.Epilogue`).
public enum TileEpilogue {
    /// Nothing.
    case none
    /// Add `bias[j]` to every row (a pointer to `n` values).
    case bias(UnsafePointer<Float>)
    /// Add `bias[j]`, then apply `max(·, 0)`.
    case biasReLU(UnsafePointer<Float>)
    /// Apply `max(·, 0)`.
    case relu

    /// The same epilogue for the columns after the first `count` (its bias starts `count` values later).
    @inlinable
    public func droppingColumns(_ count: Int) -> TileEpilogue {
        switch self {
        case .none, .relu: self
        case .bias(let bias): .bias(bias + count)
        case .biasReLU(let bias): .biasReLU(bias + count)
        }
    }
}
