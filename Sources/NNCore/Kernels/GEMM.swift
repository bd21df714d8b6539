import NNRegisterTile

/// General matrix multiplication, `C = op(A) · op(B) (+ C) (+ bias) (then ReLU)`, in pure Swift SIMD.
///
/// The structure is BLIS's: `B` is packed into `KC × NR` column panels and `A` into `MR × KC` row panels,
/// so that the micro-kernel (`RegisterTile`) streams both from cache and keeps an `MR × NR` tile of `C` in
/// registers (6 × 16 floats: 12 AVX2 registers, or 6 AVX-512 ones on a CPU that has them, `GEMM+TileLoops`).
/// Transposed operands are handled by the packing routines, so
/// `Aᵀ·B` and `A·Bᵀ` cost the same as `A·B` and never materialise a transpose. An untransposed `A` is read in
/// place when `n ≤ 512`: with few column panels to reuse it, packing `A` costs more than its six row streams do.
///
/// All matrices are row-major with leading dimensions `lda`, `ldb`, `ldc` (elements between rows as stored).
public enum GEMM {
    /// What to do to each element of `C` after the product is complete: nothing, a bias, a bias and ReLU, or ReLU.
    public typealias Epilogue = TileEpilogue
    /// What `multiply` does beyond the plain product: what it adds and applies, a prepacked `B`, and what it may
    /// skip. None of them changes a result bit except `accumulate` and `epilogue`.
    public struct Options {
        /// Add the product to the existing `C` (BLAS's `beta = 1`) instead of overwriting it.
        public var accumulate: Bool
        /// A bias and activation fused into the final write of `C`.
        public var epilogue: Epilogue
        /// `op(B)` already packed by `pack(k:n:b:ldb:transposeB:into:)` (a layer's weights at inference), used
        /// instead of packing `B` again whenever the product goes through the packed path (`m > fewRowLimit`). It
        /// must have been packed from this `B` with this `k` and `n`.
        public var packedB: PackedMatrix?
        /// For a single row that streams a `B` larger than L1, read `B` from its last block to its first. A caller
        /// that alternates it between calls with the same `B` finds the part read last by the previous call still
        /// in L2 (`multiplySingleRowStreaming`).
        public var streamBackward: Bool
        /// Leave out the terms `0 · b` where `A` is zero (image backgrounds are half zeros, and a batch of images
        /// shares much of them). Each skipped term would add `±0` to a sum that starts at `+0` (or at `C` when
        /// accumulating: a `-0` there may then stay `-0` instead of becoming `+0`), so the result is the same bit
        /// for bit as long as the skipped `b` are finite (`0 · ∞` is NaN).
        /// - On the packed path (more than `fewRowLimit` rows, or `B` transposed) the micro-kernel runs over only
        ///   the depth steps at which some row of its register tile is nonzero, and reads just those rows of the
        ///   packed `B`. `A` is read in place, its rows grouped into tiles by where their zeros are
        ///   (`orderRowsByZeros`), with a list of each tile's kept steps (`listNonzeroSteps`), or, when transposed,
        ///   packed with them (`packANonzeroSteps`). Each block of `B` is checked once packed (or
        ///   `packedB.isFinite`), and every term of a block that holds an infinity or NaN is kept. It pays when
        ///   whole steps are zero across six rows of `A` (`skippableDepthFraction`).
        /// - For a single row that streams `B`, the rows of `B` that meet a zero of `A` are not read at all; the
        ///   caller promises that `B` is finite (checking it would read all of it).
        public var skipZerosInA: Bool

        /// Options; the defaults give the plain product `C = op(A) · op(B)`.
        public init(accumulate: Bool = false, epilogue: Epilogue = .none, packedB: PackedMatrix? = nil,
                    streamBackward: Bool = false, skipZerosInA: Bool = false) {
            self.accumulate = accumulate
            self.epilogue = epilogue
            self.packedB = packedB
            self.streamBackward = streamBackward
            self.skipZerosInA = skipZerosInA
        }
    }

    /// Rows of the register tile.
    public static let mr = DefaultRegisterTile.mr
    /// Columns of the register tile.
    public static let nr = DefaultRegisterTile.nr
    /// Largest depth of one packed block when a product is deeper than `singleBlockDepth`; such depths are split
    /// into equal blocks no deeper than this (1024 → 2 × 512, 2048 → 4 × 512): deep blocks mean fewer passes
    /// over `C`, and a `KC × NR` panel of `B` still fits in L1 beside the tile.
    public static let kc = 512
    /// Products up to this deep run as one depth block, so `C` is written once; the rows of `A` read in place and a
    /// panel of `B` still fit in L2 together at this depth.
    public static let singleBlockDepth = 800
    /// Rows of `A` packed at a time: an `MC × KC` block stays in L2.
    public static let mc = 144
    /// Columns of `B` packed at a time.
    public static let nc = 2048
    /// Products with at most this many rows (and `B` not transposed) stream `B` without packing it.
    public static let fewRowLimit = 4
    /// On several threads, a product is split into one sub-product per thread, each run on its thread alone with
    /// its own packed panels: by columns when it has at most `MC` rows or is at least as wide as it is tall, and
    /// gives each thread at least this many `NR`-wide panels of `B`; otherwise by rows when it has more than `MC`
    /// and does not skip zeros in `A` (with skipping, row blocks are handed out as threads come free). Squares whose
    /// `C` is not aligned (`columnsBeforeAlignedC`) are split by columns too (the width compared is the whole `n`).
    /// Sub-products of their own keep each thread's panels in its own cache instead of sharing one packed `B`.
    static let columnSplitMinimumPanels = 4

    /// The single GEMM entry point: `C[m×n] = op(A)[m×k] · op(B)[k×n]`, plus `C` when `options.accumulate`, then
    /// `options.epilogue`.
    ///
    /// - Parameters:
    ///   - transposeA: `A` is stored as `k × m` and used transposed.
    ///   - transposeB: `B` is stored as `n × k` and used transposed.
    ///   - options: what is added and applied, a prepacked `B`, and what may be skipped (`Options`).
    ///
    /// Products of at most `fewRowLimit` rows (and `B` not transposed) stream `B` (`multiplyFewRows`); the others
    /// go through the packed path (`multiplyPacked`), split over the current `ComputeContext`'s threads
    /// (`multiplyOnThreads`).
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int, options: Options = Options()
    ) {
        let (accumulate, epilogue, streamBackward, skipZerosInA) = (options.accumulate, options.epilogue, options.streamBackward, options.skipZerosInA)
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m {
                let row = c + i * ldc
                if !accumulate { row.initialize(repeating: 0, count: n) }
                DefaultRegisterTile.applyEpilogue(epilogue, row: row, columnOffset: 0, count: n)
            }
            return
        }
        if m <= fewRowLimit && !transposeB {
            multiplyFewRows(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, c: c, ldc: ldc,
                            accumulate: accumulate, epilogue: epilogue, streamBackward: streamBackward,
                            skipZerosInA: skipZerosInA)
            return
        }
        guard let packedB = options.packedB else {
            multiplyOnThreads(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
                              c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue, skipZerosInA: skipZerosInA)
            return
        }
        precondition(packedB.depth == k && packedB.width == n, "GEMM: packed B is \(packedB.depth) × \(packedB.width), not \(k) × \(n)")
        packedB.storage.withUnsafeBufferPointer { packed in
            multiplyPacked(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
                           prepackedB: packed.baseAddress, c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue,
                           skipZerosInA: skipZerosInA && packedB.isFinite)
        }
    }

    /// The fraction of depth steps at which `MR` rows of `op(A)` (`m × k`) in a row are all zero: what
    /// `skipZerosInA` would leave out of their register tile, measured on the tiles that start a quarter, half and
    /// three quarters of the way down (`3 · MR · k` reads). A cheap estimate for deciding whether to ask for
    /// skipping, which pays at a smaller fraction when `A` is packed anyway (`Aᵀ`, or `n > 512`) than when `A`
    /// would otherwise be read in place.
    public static func skippableDepthFraction(m: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false) -> Double {
        guard m > 0, k > 0 else { return 0 }
        let rows = Swift.min(m, mr)
        let (rowStride, depthStride) = transposeA ? (1, lda) : (lda, 1)
        var zeroSteps = 0
        for quarter in 1...3 {
            var step = a + Swift.min(m * quarter / 4, m - rows) * rowStride
            for _ in 0..<k {
                // Most steps of a dense tile end at their first row.
                var i = 0, element = step
                while i < rows && element.pointee == 0 {
                    i &+= 1
                    element += rowStride
                }
                zeroSteps &+= i == rows ? 1 : 0
                step += depthStride
            }
        }
        return Double(zeroSteps) / Double(3 * k)
    }
}
