import NNCoreAVX512
import NNRegisterTile

/// The register-tile loops over one packed block, in the form for this CPU: compiled for x86-64-v4 on a CPU with
/// AVX-512 (`Kernels.avx512`), for the default target otherwise. Same bits either way.
///
/// On the shared Zen 4 VM the x86-64-v4 form, each row of the tile one 512-bit register, kept its speed when other
/// tenants loaded the core, where the AVX2 form lost 10–20 % (README, "Build requirements").
extension GEMM {
    /// `RegisterTile.multiplyBlock`.
    static func multiplyBlock(
        rows: Int, width: Int, depth: Int, a: UnsafePointer<Float>, lda: Int, aInPlace: Bool, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: Epilogue, columnOffset: Int
    ) {
        if Kernels.avx512 {
            AVX512Kernels.multiplyBlock(
                rows: rows, width: width, depth: depth, a: a, lda: lda, aInPlace: aInPlace, b: b, c: c, ldc: ldc,
                load: load, epilogue: epilogue, columnOffset: columnOffset)
        } else {
            RegisterTile.multiplyBlock(
                rows: rows, width: width, depth: depth, a: a, lda: lda, aInPlace: aInPlace, b: b, c: c, ldc: ldc,
                load: load, epilogue: epilogue, columnOffset: columnOffset)
        }
    }

    /// `RegisterTile.multiplyNonzeroSteps`.
    static func multiplyNonzeroSteps(
        values: UnsafePointer<Float>, offsets: UnsafePointer<UInt16>, steps: UnsafePointer<Int>,
        rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: Epilogue, columnOffset: Int
    ) {
        if Kernels.avx512 {
            AVX512Kernels.multiplyNonzeroSteps(
                values: values, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width, b: b, c: c,
                ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        } else {
            RegisterTile.multiplyNonzeroSteps(
                values: values, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width, b: b, c: c,
                ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        }
    }

    /// `RegisterTile.multiplyNonzeroStepsInPlace`.
    static func multiplyNonzeroStepsInPlace(
        a: UnsafePointer<Float>, lda: Int, rowOrder: UnsafePointer<UInt8>, offsets: UnsafePointer<UInt16>,
        steps: UnsafePointer<Int>, rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: Epilogue, columnOffset: Int
    ) {
        if Kernels.avx512 {
            AVX512Kernels.multiplyNonzeroStepsInPlace(
                a: a, lda: lda, rowOrder: rowOrder, offsets: offsets, steps: steps, rows: rows, depth: depth,
                width: width, b: b, c: c, ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        } else {
            RegisterTile.multiplyNonzeroStepsInPlace(
                a: a, lda: lda, rowOrder: rowOrder, offsets: offsets, steps: steps, rows: rows, depth: depth,
                width: width, b: b, c: c, ldc: ldc, load: load, epilogue: epilogue, columnOffset: columnOffset)
        }
    }
}
