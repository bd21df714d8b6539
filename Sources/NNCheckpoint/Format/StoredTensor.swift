/// A named tensor as a checkpoint stores it: a shape and F32 values in row-major order.
public struct StoredTensor: Sendable, Equatable {
    /// The dimensions (empty for a scalar).
    public var shape: [Int]
    /// The values, `shape.reduce(1, *)` of them.
    public var values: [Float]
    /// The element type it was stored as (`F32` when written by NNKit).
    public var storedType: DType

    /// Creates a tensor; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Float], storedType: DType = .f32) {
        precondition(shape.reduce(1, *) == values.count, "internal: StoredTensor shape and value count differ")
        self.shape = shape
        self.values = values
        self.storedType = storedType
    }
}
