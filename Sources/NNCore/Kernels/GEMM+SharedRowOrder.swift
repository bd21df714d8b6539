extension GEMM {
    /// Whether `multiplySkippingZerosByColumns` takes a product that is split by columns over `threads` threads:
    /// `A` read in place with its zeros skipped, one depth block, and each thread's share of `B` one column block.
    static func sharesRowOrder(k: Int, width: Int, transposeA: Bool, skipZerosInA: Bool, threads: Int) -> Bool {
        let panels = (width + nr - 1) / nr
        return skipZerosInA && !transposeA && k <= singleBlockDepth && (panels + threads - 1) / threads * nr <= nc
    }

    /// `C[:, columns] = A · op(B)[:, columns]` (plus `C` when `accumulate`) on `threads` threads split by columns,
    /// skipping the zeros of `A` (`m × k`, read in place, `k ≤ singleBlockDepth`), with the rows of `A` grouped
    /// and their kept steps listed once for all threads.
    ///
    /// The rows are cut into parts of at most `MC`, as many as there are threads at least; first each thread
    /// groups the rows of parts and lists their tiles' kept steps (`groupRowsByZeros`), then each
    /// packs its share of the panels of `B` and runs every part's tiles over them, so that no thread orders rows
    /// another thread has ordered.
    ///
    /// A thread whose panels of `B` hold an infinity or NaN multiplies them with every step kept. The result has
    /// the bits of the product that keeps every step, as with `skipZerosInA` elsewhere.
    static func multiplySkippingZerosByColumns(
        m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, columns: Range<Int>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: Epilogue, threads: Int
    ) {
        let pool = ThreadPool.shared
        let parts = Swift.max(threads, (m + mc - 1) / mc)
        let partRows = (m + parts - 1) / parts
        let tilesPerPart = (partRows + mr - 1) / mr
        let panels = (columns.count + nr - 1) / nr
        let packedPerThread = k * ((panels + threads - 1) / threads) * nr
        // Floats: each thread's packed panels, then each part's step counts (Int) and the rows' masks (UInt64,
        // two per row), then the tiles' step offsets (UInt16) and the row order (UInt8).
        let stepsStart = threads * packedPerThread
        let masksStart = stepsStart + 2 * parts * tilesPerPart
        let offsetsStart = masksStart + 4 * m
        let orderStart = offsetsStart + (parts * tilesPerPart * k + 1) / 2
        let workspace = Workspace.take(floats: orderStart + (m + 3) / 4)
        defer { Workspace.give(workspace) }
        let base = UnsafeMutableRawPointer(workspace.pointer)
        let steps = (base + 4 * stepsStart).bindMemory(to: Int.self, capacity: parts * tilesPerPart)
        let masks = (base + 4 * masksStart).bindMemory(to: UInt64.self, capacity: 2 * m)
        let offsets = (base + 4 * offsetsStart).bindMemory(to: UInt16.self, capacity: parts * tilesPerPart * k)
        let order = (base + 4 * orderStart).bindMemory(to: UInt8.self, capacity: m)
        defer { (base + 4 * stepsStart).bindMemory(to: Float.self, capacity: orderStart + (m + 3) / 4 - stepsStart) }

        pool.parallelFor(parts) { part, _ in
            let first = part * partRows, rows = Swift.min(partRows, m - first)
            guard rows > 0 else { return }
            groupRowsByZeros(a + first * lda, lda: lda, height: rows, depth: k, masks: masks + 2 * first, order: order + first,
                             offsets: offsets + part * tilesPerPart * k, steps: steps + part * tilesPerPart)
        }
        pool.parallelFor(threads) { share, thread in
            let firstPanel = share * panels / threads, lastPanel = (share + 1) * panels / threads
            guard firstPanel < lastPanel else { return }
            let column = columns.lowerBound + firstPanel * nr
            let width = Swift.min(columns.upperBound, columns.lowerBound + lastPanel * nr) - column
            let packed = workspace.pointer + thread * packedPerThread
            let finite = packB(b, ldb: ldb, transposed: transposeB, row: 0, column: column, depth: k, width: width,
                               into: packed, checkingFinite: true)
            let shareEpilogue = epilogue.droppingColumns(column)
            for part in 0..<parts {
                let first = part * partRows, rows = Swift.min(partRows, m - first)
                guard rows > 0 else { continue }
                if finite {
                    multiplyNonzeroStepsInPlace(
                        a: a + first * lda, lda: lda, rowOrder: order + first, offsets: offsets + part * tilesPerPart * k,
                        steps: steps + part * tilesPerPart, rows: rows, depth: k, width: width, b: packed,
                        c: c + first * ldc + column, ldc: ldc, load: accumulate, epilogue: shareEpilogue, columnOffset: 0)
                } else {
                    multiplyBlock(rows: rows, width: width, depth: k, a: a + first * lda, lda: lda, aInPlace: true, b: packed,
                                  c: c + first * ldc + column, ldc: ldc, load: accumulate, epilogue: shareEpilogue, columnOffset: 0)
                }
            }
        }
    }
}
