extension Tensor {
    /// A new tensor of the same shape written by a unary kernel `(x, y, count)`.
    public func mapped(by kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
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
