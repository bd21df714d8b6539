extension Tensor {
    /// The same elements viewed with another shape; one dimension may be `-1` and is then inferred.
    public func reshaped(_ newShape: [Int]) throws(TensorError) -> Tensor {
        var resolved = newShape
        if newShape.count(where: { $0 == -1 }) > 1 { throw .invalidShape(newShape) }
        if let position = newShape.firstIndex(of: -1) {
            var known = newShape
            known[position] = 1
            let rest = try Tensor.elementCount(of: known)
            guard rest > 0, count % rest == 0 else {
                throw .shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape, hint: "\(count) elements cannot be split that way")
            }
            resolved[position] = count / rest
        }
        let newCount = try Tensor.elementCount(of: resolved)
        guard newCount == count else {
            throw .shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape, hint: "\(count) elements vs \(newCount)")
        }
        return Tensor(uncheckedShape: resolved, scalars: scalars)
    }

    /// The tensor as a matrix `[shape[0], rest]`: a batch of samples flattened to rows.
    public func flattenedToRows() -> Tensor {
        let rows = shape.first ?? 1
        return Tensor(uncheckedShape: [rows, rows == 0 ? 0 : count / rows], scalars: scalars)
    }

    /// The transpose of a rank-2 tensor.
    public func transposed() throws(TensorError) -> Tensor {
        guard rank == 2 else { throw .rankMismatch(operation: "transposed", expected: 2, shape: shape) }
        let (rows, columns) = (shape[0], shape[1])
        var result = [Float](repeating: 0, count: count)
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                Kernels.transpose(source.baseAddress!, rows: rows, columns: columns, into: target.baseAddress!)
            }
        }
        return Tensor(uncheckedShape: [columns, rows], scalars: result)
    }

    /// The rows `range` of the first dimension: a mini-batch of a data set.
    public func rows(_ range: Range<Int>) throws(TensorError) -> Tensor {
        guard rank >= 1, range.lowerBound >= 0, range.upperBound <= shape[0] else {
            throw .indexOutOfRange(operation: "rows", index: "\(range)", shape: shape)
        }
        let stride = shape[0] == 0 ? 0 : count / shape[0]
        var newShape = shape
        newShape[0] = range.count
        return Tensor(uncheckedShape: newShape, scalars: Array(scalars[range.lowerBound * stride ..< range.upperBound * stride]))
    }

    /// The rows at `indices` of the first dimension, in that order (a shuffled mini-batch).
    public func gatherRows(_ indices: [Int]) throws(TensorError) -> Tensor {
        guard rank >= 1 else { throw .rankMismatch(operation: "gatherRows", expected: 1, shape: shape) }
        let stride = shape[0] == 0 ? 0 : count / shape[0]
        var result = [Float]()
        result.reserveCapacity(indices.count * stride)
        for index in indices {
            guard index >= 0, index < shape[0] else {
                throw .indexOutOfRange(operation: "gatherRows", index: "\(index)", shape: shape)
            }
            result.append(contentsOf: scalars[index * stride ..< (index + 1) * stride])
        }
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(uncheckedShape: newShape, scalars: result)
    }
}
