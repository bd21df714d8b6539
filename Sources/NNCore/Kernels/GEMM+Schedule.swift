import NNRegisterTile

/// How `GEMM.multiply` splits a product without a prepacked `B` over the current `ComputeContext`'s threads: one
/// sub-product per thread, each with its own packed panels, by columns or by rows (`columnSplitMinimumPanels`).
extension GEMM {
    /// `C = op(A) · op(B)` (plus `C` when `accumulate`, then `epilogue`) through the packed path, split over
    /// `ThreadPool.shared.threadCount` threads. Every split gives the bits of one thread.
    static func multiplyOnThreads(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool, epilogue: Epilogue, skipZerosInA: Bool
    ) {
        /// The block `rows × columns` of `C`, on `threads` threads.
        func multiplyBlock(rows: Range<Int>, columns: Range<Int>, threads: Int) {
            let (i, j) = (rows.lowerBound, columns.lowerBound)
            multiplyPacked(m: rows.count, n: columns.count, k: k, a: transposeA ? a + i : a + i * lda, lda: lda,
                           transposeA: transposeA, b: transposeB ? b + j * ldb : b + j, ldb: ldb, transposeB: transposeB,
                           prepackedB: nil, c: c + i * ldc + j, ldc: ldc, accumulate: accumulate,
                           epilogue: epilogue.droppingColumns(j), skipZerosInA: skipZerosInA, threads: threads)
        }
        let threads = ThreadPool.shared.threadCount
        let lead = columnsBeforeAlignedC(c: c, ldc: ldc, n: n)
        if lead > 0 { multiplyBlock(rows: 0..<m, columns: 0..<lead, threads: threads) }
        let width = n - lead, panels = (width + nr - 1) / nr
        if threads > 1 && (m <= mc || n >= m) && panels >= threads * columnSplitMinimumPanels {
            // Each thread multiplies all of A by its share of B's panels, packed and kept in its own cache.
            if sharesRowOrder(k: k, width: width, transposeA: transposeA, skipZerosInA: skipZerosInA, threads: threads) {
                multiplySkippingZerosByColumns(m: m, k: k, a: a, lda: lda, b: b, ldb: ldb, transposeB: transposeB, columns: lead..<n,
                                               c: c, ldc: ldc, accumulate: accumulate, epilogue: epilogue, threads: threads)
                return
            }
            ThreadPool.shared.parallelFor(threads) { part, _ in
                let first = lead + part * panels / threads * nr, last = lead + Swift.min(width, (part + 1) * panels / threads * nr)
                multiplyBlock(rows: 0..<m, columns: first..<last, threads: 1)
            }
        } else if threads > 1 && m > mc && !skipZerosInA {
            // Each thread multiplies its share of A's rows (a multiple of MR) by all of B. Not when skipping the
            // zeros of A: rows differ in how many steps they skip, and row blocks handed out as threads come free
            // keep the threads even.
            let tiles = (m + mr - 1) / mr
            ThreadPool.shared.parallelFor(threads) { part, _ in
                let first = part * tiles / threads * mr, last = Swift.min(m, (part + 1) * tiles / threads * mr)
                multiplyBlock(rows: first..<last, columns: lead..<n, threads: 1)
            }
        } else {
            multiplyBlock(rows: 0..<m, columns: lead..<n, threads: threads)
        }
    }
}
