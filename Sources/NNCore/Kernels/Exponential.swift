extension Kernels {
    /// `eˣ` for eight lanes: Cephes' range reduction `x = n·ln2 + r` (ln 2 split in two parts), a degree-6
    /// polynomial for `eʳ` on `|r| ≤ ln2/2`, and `2ⁿ` built in the exponent bits.
    ///
    /// Accuracy: relative error below 2.5 × 10⁻⁷ (about 2 ulp) against `Foundation.exp` for `x` in
    /// [−87.3, 88.3] (tested); inputs beyond are clamped (results ≈ 1.2 × 10⁻³⁸ and ≈ 2.4 × 10³⁸); NaN stays NaN.
    @inline(__always)
    public static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> {
        var x = v.replacing(with: 88.3762626647949, where: v .> 88.3762626647949)
        x = x.replacing(with: -87.3365447505531, where: x .< -87.3365447505531)
        // Adding 1.5 × 2²³ rounds x·log₂e to the nearest integer n and leaves n in the low mantissa bits, which
        // gives both n as a Float and 2ⁿ's exponent field without a (slow, generic) SIMD conversion.
        let rounded = magicRound.addingProduct(x, SIMD8(repeating: 1.44269504088896341))
        let n = rounded - magicRound
        var r = x.addingProduct(n, SIMD8(repeating: -0.693359375))
        r = r.addingProduct(n, SIMD8(repeating: 2.12194440e-4))
        var p = SIMD8(repeating: 1.3981999507e-3).addingProduct(SIMD8(repeating: 1.9875691500e-4), r)
        p = SIMD8(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = SIMD8(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = SIMD8(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = SIMD8(repeating: 5.0000001201e-1).addingProduct(p, r)
        let y = (r + 1).addingProduct(p, r * r)
        return y * powerOfTwo(rounded: rounded)  // NaN lanes stay NaN through `y`
    }

    /// 1.5 × 2²³: a Float in [2²³, 2²⁴) has unit spacing, so `x + magicRound` rounds `x` (|x| < 2²²) to the
    /// nearest integer, and that integer is the bit pattern minus `magicRoundBits`.
    @inline(__always) @usableFromInline static var magicRound: SIMD8<Float> { SIMD8(repeating: 12_582_912) }
    @inline(__always) @usableFromInline static var magicRoundBits: Int32 { 0x4B40_0000 }

    /// `2ⁿ` for the integer `n` that `magicRound` left in `rounded` (−126 ≤ n ≤ 127), built in the exponent bits.
    @inline(__always)
    static func powerOfTwo(rounded: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast((unsafeBitCast(rounded, to: SIMD8<Int32>.self) &- magicRoundBits &+ 127) &<< 23, to: SIMD8<Float>.self)
    }

    /// `y[i] = e^x[i]`.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count, vector: { exp($0) }, scalar: { exp(SIMD8(repeating: $0))[0] })
    }
}
