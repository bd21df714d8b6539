extension Tensor {
    /// The sum of all elements (accumulated in `Double`).
    public func sum() -> Float {
        withUnsafeBufferPointer { Float(Kernels.sum($0.baseAddress!, count: $0.count)) }
    }

    /// The mean of all elements.
    public func mean() throws(TensorError) -> Float {
        guard count > 0 else { throw .empty(operation: "mean") }
        return sum() / Float(count)
    }

    /// The largest element.
    public func max() throws(TensorError) -> Float {
        guard let value = scalars.max() else { throw .empty(operation: "max") }
        return value
    }

    /// Sums along `axis`; with `keepingDimension` the axis stays with size 1 (as NumPy's `keepdims`).
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) throws(TensorError) -> Tensor {
        guard axis >= 0, axis < rank else { throw .axisOutOfRange(operation: "sum", axis: axis, shape: shape) }
        let outer = shape[..<axis].reduce(1, *)
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var result = [Float](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                Kernels.sumAxis(source.baseAddress!, outer: outer, length: length, inner: inner, into: target.baseAddress!)
            }
        }
        var newShape = shape
        if keepingDimension { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        return Tensor(uncheckedShape: newShape, scalars: result)
    }

    /// The mean along `axis`.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) throws(TensorError) -> Tensor {
        let total = try sum(alongAxis: axis, keepingDimension: keepingDimension)
        guard shape[axis] > 0 else { throw .empty(operation: "mean") }
        return total * (1 / Float(shape[axis]))
    }

    /// For a rank-2 tensor `[N, C]`, the index of the largest element of each row (first one on ties).
    public func argmaxRows() throws(TensorError) -> [Int] {
        guard rank == 2 else { throw .rankMismatch(operation: "argmaxRows", expected: 2, shape: shape) }
        guard shape[1] > 0 else { throw .empty(operation: "argmaxRows") }
        let (rows, columns) = (shape[0], shape[1])
        return withUnsafeBufferPointer { p in
            (0..<rows).map { Kernels.argmax(p.baseAddress! + $0 * columns, count: columns) }
        }
    }

    /// Row-wise softmax of a rank-2 tensor `[N, C]`, computed stably (the row maximum is subtracted first).
    public func softmaxRows() throws(TensorError) -> Tensor {
        try applyingRowwise("softmaxRows") { Kernels.softmaxRows($0, rows: $1, columns: $2, into: $0) }
    }

    /// Row-wise `log softmax` of a `[N, C]` tensor, `x − max − log Σ exp(x − max)`: computed from the logits, so
    /// a large margin gives its exact (large negative) value rather than the log of a probability rounded to 0.
    public func logSoftmaxRows() throws(TensorError) -> Tensor {
        try applyingRowwise("logSoftmaxRows") { Kernels.logSoftmaxRows($0, rows: $1, columns: $2, into: $0) }
    }

    /// A copy of a rank-2 tensor transformed in place by `kernel(pointer, rows, columns)`.
    private func applyingRowwise(
        _ operation: String, _ kernel: (UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) throws(TensorError) -> Tensor {
        guard rank == 2 else { throw .rankMismatch(operation: operation, expected: 2, shape: shape) }
        var result = self
        let (rows, columns) = (shape[0], shape[1])
        result.withUnsafeMutableBufferPointer { kernel($0.baseAddress!, rows, columns) }
        return result
    }

    /// Whether every element is within `tolerance` (absolute plus relative) of `other`'s.
    public func isClose(to other: Tensor, tolerance: Float = 1e-5) -> Bool {
        guard shape == other.shape else { return false }
        return zip(scalars, other.scalars).allSatisfy { abs($0 - $1) <= tolerance * (1 + abs($1)) }
    }
}
