import NNCoreAVX512
import NNRegisterTile

/// Names `NNCore`'s own copy of the register-tile loops (`RegisterTile<DefaultTileTarget>`), compiled for the
/// default target.
public enum DefaultTileTarget: CompilationTarget {}

/// `NNCore`'s copy of the register tile.
typealias DefaultRegisterTile = RegisterTile<DefaultTileTarget>

/// The register-tile loops over one packed block, in the form for this CPU: compiled for x86-64-v4 on a CPU with
/// AVX-512 (`Kernels.avx512`), for the default target otherwise. Same bits either way. In the x86-64-v4 form each
/// row of the tile is one 512-bit register, half the instructions of the AVX2 form (docs/performance.md).
extension GEMM {
    /// `RegisterTile.multiplyBlock`: every register tile of one block of `rows × width` of `C`, `depth` steps deep,
    /// from `A` packed by `packA` (or read in place, `aInPlace`, rows `lda` apart) and `B` packed by `packB`.
    /// `avx512` picks the AVX-512 copy (ignored on a CPU without AVX-512); both give the same bits.
    public static func multiplyBlock(
        rows: Int, width: Int, depth: Int, a: UnsafePointer<Float>, lda: Int, aInPlace: Bool, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: Epilogue, columnOffset: Int,
        avx512: Bool = Kernels.avx512
    ) {
        if avx512 && Kernels.avx512 {
            AVX512Kernels.multiplyBlock(
                rows: rows, width: width, depth: depth, a: a, lda: lda, aInPlace: aInPlace, b: b, c: c, ldc: ldc,
                load: load, epilogue: epilogue, columnOffset: columnOffset)
        } else {
            DefaultRegisterTile.multiplyBlock(
                rows: rows, width: width, depth: depth, a: a, lda: lda, aInPlace: aInPlace, b: b, c: c, ldc: ldc,
                load: load, epilogue: epilogue, columnOffset: columnOffset)
        }
    }

    /// `RegisterTile.multiplyNonzeroSteps`; `avx512` as for `multiplyBlock`.
    static func multiplyNonzeroSteps(
        values: UnsafePointer<Float>, offsets: UnsafePointer<UInt16>, steps: UnsafePointer<Int>,
        rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: Epilogue, columnOffset: Int,
        avx512: Bool = Kernels.avx512
    ) {
        if avx512 && Kernels.avx512 {
            AVX512Kernels.multiplyNonzeroSteps(
                values: values, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width, b: b, c: c,
                ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        } else {
            DefaultRegisterTile.multiplyNonzeroSteps(
                values: values, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width, b: b, c: c,
                ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        }
    }

    /// `RegisterTile.multiplyNonzeroStepsInPlace`; `avx512` as for `multiplyBlock`.
    static func multiplyNonzeroStepsInPlace(
        a: UnsafePointer<Float>, lda: Int, rowOrder: UnsafePointer<UInt8>, offsets: UnsafePointer<UInt16>,
        steps: UnsafePointer<Int>, rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: Epilogue, columnOffset: Int,
        avx512: Bool = Kernels.avx512
    ) {
        if avx512 && Kernels.avx512 {
            AVX512Kernels.multiplyNonzeroStepsInPlace(
                a: a, lda: lda, rowOrder: rowOrder, offsets: offsets, steps: steps, rows: rows, depth: depth,
                width: width, b: b, c: c, ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        } else {
            DefaultRegisterTile.multiplyNonzeroStepsInPlace(
                a: a, lda: lda, rowOrder: rowOrder, offsets: offsets, steps: steps, rows: rows, depth: depth,
                width: width, b: b, c: c, ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        }
    }
}
