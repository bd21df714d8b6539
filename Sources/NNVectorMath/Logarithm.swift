extension VectorMath {
    /// `ln x` lane by lane, after Cephes' `logf`. The exponent and a mantissa `m ∈ [√½, √2)` are taken from the
    /// bits, `ln m = f − f²/2 + f³·P(f)` with `f = m − 1` and a degree-7 `P` (`logPolynomial`), and `e·ln 2` is
    /// added in two parts.
    ///
    /// Vectors whose lanes are all positive normal floats (the usual case) take `logOfNormals`; any other lane
    /// (zero, subnormal, negative, infinite, NaN) sends its vector through `logOfAnyFloats`. Both give the same
    /// bits for a normal lane, so a result never depends on its neighbours.
    ///
    /// Accuracy: within 0.97 ulp of `Foundation.log` over every positive finite float including subnormals,
    /// checked exhaustively; the tests sample 2²⁰ of them. `ln 0 = −∞`, `ln ∞ = ∞`, negative inputs give NaN,
    /// NaN stays NaN.
    @inlinable @inline(__always)
    public static func log<V: FloatVector>(_ v: V) -> V {
        v.allLanesPositiveNormal ? logOfNormals(v) : logOfAnyFloats(v)
    }

    /// `ln x` for lanes that are all positive, normal and finite, with no lane-wise fix-ups: musl's split of the
    /// bits, `x = 2ᵏ·m` with `m ∈ [√½, √2)`, in four integer operations, then the polynomial: less
    /// floating-point work than `logOfAnyFloats`, whose blends sit on the dependency chain.
    @inlinable @inline(__always)
    static func logOfNormals<V: FloatVector>(_ v: V) -> V {
        let bits = unsafeBitCast(v, to: V.MaskStorage.self)
        let shifted = bits &- 0x3F35_04F3  // the bits of √½: k steps down by one for mantissas below it
        let k = shifted &>> 23
        let mantissa = unsafeBitCast(bits &- (shifted & -0x0080_0000), to: V.self)
        let exponent = unsafeBitCast(k &+ magicRoundBits, to: V.self) - magicRound
        return logPolynomial(f: mantissa - 1, exponent: exponent)
    }

    /// `ln x` for any lanes: subnormals are scaled into the normal range first, and zero, infinities, negatives
    /// and NaN are patched in at the end.
    @inlinable @inline(never)
    static func logOfAnyFloats<V: FloatVector>(_ v: V) -> V {
        let leastNormal = V(repeating: .leastNormalMagnitude)
        let x = V.select(v, or: v * 8_388_608, whereLess: v, than: leastNormal)  // × 2²³ brings subnormals into the normal range
        let bits = unsafeBitCast(x, to: V.MaskStorage.self)
        // The biased exponent minus 126, converted to Float through the same 1.5 × 2²³ trick as in `exp`.
        var exponent = unsafeBitCast((bits &>> 23) &- 126 &+ magicRoundBits, to: V.self) - magicRound
        exponent = V.select(exponent, or: exponent - 23, whereLess: v, than: leastNormal)
        let mantissa = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F00_0000, to: V.self)  // in [0.5, 1)
        let rootHalf = V(repeating: 0.707106781186547524)
        exponent = V.select(exponent, or: exponent - 1, whereLess: mantissa, than: rootHalf)
        let f = V.select(mantissa - 1, or: mantissa - 1 + mantissa, whereLess: mantissa, than: rootHalf)  // 2m − 1 for m < √½
        var result = logPolynomial(f: f, exponent: exponent)
        result = V.select(result, or: V(repeating: -.infinity), whereEqual: v, to: V())
        result = V.select(result, or: V(repeating: .infinity), whereEqual: v, to: V(repeating: .infinity))
        result = V.select(result, or: V(repeating: .nan), whereLess: v, than: V())
        return V.select(V(repeating: .nan), or: result, whereEqual: v, to: v)  // NaN where v is NaN
    }

    /// `ln(1 + f) + exponent·ln 2` for `1 + f ∈ [√½, √2)`; `f` and `exponent` are exact.
    ///
    /// `ln(1 + f) = f − f²/2 + f³·P(f)` with a degree-7 `P` fitted for the least relative error of the result on
    /// that interval (6.4 × 10⁻⁹ with its coefficients rounded to Float, a tenth of an ulp; Cephes uses degree 8).
    @inlinable @inline(__always)
    static func logPolynomial<V: FloatVector>(f: V, exponent: V) -> V {
        let f2 = f * f
        let f4 = f2 * f2
        // P − P(0) = f·P₁₇(f), P₁₇ by Estrin's scheme: three independent pairs, then two levels.
        let p12 = V(repeating: -0.2500081956386566).addingProduct(V(repeating: 0.2000122368335724), f)
        let p34 = V(repeating: -0.16623374819755554).addingProduct(V(repeating: 0.14201830327510834), f)
        let p56 = V(repeating: -0.1316007375717163).addingProduct(V(repeating: 0.12761002779006958), f)
        let p57 = p56.addingProduct(V(repeating: -0.07634066045284271), f2)
        let p17 = p12.addingProduct(p34, f2).addingProduct(p57, f4)
        // f − f²/2 + f³·P as f + f²·((P(0)·f − ½) + f²·P₁₇), with e·ln2's low part added to f beside it: three
        // FMAs in a row after P₁₇ where Cephes chains four FMAs, two products and an addition.
        let q = V(repeating: -0.5).addingProduct(V(repeating: 0.3333333134651184), f).addingProduct(p17, f2)
        let fAndLowPart = f.addingProduct(exponent, V(repeating: -2.12194440e-4))
        return fAndLowPart.addingProduct(q, f2).addingProduct(exponent, V(repeating: 0.693359375))
    }

    /// `y[i] = ln x[i]`, `V.scalarCount` lanes at a time; `y` may alias `x`.
    ///
    /// Checks `logBlock` floats at a time with `arePositiveNormals` and runs a block that passes through
    /// `logOfNormals`, four vectors at a time, without testing each vector: the per-vector test (two comparisons,
    /// a mask test and a branch) cost a quarter of the time. A block that fails goes vector by vector through
    /// `log`, with the same bits.
    @inlinable @inline(__always)
    public static func log<V: FloatVector>(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, lanes: V.Type) {
        var i = 0
        while i &+ logBlock <= count {
            if arePositiveNormals(x + i, count: logBlock) {
                mapFourVectorsAtATime(x + i, y + i, count: logBlock, lanes: V.self) { logOfNormals($0) }
            } else {
                map(x + i, y + i, count: logBlock, lanes: V.self) { log($0) }
            }
            i &+= logBlock
        }
        map(x + i, y + i, count: count &- i, lanes: V.self) { log($0) }
    }

    /// Floats per block of the array `log`: a multiple of four vectors of every width.
    @inlinable static var logBlock: Int { 64 }

    /// Whether `count` floats (a multiple of 8) are all positive, normal and finite: `bits − 2²³` (the bits of
    /// the least normal float) lies below `0x7F00_0000` (the bits of infinity minus the same) as an unsigned
    /// number exactly for those, and zero, subnormals, negatives, infinities and NaN wrap to or beyond it. One
    /// subtraction and one unsigned maximum per eight floats.
    @inlinable @inline(__always)
    static func arePositiveNormals(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        var largest = SIMD8<UInt32>(repeating: 0)
        var i = 0
        while i < count {
            let bits = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<UInt32>.self)
            largest = pointwiseMax(largest, bits &- 0x0080_0000)
            i &+= 8
        }
        return largest.max() < 0x7F00_0000
    }
}
