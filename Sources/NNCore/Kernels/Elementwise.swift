#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The numeric kernels: plain functions on raw pointers, vectorised with `SIMD8<Float>`.
///
/// Pointers must address at least `count` elements; output may alias input where a kernel says so.
/// They do no bounds checks and no allocation.
public enum Kernels {
    @inline(__always)
    static func map(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        vector: (SIMD8<Float>) -> SIMD8<Float>, scalar: (Float) -> Float
    ) {
        var i = 0
        while i + 8 <= count {
            y.store8(vector(x.load8(i)), i)
            i += 8
        }
        while i < count {
            y[i] = scalar(x[i])
            i += 1
        }
    }

    @inline(__always)
    static func zip(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
        vector: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, scalar: (Float, Float) -> Float
    ) {
        var i = 0
        while i + 8 <= count {
            y.store8(vector(a.load8(i), b.load8(i)), i)
            i += 8
        }
        while i < count {
            y[i] = scalar(a[i], b[i])
            i += 1
        }
    }

    /// `x[i] *= factor`.
    public static func scale(_ x: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        map(x, x, count: count, vector: { $0 * factor }, scalar: { $0 * factor })
    }

    /// `x[i] += value` (a convolution's bias over one channel plane).
    public static func add(_ value: Float, to x: UnsafeMutablePointer<Float>, count: Int) {
        map(x, x, count: count, vector: { $0 + value }, scalar: { $0 + value })
    }

    /// `y[i] = x[i] · factor`; `y` may alias `x`.
    public static func scale(_ x: UnsafePointer<Float>, by factor: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        map(x, y, count: count, vector: { $0 * factor }, scalar: { $0 * factor })
    }

    /// `y[i] = (a[i] − b[i]) · factor`; `y` may alias `a` or `b`.
    public static func scaledDifference(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, by factor: Float, into y: UnsafeMutablePointer<Float>, count: Int
    ) {
        zip(a, b, y, count: count, vector: { ($0 - $1) * factor }, scalar: { ($0 - $1) * factor })
    }

    /// `y[i] += alpha * x[i]` (y and x must not alias).
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        zip(x, y, y, count: count, vector: { $1.addingProduct(a, $0) }, scalar: { $1 + alpha * $0 })
    }

    /// `y[i] = a[i] ⊕ b[i]` for equal shapes; `y` may alias `a` or `b`.
    public static func binary(
        _ operation: BinaryOperation, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ y: UnsafeMutablePointer<Float>, count: Int
    ) {
        switch operation {
        case .add: zip(a, b, y, count: count, vector: { $0 + $1 }, scalar: { $0 + $1 })
        case .subtract: zip(a, b, y, count: count, vector: { $0 - $1 }, scalar: { $0 - $1 })
        case .multiply: zip(a, b, y, count: count, vector: { $0 * $1 }, scalar: { $0 * $1 })
        case .divide: zip(a, b, y, count: count, vector: { $0 / $1 }, scalar: { $0 / $1 })
        }
    }

    /// `y = a ⊕ b` with NumPy broadcasting; `outShape` must be `Broadcasting.shape(aShape, bShape)`.
    public static func broadcastBinary(
        _ operation: BinaryOperation,
        _ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int],
        _ y: UnsafeMutablePointer<Float>, _ outShape: [Int]
    ) {
        let count = outShape.reduce(1, *)
        let aCount = aShape.reduce(1, *)
        let bCount = bShape.reduce(1, *)
        if aCount == count && bCount == count {
            binary(operation, a, b, y, count: count)
            return
        }
        if aCount == count && bCount == 1 {
            let scalar = b[0]
            for i in 0..<count { y[i] = apply(operation, a[i], scalar) }
            return
        }
        if aCount == count && bCount > 0 && isTrailingRow(bShape, of: outShape) {
            var offset = 0
            while offset < count {
                binary(operation, a + offset, b, y + offset, count: bCount)
                offset += bCount
            }
            return
        }
        let aStrides = Broadcasting.strides(of: aShape, broadcastTo: outShape)
        let bStrides = Broadcasting.strides(of: bShape, broadcastTo: outShape)
        var index = [Int](repeating: 0, count: outShape.count)
        var aOffset = 0, bOffset = 0
        for i in 0..<count {
            y[i] = apply(operation, a[aOffset], b[bOffset])
            var d = outShape.count - 1
            while d >= 0 {
                index[d] += 1
                aOffset += aStrides[d]
                bOffset += bStrides[d]
                if index[d] < outShape[d] { break }
                aOffset -= aStrides[d] * outShape[d]
                bOffset -= bStrides[d] * outShape[d]
                index[d] = 0
                d -= 1
            }
        }
    }

    /// Whether `shape`, less its leading 1s, is a suffix of `target`: it then repeats every `shape`-count elements.
    static func isTrailingRow(_ shape: [Int], of target: [Int]) -> Bool {
        let core = Array(shape.drop { $0 == 1 })
        return core.count <= target.count && Array(target.suffix(core.count)) == core
    }

    @inline(__always)
    static func apply(_ operation: BinaryOperation, _ a: Float, _ b: Float) -> Float {
        switch operation {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }

    /// `y[i] = max(x[i], 0)`; `y` may alias `x`.
    public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let zero = SIMD8<Float>(repeating: 0)
        map(x, y, count: count, vector: { $0.replacing(with: zero, where: $0 .< zero) }, scalar: { $0 > 0 ? $0 : 0 })
    }

    /// `y[i] = relu(a[i] + b[i])`, as `relu` computes it, in one pass (a residual block's merge and its ReLU);
    /// `y` may alias `a` or `b`.
    public static func addReLU(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let zero = SIMD8<Float>(repeating: 0)
        zip(a, b, y, count: count, vector: { let s = $0 + $1; return s.replacing(with: zero, where: s .< zero) }, scalar: { let s = $0 + $1; return s > 0 ? s : 0 })
    }

    /// `dx[i] = y[i] > 0 ? dy[i] : 0` — ReLU's backward, masked by its output; `dx` may alias `dy`.
    public static func reluBackward(
        output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        let zero = SIMD8<Float>(repeating: 0)
        zip(y, dy, dx, count: count, vector: { $1.replacing(with: zero, where: $0 .<= zero) }, scalar: { $0 > 0 ? $1 : 0 })
    }

    /// `y[i] = x[i] > 0 ? x[i] : α·x[i]` (leaky ReLU); `y` may alias `x`.
    public static func leakyReLU(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, alpha: Float, count: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        map(x, y, count: count, vector: { v in v.replacing(with: v * a, where: v .< 0) }, scalar: { $0 < 0 ? alpha * $0 : $0 })
    }

    /// `dx[i] = y[i] > 0 ? dy[i] : α·dy[i]` — leaky ReLU's backward from its output (for α ≥ 0, `y > 0` exactly
    /// where `x > 0`); `dx` may alias `dy`.
    public static func leakyReLUBackward(
        output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, alpha: Float, count: Int
    ) {
        let a = SIMD8<Float>(repeating: alpha), zero = SIMD8<Float>(repeating: 0)
        zip(y, dy, dx, count: count, vector: { y, g in (g * a).replacing(with: g, where: y .> zero) }, scalar: { $0 > 0 ? $1 : alpha * $1 })
    }

    /// `y[i] = x[i] > 0 ? x[i] : α(e^x[i] − 1)` (ELU); `y` may alias `x`.
    public static func elu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, alpha: Float, count: Int) {
        let a = SIMD8<Float>(repeating: alpha), one = SIMD8<Float>(repeating: 1)
        map(x, y, count: count, vector: { v in (a * (exp(v) - one)).replacing(with: v, where: v .> 0) },
            scalar: { v in v > 0 ? v : alpha * (exp(SIMD8(repeating: v))[0] - 1) })
    }

    /// `dx[i] = y[i] > 0 ? dy[i] : dy[i] · (y[i] + α)` — ELU's backward from its output (`y + α = αeˣ` where
    /// `x ≤ 0`); `dx` may alias `dy`.
    public static func eluBackward(
        output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, alpha: Float, count: Int
    ) {
        let a = SIMD8<Float>(repeating: alpha)
        zip(y, dy, dx, count: count, vector: { y, g in (g * (y + a)).replacing(with: g, where: y .> 0) },
            scalar: { y, g in y > 0 ? g : g * (y + alpha) })
    }

    /// `dx[i] = dy[i] · y[i] · (1 − y[i])` — Sigmoid's backward from its output.
    public static func sigmoidBackward(
        output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        let one = SIMD8<Float>(repeating: 1)
        zip(y, dy, dx, count: count, vector: { $1 * $0 * (one - $0) }, scalar: { $1 * $0 * (1 - $0) })
    }

    /// `dx[i] = dy[i] · (1 − y[i]²)` — tanh's backward from its output.
    public static func tanhBackward(
        output y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        let one = SIMD8<Float>(repeating: 1)
        zip(y, dy, dx, count: count, vector: { $1 * (one - $0 * $0) }, scalar: { $1 * (1 - $0 * $0) })
    }

    /// Transposes a row-major `rows × columns` matrix into `y` (`columns × rows`), in cache blocks.
    public static func transpose(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into y: UnsafeMutablePointer<Float>) {
        let block = 32
        var r0 = 0
        while r0 < rows {
            let r1 = Swift.min(r0 + block, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = Swift.min(c0 + block, columns)
                for r in r0..<r1 {
                    for c in c0..<c1 { y[c * rows + r] = x[r * columns + c] }
                }
                c0 = c1
            }
            r0 = r1
        }
    }
}
