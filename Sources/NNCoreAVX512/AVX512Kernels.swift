import NNRegisterTile
import NNVectorMath

/// The array forms of `VectorMath`'s functions on `SIMD16<Float>` and the GEMM's register-tile loop, compiled for
/// x86-64-v4 (AVX-512) on x86-64.
///
/// With 16-float vectors a core issues half as many instructions for the same work as with AVX2's 8-float
/// ones. Results have the same
/// bits as the `SIMD8` forms. Call these only on a CPU with AVX-512 (`Kernels.avx512` in `NNCore` checks): any of
/// them can hold AVX-512 instructions, which fault elsewhere. On other architectures they are plain `SIMD16` code.
public enum AVX512Kernels {
    /// `y[i] = e^x[i]`; `y` may alias `x`.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.exp(x, y, count: count, lanes: SIMD16<Float>.self)
    }

    /// `y[i] = ln x[i]`; `y` may alias `x`.
    public static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.log(x, y, count: count, lanes: SIMD16<Float>.self)
    }

    /// `y[i] = tanh(x[i])`; `y` may alias `x`.
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.tanh(x, y, count: count, lanes: SIMD16<Float>.self)
    }

    /// `y[i] = 1 / (1 + e^{−x[i]})`; `y` may alias `x`.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        VectorMath.sigmoid(x, y, count: count, lanes: SIMD16<Float>.self)
    }

    /// `RegisterTile.multiplyBlock` compiled for x86-64-v4: every register tile of one packed block of a GEMM.
    public static func multiplyBlock(
        rows: Int, width: Int, depth: Int, a: UnsafePointer<Float>, lda: Int, aInPlace: Bool, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        AVX512RegisterTile.multiplyBlock(
            rows: rows, width: width, depth: depth, a: a, lda: lda, aInPlace: aInPlace, b: b, c: c, ldc: ldc,
            load: load, epilogue: epilogue, columnOffset: columnOffset)
    }

    /// `RegisterTile.multiplyNonzeroSteps` compiled for x86-64-v4.
    public static func multiplyNonzeroSteps(
        values: UnsafePointer<Float>, offsets: UnsafePointer<UInt16>, steps: UnsafePointer<Int>,
        rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        AVX512RegisterTile.multiplyNonzeroSteps(
            values: values, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width, b: b, c: c, ldc: ldc,
            load: load, epilogue: epilogue, columnOffset: columnOffset)
    }

    /// `RegisterTile.multiplyNonzeroStepsInPlace` compiled for x86-64-v4.
    public static func multiplyNonzeroStepsInPlace(
        a: UnsafePointer<Float>, lda: Int, rowOrder: UnsafePointer<UInt8>, offsets: UnsafePointer<UInt16>,
        steps: UnsafePointer<Int>, rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        AVX512RegisterTile.multiplyNonzeroStepsInPlace(
            a: a, lda: lda, rowOrder: rowOrder, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width,
            b: b, c: c, ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
    }
}

/// Names `NNCoreAVX512`'s own copy of the register-tile loops, compiled for x86-64-v4.
public enum AVX512TileTarget: CompilationTarget {
    public static var pairsPanels: Bool { true }
}

/// `NNCoreAVX512`'s copy of the register tile.
typealias AVX512RegisterTile = RegisterTile<AVX512TileTarget>
