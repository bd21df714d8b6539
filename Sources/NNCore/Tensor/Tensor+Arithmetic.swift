/// An elementwise binary operation, applied with broadcasting.
public enum BinaryOperation: Sendable {
    case add, subtract, multiply, divide

    var name: String {
        switch self {
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        }
    }
}

extension Tensor {
    /// `self ⊕ other` with NumPy broadcasting (row vectors and scalars stretch to match).
    /// - Throws: `TensorError.shapeMismatch` naming both shapes when they do not broadcast.
    public func applying(_ operation: BinaryOperation, _ other: Tensor) throws(TensorError) -> Tensor {
        guard let outShape = Broadcasting.shape(shape, other.shape) else {
            throw .shapeMismatch(operation: operation.name, lhs: shape, rhs: other.shape, hint: "they do not broadcast")
        }
        let outCount = outShape.reduce(1, *)
        var result = [Float](repeating: 0, count: outCount)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { out in
                    Kernels.broadcastBinary(
                        operation, a.baseAddress!, shape, b.baseAddress!, other.shape,
                        out.baseAddress!, outShape)
                }
            }
        }
        return Tensor(uncheckedShape: outShape, scalars: result)
    }

    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.applying(.add, rhs) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.applying(.subtract, rhs) }
    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.applying(.multiply, rhs) }
    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor { try lhs.applying(.divide, rhs) }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 + rhs } }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 - rhs } }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor {
        var result = lhs
        result.withUnsafeMutableBufferPointer { Kernels.scale($0.baseAddress!, by: rhs, count: $0.count) }
        return result
    }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs * lhs }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs * (1 / rhs) }
    /// Negates every element.
    public static prefix func - (operand: Tensor) -> Tensor { operand * -1 }

    /// Applies `transform` to every element (not a hot-loop API: prefer the kernels for speed).
    public func map(_ transform: (Float) -> Float) -> Tensor {
        Tensor(uncheckedShape: shape, scalars: scalars.map(transform))
    }

    /// The matrix product of two rank-2 tensors, `op(self) · op(other)`, computed by the GEMM kernel.
    /// - Parameters:
    ///   - transposeSelf: use `selfᵀ` (without materialising it).
    ///   - transposeOther: use `otherᵀ`.
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) throws(TensorError) -> Tensor {
        guard rank == 2 else { throw .rankMismatch(operation: "matmul", expected: 2, shape: shape) }
        guard other.rank == 2 else { throw .rankMismatch(operation: "matmul", expected: 2, shape: other.shape) }
        let (m, k) = transposeSelf ? (shape[1], shape[0]) : (shape[0], shape[1])
        let (k2, n) = transposeOther ? (other.shape[1], other.shape[0]) : (other.shape[0], other.shape[1])
        guard k == k2 else {
            throw .shapeMismatch(operation: "matmul", lhs: shape, rhs: other.shape, hint: "inner dimensions \(k) and \(k2) differ")
        }
        var result = [Float](repeating: 0, count: m * n)
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(
                        m: m, n: n, k: k,
                        a: a.baseAddress!, lda: shape[1], transposeA: transposeSelf,
                        b: b.baseAddress!, ldb: other.shape[1], transposeB: transposeOther,
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
        return Tensor(uncheckedShape: [m, n], scalars: result)
    }
}
