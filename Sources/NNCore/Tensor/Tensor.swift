/// A dense, row-major array of `Float` with a shape.
///
/// `Tensor` has value semantics: copies share storage until one of them is mutated (copy-on-write, through
/// the underlying `[Float]`). Shapes are arrays of non-negative dimensions; a scalar has shape `[]`.
/// The first dimension of a batch is the sample index (`[N, D]` for features, `[N, C, H, W]` for images).
public struct Tensor: Sendable, Equatable, Hashable {
    /// The dimensions, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public private(set) var scalars: [Float]

    /// Creates a tensor from scalars in row-major order.
    /// - Throws: `TensorError.countMismatch` if `scalars.count` differs from the shape's element count.
    public init(shape: [Int], scalars: [Float]) throws(TensorError) {
        let expected = try Tensor.elementCount(of: shape)
        guard expected == scalars.count else {
            throw .countMismatch(shape: shape, expected: expected, count: scalars.count)
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) throws(TensorError) {
        let count = try Tensor.elementCount(of: shape)
        self.shape = shape
        self.scalars = [Float](repeating: value, count: count)
    }

    /// Internal initializer for shapes already known to be valid.
    @usableFromInline
    init(uncheckedShape shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "internal: shape \(shape) does not hold \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// Creates a tensor whose elements `body` writes, without zero-filling first.
    ///
    /// `body` must initialise every element; `shape` must be valid (it is checked with a precondition,
    /// as it comes from code, not from user data).
    public init(
        unsafeUninitializedShape shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) throws -> Void
    ) rethrows {
        let count = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "internal: invalid shape \(shape)")
        self.shape = shape
        self.scalars = try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try body(buffer)
            initialized = count
        }
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(repeating: 0, shape: shape)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) throws(TensorError) -> Tensor {
        try Tensor(repeating: 1, shape: shape)
    }

    /// Zeros with the shape of `other` (whose shape is known to be valid).
    public init(uncheckedZerosLike other: Tensor) {
        self.init(uncheckedShape: other.shape, scalars: [Float](repeating: 0, count: other.count))
    }

    /// Ones with the shape of `other` (whose shape is known to be valid).
    public init(uncheckedOnesLike other: Tensor) {
        self.init(uncheckedShape: other.shape, scalars: [Float](repeating: 1, count: other.count))
    }

    /// A rank-0 tensor holding `value`.
    public init(scalar value: Float) {
        self.init(uncheckedShape: [], scalars: [value])
    }

    /// A rank-1 tensor holding `values`.
    public init(_ values: [Float]) {
        self.init(uncheckedShape: [values.count], scalars: values)
    }

    /// A rank-2 tensor from nested rows; all rows must have the same length.
    public init(rows: [[Float]]) throws(TensorError) {
        let width = rows.first?.count ?? 0
        for row in rows where row.count != width {
            throw .shapeMismatch(operation: "Tensor(rows:)", lhs: [width], rhs: [row.count], hint: "rows differ in length")
        }
        self.init(uncheckedShape: [rows.count, width], scalars: rows.flatMap { $0 })
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The product of `shape`, checked for negative dimensions and overflow.
    public static func elementCount(of shape: [Int]) throws(TensorError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidShape(shape) }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= Int(Int32.max) * 8 else { throw .invalidShape(shape) }
            count = product
        }
        return count
    }

    /// The element at a multi-dimensional index (for tests and small tensors; not for hot loops).
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var flat = 0
        for (i, dimension) in zip(index, shape) {
            precondition(i >= 0 && i < dimension, "index \(index) is out of range for shape \(shape)")
            flat = flat * dimension + i
        }
        return flat
    }

    /// Calls `body` with a read-only pointer to the elements.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the elements (copying first if the storage is shared).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// Resizes to `[batch] + sampleShape` like `resize(to:)`, without building a new shape array when the
    /// shape is already that (the common case for a buffer reused from one batch to the next).
    public mutating func resize(batch: Int, sampleShape: [Int]) {
        if shape.count == sampleShape.count + 1, shape.first == batch, shape.dropFirst().elementsEqual(sampleShape) { return }
        resize(to: [batch] + sampleShape)
    }

    /// Replaces the shape and storage size, reusing the existing allocation when it is large enough.
    ///
    /// The contents after a resize are unspecified; layers use this to keep their output buffers
    /// from one batch to the next without allocating.
    public mutating func resize(to newShape: [Int]) {
        let count = newShape.reduce(1, *)
        if shape != newShape { shape = newShape }
        if scalars.count != count {
            if scalars.count > count {
                scalars.removeLast(scalars.count - count)
            } else {
                scalars.append(contentsOf: repeatElement(0, count: count - scalars.count))
            }
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// A short description: the shape and up to eight leading values.
    public var description: String {
        let head = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(head)\(scalars.count > 8 ? ", …" : "")])"
    }
}
