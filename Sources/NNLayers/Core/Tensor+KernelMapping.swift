extension Tensor {
    /// A new tensor of this shape written by a unary kernel `(self, y, count)`, such as `Kernels.exp`.
    public func applying(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        withUnsafeBufferPointer { x in
            Tensor(unsafeUninitializedShape: shape) { y in kernel(x.baseAddress!, y.baseAddress!, count) }
        }
    }

    /// A new tensor of this shape written by a binary kernel `(self, other, y, count)`; shapes must match.
    public func zipped(
        with other: Tensor, by kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Tensor {
        precondition(other.count == count, "internal: zipped tensors differ in size")
        return withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                Tensor(unsafeUninitializedShape: shape) { y in kernel(a.baseAddress!, b.baseAddress!, y.baseAddress!, count) }
            }
        }
    }
}

/// Checks that a gradient has the shape of the cached output.
@inline(__always)
func checkGradient(_ gradient: Tensor, matches output: Tensor?, layer: String) throws -> Tensor {
    guard let output else { throw LayerError.backwardWithoutForward(layer: layer) }
    guard gradient.shape == output.shape else {
        throw LayerError.gradientShape(layer: layer, expected: output.shape, got: gradient.shape)
    }
    return output
}

extension Tensor {
    /// Writes `kernel(self)` into `output`, reshaped to this tensor's shape.
    ///
    /// `output`'s storage is reused when nothing else holds it, so a layer that keeps its output between
    /// batches does not allocate; when the storage is shared (a caller still holds the previous result),
    /// copy-on-write gives `output` fresh storage and the caller's tensor keeps its values.
    public func map(into output: inout Tensor, by kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) {
        output.resize(to: shape)
        withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in kernel(x.baseAddress!, y.baseAddress!, count) }
        }
    }

    /// Writes `kernel(self, other)` into `output` (storage reused as in `map(into:by:)`); sizes must match.
    public func zip(
        with other: Tensor, into output: inout Tensor,
        by kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        precondition(other.count == count, "internal: zipped tensors differ in size")
        output.resize(to: shape)
        withUnsafeBufferPointer { a in
            other.withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { y in kernel(a.baseAddress!, b.baseAddress!, y.baseAddress!, count) }
            }
        }
    }
}

extension Optional where Wrapped == Tensor {
    /// The held tensor moved out (leaving `nil`), or an empty one: a layer's reusable buffer, taken so that
    /// it is uniquely referenced while it is written.
    mutating func takeBuffer() -> Tensor { take() ?? Tensor([]) }
}

