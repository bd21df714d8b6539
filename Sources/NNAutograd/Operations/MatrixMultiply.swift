import NNCore

/// `y = op(a) · op(b)` on the GEMM kernel, where `op` optionally transposes.
///
/// Gradient (for `y = a · b`): `ga = gy · bᵀ`, `gb = aᵀ · gy`; the transposed forms follow by the same rule
/// and never materialise a transpose.
public final class MatrixMultiply: Function {
    /// Whether `a` is used transposed.
    public let transposeA: Bool
    /// Whether `b` is used transposed.
    public let transposeB: Bool
    /// Creates the product.
    public init(transposeA: Bool = false, transposeB: Bool = false) {
        self.transposeA = transposeA
        self.transposeB = transposeB
    }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] {
        [try x[0].matmul(x[1], transposeSelf: transposeA, transposeOther: transposeB)]
    }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let (a, b, g) = (inputs[0], inputs[1], gy[0])
        let ga = transposeA ? try matmul(b, g, transposeA: transposeB, transposeB: true) : try matmul(g, b, transposeB: !transposeB)
        let gb = transposeB ? try matmul(g, a, transposeA: true, transposeB: transposeA) : try matmul(a, g, transposeA: !transposeA)
        return [ga, gb]
    }
}
