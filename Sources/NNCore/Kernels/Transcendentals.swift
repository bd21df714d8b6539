import NNCoreAVX512
import NNVectorMath

/// `exp`, `log`, `tanh` and the logistic sigmoid: the eight-lane forms for kernels that build on them, and the
/// array forms, which run `AVX512Kernels` on a CPU with AVX-512 (`avx512`) and `VectorMath` on `SIMD8` otherwise,
/// with the same bits. The functions themselves, their accuracy and the measurements behind them are in
/// `VectorMath`.
extension Kernels {
    /// `eˣ` for eight lanes (`VectorMath.exp`: within about 2 ulp; inputs beyond [−87.3, 88.3] are clamped).
    @inline(__always)
    public static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> { VectorMath.exp(v) }

    /// `ln x` for eight lanes (`VectorMath.log`: within 0.97 ulp, checked over every positive float).
    @inline(__always)
    public static func log(_ v: SIMD8<Float>) -> SIMD8<Float> { VectorMath.log(v) }

    /// `tanh x` for eight lanes (`VectorMath.tanh`: within 2.61 ulp, checked over every finite float).
    @inline(__always)
    public static func tanh(_ v: SIMD8<Float>) -> SIMD8<Float> { VectorMath.tanh(v) }

    /// `y[i] = e^x[i]`; `y` may alias `x`.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if avx512 { AVX512Kernels.exp(x, y, count: count) } else { VectorMath.exp(x, y, count: count, lanes: SIMD8<Float>.self) }
    }

    /// `y[i] = ln x[i]`; `y` may alias `x`.
    public static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if avx512 { AVX512Kernels.log(x, y, count: count) } else { VectorMath.log(x, y, count: count, lanes: SIMD8<Float>.self) }
    }

    /// `y[i] = tanh(x[i])`; `y` may alias `x`.
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if avx512 { AVX512Kernels.tanh(x, y, count: count) } else { VectorMath.tanh(x, y, count: count, lanes: SIMD8<Float>.self) }
    }

    /// `y[i] = 1 / (1 + exp(-x[i]))`; `y` may alias `x`.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if avx512 { AVX512Kernels.sigmoid(x, y, count: count) } else { VectorMath.sigmoid(x, y, count: count, lanes: SIMD8<Float>.self) }
    }
}
