extension Kernels {
    /// `tanh x` for eight lanes: Cephes' `tanhf`. For `|x| < 0.625`, `x + x³·P(x²)` with a degree-4 `P`;
    /// beyond, `sign(x)·(1 − 2 / (e^{2|x|} + 1))` with `exp` above.
    ///
    /// Accuracy: within 1.4 ulp of `Foundation.tanh` (relative error below 1.5 × 10⁻⁷) over every finite float,
    /// checked exhaustively; the tests sample 2²⁰ of them. `tanh(±∞) = ±1`, `tanh(−0) = −0`, NaN stays NaN.
    @inline(__always)
    public static func tanh(_ v: SIMD8<Float>) -> SIMD8<Float> {
        // Computed on |x|, then x's sign bit is put back (so tanh(−0) = −0 and the function is exactly odd).
        let bits = unsafeBitCast(v, to: SIMD8<UInt32>.self)
        let sign = bits & 0x8000_0000
        let x = unsafeBitCast(bits ^ sign, to: SIMD8<Float>.self)
        let z = x * x
        var p = SIMD8(repeating: 2.06390887954e-2).addingProduct(SIMD8(repeating: -5.70498872745e-3), z)
        p = SIMD8(repeating: -5.37397155531e-2).addingProduct(p, z)
        p = SIMD8(repeating: 1.33314422036e-1).addingProduct(p, z)
        p = SIMD8(repeating: -3.33332819422e-1).addingProduct(p, z)
        let small = x.addingProduct(x * z, p)
        // Past |x| = 10, tanh rounds to ±1 and so does this formula; bounding 2|x| by 20 (NaN passes through) is
        // the only clamp `exp` needs here.
        let large = 1 - 2 / (exp(inRange: (x + x).replacing(with: 20, where: x .> 10)) + 1)
        let magnitude = small.replacing(with: large, where: x .>= 0.625)
        return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | sign, to: SIMD8<Float>.self)
    }

    /// `y[i] = tanh(x[i])`; `y` may alias `x`.
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count, vector: { tanh($0) }, scalar: { tanh(SIMD8(repeating: $0))[0] })
    }
}
