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
        for r in 0..<rows {
            let source = x + r * columns
            let target = y + r * columns
            var maximum = -Float.infinity
            for c in 0..<columns where source[c] > maximum { maximum = source[c] }
            var total: Float = 0
            var lanes = SIMD8<Float>()
            let shift = SIMD8<Float>(repeating: maximum)
            var c = 0
            while c + 8 <= columns {
                let e = exp(source.load8(c) - shift)
                target.store8(e, c)
                lanes += e
                c += 8
            }
            while c < columns {
                let e = expf(source[c] - maximum)
                target[c] = e
                total += e
                c += 1
            }
            total += lanes.sum()
            scale(target, by: 1 / total, count: columns)
        }
    }
}
