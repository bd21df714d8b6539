/// The transcendental functions of the kernels (`exp`, `log`, `tanh`, the logistic sigmoid) for a SIMD vector of
/// any width, and the loops that apply them to arrays.
///
/// Written once, generic over the vector type and `@inlinable`, so that each client module compiles them for
/// its own target: `NNCore` with `SIMD8<Float>` for AVX2, `NNCoreAVX512` with `SIMD16<Float>` for AVX-512.
/// Every lane goes through the same operations whatever the width, so both give the same bits.
public enum VectorMath {}

/// A SIMD vector of `Float` whose lane masks are `Int32`: `SIMD8<Float>` and `SIMD16<Float>`. The functions of
/// `VectorMath` take either.
///
/// The requirements are the comparisons and blends those functions need. In generic code, `SIMD`'s own
/// comparisons and `replacing(with:where:)` are the protocol's lane-by-lane defaults even once specialised, and
/// LLVM turns them (and the arithmetic around them) into scalar code. Each concrete
/// type's are single vector instructions, and a requirement reaches them.
public protocol FloatVector: SIMD where Scalar == Float, MaskStorage.Scalar == Int32 {
    /// `b` in the lanes where `lhs < rhs`, `a` elsewhere (also where either is NaN).
    static func select(_ a: Self, or b: Self, whereLess lhs: Self, than rhs: Self) -> Self
    /// `b` in the lanes where `lhs == rhs`, `a` elsewhere (also where either is NaN).
    static func select(_ a: Self, or b: Self, whereEqual lhs: Self, to rhs: Self) -> Self
    /// Whether every lane is positive, normal and finite.
    var allLanesPositiveNormal: Bool { get }
}

extension SIMD8: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public static func select(_ a: Self, or b: Self, whereLess lhs: Self, than rhs: Self) -> Self { a.replacing(with: b, where: lhs .< rhs) }
    @inlinable @inline(__always)
    public static func select(_ a: Self, or b: Self, whereEqual lhs: Self, to rhs: Self) -> Self { a.replacing(with: b, where: lhs .== rhs) }
    @inlinable
    public var allLanesPositiveNormal: Bool { all((self .>= .leastNormalMagnitude) .& (self .< .infinity)) }
}

extension SIMD16: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public static func select(_ a: Self, or b: Self, whereLess lhs: Self, than rhs: Self) -> Self { a.replacing(with: b, where: lhs .< rhs) }
    @inlinable @inline(__always)
    public static func select(_ a: Self, or b: Self, whereEqual lhs: Self, to rhs: Self) -> Self { a.replacing(with: b, where: lhs .== rhs) }
    @inlinable
    public var allLanesPositiveNormal: Bool { all((self .>= .leastNormalMagnitude) .& (self .< .infinity)) }
}

extension VectorMath {
    /// 1.5 × 2²³: a Float in [2²³, 2²⁴) has unit spacing, so `x + magicRound` rounds `x` (|x| < 2²²) to the
    /// nearest integer, and that integer is the bit pattern minus `magicRoundBits`.
    @inlinable static var magicRound: Float { 12_582_912 }
    @inlinable static var magicRoundBits: Int32 { 0x4B40_0000 }

    /// `2ⁿ` for the integer `n` that `magicRound` left in `rounded` (−126 ≤ n ≤ 127), built in the exponent bits.
    @inlinable @inline(__always)
    static func powerOfTwo<V: FloatVector>(rounded: V) -> V {
        unsafeBitCast((unsafeBitCast(rounded, to: V.MaskStorage.self) &- magicRoundBits &+ 127) &<< 23, to: V.self)
    }

    /// The vector at `x + i` (any alignment).
    @inlinable @inline(__always)
    static func load<V: FloatVector>(_ x: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
    }

    /// Stores `v` at `y + i` (any alignment).
    @inlinable @inline(__always)
    static func store<V: FloatVector>(_ v: V, _ y: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: V.self)
    }

    /// `y[i] = vector(x[i…])` a vector at a time, the last `count mod V.scalarCount` elements through `vector` on a
    /// zero-padded vector (the same lane operations, so the same bits); `y` may alias `x`.
    @inlinable @inline(__always)
    public static func map<V: FloatVector>(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, lanes: V.Type, vector: (V) -> V
    ) {
        let width = V.scalarCount
        var i = 0
        while i &+ width <= count {
            store(vector(load(x, i)), y, i)
            i &+= width
        }
        guard i < count else { return }
        var tail = V()
        for j in 0..<(count &- i) { tail[j] = x[i &+ j] }
        let result = vector(tail)
        for j in 0..<(count &- i) { y[i &+ j] = result[j] }
    }

    /// `map` with four independent vectors per iteration, for functions whose per-vector chain is too long for
    /// the out-of-order window to overlap one vector at a time.
    @inlinable @inline(__always)
    public static func mapFourVectorsAtATime<V: FloatVector>(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, lanes: V.Type, vector: (V) -> V
    ) {
        let width = V.scalarCount
        var i = 0
        while i &+ 4 &* width <= count {
            let v0: V = vector(load(x, i)), v1: V = vector(load(x, i &+ width))
            let v2: V = vector(load(x, i &+ 2 &* width)), v3: V = vector(load(x, i &+ 3 &* width))
            store(v0, y, i); store(v1, y, i &+ width); store(v2, y, i &+ 2 &* width); store(v3, y, i &+ 3 &* width)
            i &+= 4 &* width
        }
        map(x + i, y + i, count: count &- i, lanes: V.self, vector: vector)
    }
}
