#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Kernels {
    /// The sum of `count` elements, accumulated in eight `Double` lanes for accuracy.
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let v = x.load8(i)
            total += SIMD8<Double>(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]),
                                   Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
            i += 8
        }
        var result = total.sum()
        while i < count {
            result += Double(x[i])
            i += 1
        }
        return result
    }

    /// `Σ (x[i] − mean)²` over `count` elements, in eight `Double` lanes (a channel's variance in batch norm).
    public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, count: Int, mean: Double) -> Double {
        let centre = SIMD8<Double>(repeating: mean)
        var total = SIMD8<Double>(repeating: 0)
        var i = 0
        while i + 8 <= count {
            let v = x.load8(i)
            let d = SIMD8<Double>(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]),
                                  Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7])) - centre
            total += d * d
            i += 8
        }
        var result = total.sum()
        while i < count {
            let d = Double(x[i]) - mean
            result += d * d
            i += 1
        }
        return result
    }

    /// `(Σ a[i], Σ a[i]·b[i])` over `count` elements, in eight `Double` lanes each (batch norm's backward sums).
    public static func sumAndDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> (sum: Double, dot: Double) {
        var (sum, dot) = (SIMD8<Double>(repeating: 0), SIMD8<Double>(repeating: 0))
        var i = 0
        while i + 8 <= count {
            let (u, v) = (a.load8(i), b.load8(i))
            let x = SIMD8<Double>(Double(u[0]), Double(u[1]), Double(u[2]), Double(u[3]), Double(u[4]), Double(u[5]), Double(u[6]), Double(u[7]))
            let y = SIMD8<Double>(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]), Double(v[4]), Double(v[5]), Double(v[6]), Double(v[7]))
            sum += x
            dot += x * y
            i += 8
        }
        var (s, d) = (sum.sum(), dot.sum())
        while i < count {
            s += Double(a[i])
            d += Double(a[i]) * Double(b[i])
            i += 1
        }
        return (s, d)
    }

    /// Whether every element is finite (no infinity, no NaN): `x − x` is 0 for a finite `x` and NaN otherwise,
    /// so the sum of those differences is 0 exactly when all are finite.
    ///
    /// Four sums, so that the additions do not wait on each other (one sum runs at one vector per addition latency).
    public static func allFinite(_ x: UnsafeBufferPointer<Float>) -> Bool {
        guard let base = x.baseAddress else { return true }
        var (t0, t1, t2, t3) = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var i = 0
        while i &+ 64 <= x.count {
            let v0 = base.load16(i), v1 = base.load16(i &+ 16), v2 = base.load16(i &+ 32), v3 = base.load16(i &+ 48)
            t0 += v0 - v0
            t1 += v1 - v1
            t2 += v2 - v2
            t3 += v3 - v3
            i &+= 64
        }
        var total = (t0 + t1) + (t2 + t3)
        while i &+ 16 <= x.count {
            let v = base.load16(i)
            total += v - v
            i &+= 16
        }
        var rest: Float = 0
        while i < x.count {
            rest += base[i] - base[i]
            i &+= 1
        }
        return total.sum() + rest == 0
    }

    /// Sums a tensor viewed as `[outer, length, inner]` over its middle axis into `y` (`[outer, inner]`).
    public static func sumAxis(
        _ x: UnsafePointer<Float>, outer: Int, length: Int, inner: Int, into y: UnsafeMutablePointer<Float>
    ) {
        for o in 0..<outer {
            let target = y + o * inner
            target.initialize(repeating: 0, count: inner)
            for l in 0..<length {
                binary(.add, target, x + (o * length + l) * inner, target, count: inner)
            }
        }
    }

    /// Sums the rows of a `rows × columns` matrix into `y` (`columns`), adding to `y` when `accumulate`.
    public static func sumRows(
        _ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        if !accumulate { y.initialize(repeating: 0, count: columns) }
        for r in 0..<rows { binary(.add, y, x + r * columns, y, count: columns) }
    }

    /// The index of the largest of `count` elements (the first on ties; NaN never wins).
    public static func argmax(_ x: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        var value = x[0]
        for i in 1..<Swift.max(count, 1) where x[i] > value {
            value = x[i]
            best = i
        }
        return best
    }

    /// Row-wise softmax `y[r, c] = exp(x[r, c] − max_r) / Σ_c exp(x[r, c] − max_r)`; `y` may alias `x`.
    public static func softmaxRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { _ = softmaxRow(x + r &* columns, y + r &* columns, count: columns) }
    }

    /// Row-wise `y[r, c] = x[r, c] − max_r − log Σ_c exp(x[r, c] − max_r)`; `y` may alias `x`.
    public static func logSoftmaxRows(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let source = x + r &* columns
            let maximum = rowMaximum(source, count: columns)
            let shift = Float(Double(maximum) + _log(Double(shiftedExponentials(source, shift: maximum, into: nil, count: columns))))
            map(source, y + r &* columns, count: columns, vector: { $0 - SIMD8(repeating: shift) }, scalar: { $0 - shift })
        }
    }

    /// Softmax of one row into `y`; returns the row's maximum `m` and `s = Σ_c exp(x[c] − m)`, from which
    /// `log softmax(x)[c] = x[c] − m − log s`.
    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) -> (maximum: Float, sum: Float) {
        let maximum = rowMaximum(x, count: count)
        let sum = shiftedExponentials(x, shift: maximum, into: y, count: count)
        scale(y, by: 1 / sum, count: count)
        return (maximum, sum)
    }

    /// The largest of `count ≥ 1` elements.
    @inline(__always)
    static func rowMaximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: -.infinity)
        var c = 0
        while c &+ 8 <= count {
            let v = x.load8(c)
            lanes = lanes.replacing(with: v, where: v .> lanes)
            c &+= 8
        }
        var maximum = lanes.max()
        while c < count {
            if x[c] > maximum { maximum = x[c] }
            c &+= 1
        }
        return maximum
    }

    /// `Σ_c exp(x[c] − shift)`, also writing each term to `y` when given. Every element goes through the vector
    /// `exp`, so a value's result does not depend on its position in the row.
    @inline(__always)
    static func shiftedExponentials(_ x: UnsafePointer<Float>, shift: Float, into y: UnsafeMutablePointer<Float>?, count: Int) -> Float {
        let shifts = SIMD8<Float>(repeating: shift)
        var sums = SIMD8<Float>()
        var c = 0
        while c &+ 8 <= count {
            let e = exp(x.load8(c) - shifts)
            y?.store8(e, c)
            sums += e
            c &+= 8
        }
        var total = sums.sum()
        while c < count {
            let e = exp(SIMD8(repeating: x[c] - shift))[0]
            y?[c] = e
            total += e
            c &+= 1
        }
        return total
    }
}
