extension VectorMath {
    /// `eˣ` lane by lane: Cephes' range reduction `x = n·ln2 + r` (ln 2 split in two parts), a degree-6
    /// polynomial for `eʳ` on `|r| ≤ ln2/2`, and `2ⁿ` built in the exponent bits.
    ///
    /// Accuracy: relative error below 2.5 × 10⁻⁷ (about 2 ulp) against `Foundation.exp` for `x` in
    /// [−87.3, 88.3] (tested); inputs beyond are clamped (results ≈ 1.2 × 10⁻³⁸ and ≈ 2.4 × 10³⁸); NaN stays NaN.
    @inlinable @inline(__always)
    public static func exp<V: FloatVector>(_ v: V) -> V {
        let high = V(repeating: 88.3762626647949), low = V(repeating: -87.3365447505531)
        var x = V.select(v, or: high, whereLess: high, than: v)
        x = V.select(x, or: low, whereLess: x, than: low)
        // Adding 1.5 × 2²³ rounds x·log₂e to the nearest integer n and leaves n in the low mantissa bits, which
        // gives both n as a Float and 2ⁿ's exponent field without a (slow, generic) SIMD conversion.
        let rounded = V(repeating: magicRound).addingProduct(x, V(repeating: 1.44269504088896341))
        let n = rounded - magicRound
        var r = x.addingProduct(n, V(repeating: -0.693359375))
        r = r.addingProduct(n, V(repeating: 2.12194440e-4))
        var p = V(repeating: 1.3981999507e-3).addingProduct(V(repeating: 1.9875691500e-4), r)
        p = V(repeating: 8.3334519073e-3).addingProduct(p, r)
        p = V(repeating: 4.1665795894e-2).addingProduct(p, r)
        p = V(repeating: 1.6666665459e-1).addingProduct(p, r)
        p = V(repeating: 5.0000001201e-1).addingProduct(p, r)
        let y = (r + 1).addingProduct(p, r * r)
        return y * powerOfTwo(rounded: rounded)  // NaN lanes stay NaN through `y`
    }

    /// `y[i] = e^x[i]`, `V.scalarCount` lanes at a time; `y` may alias `x`.
    @inlinable @inline(__always)
    public static func exp<V: FloatVector>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, lanes: V.Type) {
        map(x, y, count: count, lanes: V.self) { exp($0) }
    }

    /// The logistic sigmoid `1 / (1 + e^{−x})` lane by lane, with `exp` above.
    @inlinable @inline(__always)
    public static func sigmoid<V: FloatVector>(_ v: V) -> V {
        1 / (1 + exp(-v))
    }

    /// `y[i] = 1 / (1 + e^{−x[i]})`, `V.scalarCount` lanes at a time; `y` may alias `x`.
    @inlinable @inline(__always)
    public static func sigmoid<V: FloatVector>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, lanes: V.Type) {
        map(x, y, count: count, lanes: V.self) { sigmoid($0) }
    }
}
