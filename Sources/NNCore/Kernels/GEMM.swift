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

    /// The single GEMM entry point: `C[m×n] = op(A)[m×k] · op(B)[k×n]`, plus `C` when `accumulate`.
    ///
    /// - Parameters:
    ///   - transposeA: `A` is stored as `k × m` and used transposed.
    ///   - transposeB: `B` is stored as `n × k` and used transposed.
    ///   - accumulate: add the product to the existing `C` (BLAS's `beta = 1`) instead of overwriting it.
    ///   - epilogue: a bias and activation fused into the final write of `C`.
    ///   - packedB: `op(B)` already packed by `pack(k:n:b:ldb:transposeB:into:)` (a layer's weights at inference);
    ///     used instead of packing `B` again whenever the product goes through the packed path (`m > fewRowLimit`).
    ///     It must have been packed from this `B` with this `k` and `n`.
    ///   - streamBackward: for a single row that streams a `B` larger than L1, read `B` from its last block to
    ///     its first. The result is the same bit for bit; a caller that alternates it between calls with the same
    ///     `B` finds the part read last by the previous call still in L2 (`multiplySingleRowStreaming`).
    ///   - skipZerosInA: leave out the terms `0 · b` where `A` is zero (image backgrounds are half zeros, and a
    ///     batch of images shares much of them). Each skipped term would add `±0` to a sum that starts at `+0` (or
    ///     at `C` when accumulating: a `-0` there may then stay `-0` instead of becoming `+0`), so the result is the
    ///     same bit for bit as long as the skipped `b` are finite (`0 · ∞` is NaN).
    ///     - On the packed path (more than `fewRowLimit` rows, or `B` transposed) the micro-kernel runs over only
    ///       the depth steps at which some row of its register tile is nonzero, and reads just those rows of the
    ///       packed `B`. `A` is read in place, its rows grouped into tiles by where their zeros are
    ///       (`orderRowsByZeros`), with a list of each tile's kept steps (`listNonzeroSteps`), or, when
    ///       transposed, packed with them (`packANonzeroSteps`). It checks each block of `B` once packed (or
    ///       `packedB.isFinite`) and keeps every term of a block that holds an infinity or NaN. It pays when whole
    ///       steps are zero across six rows of `A` (`skippableDepthFraction`), as in batches of images with
    ///       black backgrounds.
    ///     - For a single row that streams `B`, the rows of `B` that meet a zero of `A` are not read at all; the
    ///       caller promises that `B` is finite (checking it would read all of it).
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        accumulate: Bool = false, epilogue: Epilogue = .none, packedB: PackedMatrix? = nil, streamBackward: Bool = false,
        skipZerosInA: Bool = false
    ) {
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
        guard let packedB else {
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
    /// skipping: it pays from about a tenth when `A` is packed anyway (`Aᵀ`, or `n > 512`), and from about a third
    /// when `A` would otherwise be read in place.
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

    /// Products at least this wide start their register tiles on a cache-line boundary of `C` (see
    /// `columnsBeforeAlignedC`).
    static let alignedTileMinimumWidth = 1024

    /// How many leading columns of `C` to compute apart so that the remaining tiles start on 64-byte boundaries;
    /// 0 when `C` is already aligned, when its rows are not all aligned alike (`ldc` not a multiple of 16), or
    /// when `n < alignedTileMinimumWidth`.
    ///
    /// A tile row of 16 floats that straddles two cache lines makes every pass over `C` move twice the lines,
    /// and large Swift arrays start 48 bytes past a page boundary (glibc's 16-byte header, then the array's 32).
    /// The narrow strip costs one more micro-kernel panel, which only a wide product earns back, hence the minimum
    /// width. The split does not change any result: each element is summed in the same order either way.
    static func columnsBeforeAlignedC(c: UnsafeMutablePointer<Float>, ldc: Int, n: Int) -> Int {
        let misalignment = Int(bitPattern: c) & 63
        guard n >= alignedTileMinimumWidth, ldc % 16 == 0, misalignment != 0, misalignment % 4 == 0 else { return 0 }
        return (64 - misalignment) / 4
    }

    /// The depth of each packed block for a product of depth `k`: all of it up to `singleBlockDepth`, else equal
    /// blocks no deeper than `kc` (e.g. 1100 = 3 × 367, not 512 + 512 + 76), so no block is a thin remainder.
    static func depthBlock(_ k: Int) -> Int {
        guard k > singleBlockDepth else { return k }
        let blocks = (k + kc - 1) / kc
        return (k + blocks - 1) / blocks
    }

    /// The BLIS loop nest: `B` packed per `NC × KC` block (or taken from `prepackedB`, laid out block after
    /// block in the same order), `A` packed per `MC × KC` block, the micro-kernel over `MR × NR` tiles.
    ///
    /// With `skipZerosInA`, `A` is packed by `packANonzeroSteps` instead and `multiplyNonzeroSteps` runs the
    /// micro-kernel over the kept steps, for every block of `B` that is finite (a `prepackedB` is passed with
    /// `skipZerosInA` only when it is finite).
    static func multiplyPacked(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, prepackedB: UnsafePointer<Float>?,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: Epilogue, skipZerosInA: Bool,
        threads threadLimit: Int = ThreadPool.shared.threadCount
    ) {
        let pool = ThreadPool.shared
        let threads = Swift.max(1, Swift.min(threadLimit, (m + mr - 1) / mr))
        // Row blocks: at most MC rows each, and a multiple of the thread count so every thread gets the same
        // share. On one thread they are multiples of MR, so only the last tile is short; on several they are
        // equal, so the threads finish together (128 rows on 2 threads: 64 + 64, not 66 + 62; 2048 rows: 16 × 128,
        // not 15 × 132 + 68).
        let blockCount = ((m + mc - 1) / mc + threads - 1) / threads * threads
        let blockRows = threads > 1 ? (m + blockCount - 1) / blockCount : ((m + blockCount - 1) / blockCount + mr - 1) / mr * mr
        let blocks = (m + blockRows - 1) / blockRows
        let depthBlock = depthBlock(k)
        let kcMax = depthBlock
        let ncMax = Swift.min(nc, n)
        let packedBCount = prepackedB == nil ? kcMax * ((ncMax + nr - 1) / nr) * nr : 0
        let tilesPerBlock = (blockRows + mr - 1) / mr
        // With skipZerosInA, each thread's packed A is followed by the offsets of its steps (UInt16, two per float).
        let packedACount = kcMax * tilesPerBlock * mr + (skipZerosInA ? (kcMax * tilesPerBlock + 1) / 2 : 0)
        let workspace = Workspace.take(floats: packedBCount + packedACount * threads)
        defer { Workspace.give(workspace) }
        let packedAs = workspace.pointer + packedBCount

        forEachBlockOfB(k: k, n: n) { blockOfB in
            let (row, column, kcCur, ncCur, panels) = (blockOfB.row, blockOfB.column, blockOfB.depth, blockOfB.width, blockOfB.panels)
            let packedB: UnsafePointer<Float>
            var blockIsFinite = true
            if let prepackedB {
                packedB = prepackedB + blockOfB.packedOffset
            } else {
                let destination = workspace.pointer
                let parts = Swift.min(threads, panels)
                withUnsafeTemporaryAllocation(of: Bool.self, capacity: parts) { partIsFinite in
                    pool.parallelFor(parts) { part, _ in
                        let first = part * panels / parts, last = (part + 1) * panels / parts
                        let start = destination + first * nr * kcCur
                        partIsFinite[part] = packB(
                            b, ldb: ldb, transposed: transposeB, row: row, column: column + first * nr, depth: kcCur,
                            width: Swift.min(ncCur - first * nr, (last - first) * nr), into: start, checkingFinite: skipZerosInA)
                    }
                    blockIsFinite = partIsFinite.allSatisfy { $0 }
                }
                packedB = UnsafePointer(destination)
            }
            let skipsZeros = skipZerosInA && blockIsFinite
            let load = accumulate || row > 0
            let blockEpilogue = row + kcCur == k ? epilogue : .none
            pool.parallelFor(blocks) { block, thread in
                let ic = block * blockRows
                let mcCur = Swift.min(blockRows, m - ic)
                let packedA = packedAs + thread * packedACount
                if skipsZeros && !transposeA {
                    // A in place: its rows are grouped by where their zeros are, and only the list of each tile's
                    // nonzero steps is built, in the thread's packing space.
                    (packedAs + thread * packedACount).withMemoryRebound(to: UInt16.self, capacity: kcMax * tilesPerBlock) { offsets in
                        withUnsafeTemporaryAllocation(of: Int.self, capacity: tilesPerBlock) { steps in
                            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * mcCur) { masks in
                                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: mcCur) { order in
                                    let blockA = a + ic * lda + row
                                    groupRowsByZeros(blockA, lda: lda, height: mcCur, depth: kcCur, masks: masks.baseAddress!,
                                                     order: order.baseAddress!, offsets: offsets, steps: steps.baseAddress!)
                                    multiplyNonzeroStepsInPlace(
                                        a: blockA, lda: lda, rowOrder: order.baseAddress!, offsets: offsets, steps: steps.baseAddress!,
                                        rows: mcCur, depth: kcCur, width: ncCur, b: packedB, c: c + ic * ldc + column, ldc: ldc,
                                        load: load, epilogue: blockEpilogue, columnOffset: column)
                                }
                            }
                        }
                    }
                    return
                }
                if skipsZeros {
                    nonzeroStepsOfA(a, lda: lda, transposeA: transposeA, row: ic, column: row, height: mcCur, depth: kcCur,
                                    packedA: packedA, tilesPerBlock: tilesPerBlock, kcMax: kcMax) { values, offsets, steps in
                        multiplyNonzeroSteps(values: values, offsets: offsets, steps: steps, rows: mcCur, depth: kcCur, width: ncCur,
                                             b: packedB, c: c + ic * ldc + column, ldc: ldc, load: load,
                                             epilogue: blockEpilogue, columnOffset: column)
                    }
                    return
                }
                // With few column panels to reuse it, packing A costs more than reading its rows in place; wide
                // products reuse each packed block often enough, and their rows lie too far apart to stream.
                let direct = !transposeA && n <= 512
                if !direct {
                    packA(a, lda: lda, transposed: transposeA, row: ic, column: row, height: mcCur, depth: kcCur, into: packedA)
                }
                multiplyBlock(
                    rows: mcCur, width: ncCur, depth: kcCur, a: direct ? a + (ic * lda + row) : UnsafePointer(packedA),
                    lda: lda, aInPlace: direct, b: packedB, c: c + ic * ldc + column, ldc: ldc, load: load,
                    epilogue: blockEpilogue, columnOffset: column)
            }
        }
    }

    /// Packs one `MC × KC` block of `op(A)` with `packANonzeroSteps` into a thread's `packedA` (its values, then
    /// the offsets of its steps) and hands the packing to `body`.
    @inline(__always)
    static func nonzeroStepsOfA(
        _ a: UnsafePointer<Float>, lda: Int, transposeA: Bool, row: Int, column: Int, height: Int, depth: Int,
        packedA: UnsafeMutablePointer<Float>, tilesPerBlock: Int, kcMax: Int,
        _ body: (UnsafePointer<Float>, UnsafePointer<UInt16>, UnsafePointer<Int>) -> Void
    ) {
        (packedA + kcMax * tilesPerBlock * mr).withMemoryRebound(to: UInt16.self, capacity: kcMax * tilesPerBlock) { offsets in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: tilesPerBlock) { steps in
                packANonzeroSteps(a, lda: lda, transposed: transposeA, row: row, column: column, height: height, depth: depth,
                                  into: packedA, offsets: offsets, steps: steps.baseAddress!)
                body(packedA, offsets, steps.baseAddress!)
            }
        }
    }

    /// For each register tile (`tileHeight` rows, taken in `rowOrder`) of `A` in place (`height × depth`, rows
    /// `lda` apart), the depth steps at which some row of the tile is nonzero (NaN counts as nonzero): tile `t`
    /// gets the offsets `p · NR` of its kept steps' rows in a packed panel of `B` at `offsets + t · depth`, and
    /// their number in `steps[t]`.
    ///
    /// Eight steps at a time: the tile's rows are or-ed as bits (sign dropped). Much cheaper than packing `A` with
    /// `packANonzeroSteps`, which is why an untransposed `A` is read in place.
    @inline(__always)
    static func listNonzeroSteps(
        _ a: UnsafePointer<Float>, lda: Int, rowOrder: UnsafePointer<UInt8>, height: Int, depth: Int,
        offsets: UnsafeMutablePointer<UInt16>, steps: UnsafeMutablePointer<Int>
    ) {
        let laneNumbers = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        let laneOffsets = SIMD8<UInt16>(0, 1, 2, 3, 4, 5, 6, 7) &* UInt16(nr)
        var i0 = 0, tile = 0
        while i0 < height {
            let rows = DefaultRegisterTile.tileHeight(remainingRows: height - i0)
            let stepOffsets = offsets + tile * depth
            // Rows past the tile's height re-read its first row, which changes no "or".
            let o = DefaultRegisterTile.tileRowOffsets(rows: rows, rowOrder + i0, lda)
            let (r0, r1, r2, r3, r4, r5) = (a + o.0, a + o.1, a + o.2, a + o.3, a + o.4, a + o.5)
            var kept = 0, p = 0
            while p &+ 8 <= depth {
                let bits = (r0.loadBits8(p) | r1.loadBits8(p) | r2.loadBits8(p) | r3.loadBits8(p) | r4.loadBits8(p) | r5.loadBits8(p))
                    & 0x7fff_ffff
                // Bit `lane` set where the lane's bits are not all zero. Runs of eight kept steps (inside an
                // image) are stored at once, runs of eight zero ones (its background) skipped, so that only mixed
                // runs are taken lane by lane.
                let mask = Int(truncatingIfNeeded: (((bits &+ 0x7fff_ffff) &>> 31) &<< laneNumbers).wrappedSum())
                if mask == 0xFF {
                    UnsafeMutableRawPointer(stepOffsets + kept).storeBytes(
                        of: laneOffsets &+ UInt16(truncatingIfNeeded: p &* nr), as: SIMD8<UInt16>.self)
                    kept &+= 8
                } else if mask != 0 {
                    for lane in 0..<8 {
                        stepOffsets[kept] = UInt16(truncatingIfNeeded: (p &+ lane) &* nr)
                        kept &+= (mask &>> lane) & 1
                    }
                }
                p &+= 8
            }
            while p < depth {
                let bits = (unsafeBitCast(r0[p], to: UInt32.self) | unsafeBitCast(r1[p], to: UInt32.self)
                    | unsafeBitCast(r2[p], to: UInt32.self) | unsafeBitCast(r3[p], to: UInt32.self)
                    | unsafeBitCast(r4[p], to: UInt32.self) | unsafeBitCast(r5[p], to: UInt32.self)) & 0x7fff_ffff
                stepOffsets[kept] = UInt16(truncatingIfNeeded: p &* nr)
                kept &+= bits == 0 ? 0 : 1
                p &+= 1
            }
            steps[tile] = kept
            i0 += rows
            tile += 1
        }
    }

    /// One `NC × KC` block of `op(B)`: its columns, its rows, and where it starts when all blocks of `op(B)` are
    /// packed one after another (`PackedMatrix`).
    struct BlockOfB {
        let column, width, row, depth, packedOffset: Int
        /// The `NR`-wide panels it packs into (the last one zero-padded).
        var panels: Int { (width + nr - 1) / nr }
    }

    /// Visits the blocks of a `k × n` `op(B)` in the order products use them: column blocks of `NC`, and within
    /// each, depth blocks of `depthBlock(k)`. `multiply` and `pack` both go through here, so a packing made
    /// ahead of time has its blocks where the product looks for them.
    static func forEachBlockOfB(k: Int, n: Int, _ body: (BlockOfB) -> Void) {
        guard k > 0 else { return }
        let depthBlock = depthBlock(k)
        var offset = 0
        var column = 0
        while column < n {
            let width = Swift.min(nc, n - column)
            var row = 0
            while row < k {
                let block = BlockOfB(column: column, width: width, row: row, depth: Swift.min(depthBlock, k - row), packedOffset: offset)
                body(block)
                offset += block.depth * block.panels * nr
                row += block.depth
            }
            column += width
        }
    }

    /// `C` for one to four rows (inference on single samples), streamed from `B` without packing it.
    ///
    /// Matrix–vector products are bound by reading `B`, so rows are taken one or two at a time. A single row
    /// against a `B` larger than L1 reads `B` front to back (`multiplySingleRowStreaming`); otherwise each column
    /// tile of `C` stays in registers for the whole depth: 64 columns for a single row (eight independent
    /// accumulators hide the FMA latency), 32 for a pair (each value of `B` feeds two FMAs).
    static func multiplyFewRows(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, epilogue: Epilogue,
        streamBackward: Bool, skipZerosInA: Bool
    ) {
        // Element p of row i of op(A) is a[i * rowStride + p * depthStride].
        let (rowStride, depthStride) = transposeA ? (1, lda) : (lda, 1)
        var i = 0
        while i < m {
            let a0 = a + i * rowStride, c0 = c + i * ldc
            if i + 1 < m {
                multiplyRowPair(n: n, k: k, a0: a0, a1: a0 + rowStride, depthStride: depthStride, b: b, ldb: ldb,
                                c0: c0, c1: c0 + ldc, accumulate: accumulate)
                DefaultRegisterTile.applyEpilogue(epilogue, row: c0, columnOffset: 0, count: n)
                DefaultRegisterTile.applyEpilogue(epilogue, row: c0 + ldc, columnOffset: 0, count: n)
                i += 2
            } else if n >= 64 && k &* n >= 16_384 {
                // B larger than L1: streamed once, instead of register tiles that re-read it down the whole depth.
                multiplySingleRowStreaming(n: n, k: k, a: a0, depthStride: depthStride, b: b, ldb: ldb, c: c0, accumulate: accumulate,
                                           backward: streamBackward, skipZeros: skipZerosInA)
                DefaultRegisterTile.applyEpilogue(epilogue, row: c0, columnOffset: 0, count: n)
                i += 1
            } else {
                multiplySingleRow(n: n, k: k, a: a0, depthStride: depthStride, b: b, ldb: ldb, c: c0, accumulate: accumulate)
                DefaultRegisterTile.applyEpilogue(epilogue, row: c0, columnOffset: 0, count: n)
                i += 1
            }
        }
    }

    /// `c[0..<n] (+)= Σₚ a[p·depthStride] · b[p·ldb + 0..<n]`, 64 then 16 then 1 column at a time.
    @inline(__always)
    static func multiplySingleRow(
        n: Int, k: Int, a: UnsafePointer<Float>, depthStride: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        var j = 0
        while j &+ 64 <= n {
            var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
            var source = b + j, ap = a
            for _ in 0..<k {
                let x = ap.pointee
                s0 = s0.addingProduct(x, source.load16(0))
                s1 = s1.addingProduct(x, source.load16(16))
                s2 = s2.addingProduct(x, source.load16(32))
                s3 = s3.addingProduct(x, source.load16(48))
                source += ldb
                ap += depthStride
            }
            let out = c + j
            if accumulate {
                s0 += out.load16(0); s1 += out.load16(16); s2 += out.load16(32); s3 += out.load16(48)
            }
            out.store16(s0, 0); out.store16(s1, 16); out.store16(s2, 32); out.store16(s3, 48)
            j &+= 64
        }
        while j &+ 16 <= n {
            let s0 = strip16(depth: k, a: a, depthStride: depthStride, b: b + j, ldb: ldb)
            let out = c + j
            out.store16(accumulate ? s0 + out.load16(0) : s0, 0)
            j &+= 16
        }
        guard j < n else { return }
        // The last 1–15 columns: 16-wide loads that run past column n stay inside B (which spans
        // (k−1)·ldb + n elements) for every row but the last few; the extra lanes are computed and dropped.
        let limit = (k &- 1) &* ldb &+ n &- j &- 16
        let wideRows = limit < 0 ? 0 : Swift.min(k, limit / ldb &+ 1)
        let tail = strip16(depth: wideRows, a: a, depthStride: depthStride, b: b + j, ldb: ldb)
        for column in 0..<(n &- j) {
            var s = tail[column]
            for p in wideRows..<k { s = s.addingProduct(a[p &* depthStride], b[p &* ldb &+ j &+ column]) }
            c[j &+ column] = accumulate ? c[j &+ column] + s : s
        }
    }

    /// `c[0..<n] (+)= Σₚ a[p·depthStride] · b[p·ldb + 0..<n]`, reading `B` front to back in blocks of about
    /// 64 KiB, four rows at a time, with the row being summed kept in L1: the order the hardware prefetcher
    /// streams fastest when `B` comes from L3.
    ///
    /// Each block sums into its own partial row and the partial rows are added in block order, so the blocks can
    /// be read in either order with the same result, bit for bit. `backward` reads the last block first: a
    /// caller that alternates the direction between calls with the same `B` (a layer at batch 1) starts each
    /// call with the blocks the previous call read last, which are still in L2. With `skipZeros`, each block
    /// first lists the rows whose value of `A` is not zero and reads only those rows of `B`.
    static func multiplySingleRowStreaming(
        n: Int, k: Int, a: UnsafePointer<Float>, depthStride: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, accumulate: Bool, backward: Bool, skipZeros: Bool
    ) {
        // Blocks of about 64 KiB of B (16 384 floats), at most 16 of them, a multiple of four rows deep.
        let blockDepth = (Swift.max(16_384 / n, (k + 15) / 16, 1) + 3) / 4 * 4
        let blocks = (k + blockDepth - 1) / blockDepth
        // The partial rows, then (with skipZeros) one block's nonzero values of A and their row numbers.
        let workspace = Workspace.take(floats: blocks * n + (skipZeros ? 2 * blockDepth : 0))
        defer { Workspace.give(workspace) }
        let partials = workspace.pointer
        let values = partials + blocks * n
        for step in 0..<blocks {
            let block = backward ? blocks - 1 - step : step
            let first = block * blockDepth, depth = Swift.min(k, first + blockDepth) - first
            guard skipZeros else {
                accumulateRows(count: depth, n: n, value: { a[(first &+ $0) &* depthStride] }, row: { b + (first &+ $0) &* ldb },
                               into: partials + block * n)
                continue
            }
            (values + blockDepth).withMemoryRebound(to: Int32.self, capacity: blockDepth) { rows in
                var count = 0
                for p in first ..< first &+ depth {
                    let x = a[p &* depthStride]
                    if x != 0 {
                        values[count] = x
                        rows[count] = Int32(truncatingIfNeeded: p)
                        count &+= 1
                    }
                }
                accumulateRows(count: count, n: n, value: { values[$0] }, row: { b + Int(rows[$0]) &* ldb }, into: partials + block * n)
            }
        }
        let wide = n & ~15
        var j = 0
        while j < wide {
            var s = partials.load16(j)
            for block in 1..<blocks { s += (partials + block * n).load16(j) }
            c.store16(accumulate ? c.load16(j) + s : s, j)
            j &+= 16
        }
        while j < n {
            var s = partials[j]
            for block in 1..<blocks { s += partials[block * n + j] }
            c[j] = accumulate ? c[j] + s : s
            j &+= 1
        }
    }

    /// `out[0..<n] = Σ_q value(q) · row(q)[0..<n]` for `q` in `0..<count`, four rows at a time, each column summed
    /// with one fused multiply-add per term in order of `q` (so leaving out terms whose value is zero changes nothing).
    @inline(__always)
    static func accumulateRows(
        count: Int, n: Int, value: (Int) -> Float, row: (Int) -> UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        out.initialize(repeating: 0, count: n)
        let wide = n & ~15
        var q = 0
        while q &+ 4 <= count {
            let x0 = value(q), x1 = value(q &+ 1), x2 = value(q &+ 2), x3 = value(q &+ 3)
            let r0 = row(q), r1 = row(q &+ 1), r2 = row(q &+ 2), r3 = row(q &+ 3)
            var j = 0
            while j < wide {
                var s = out.load16(j)
                s = s.addingProduct(x0, r0.load16(j))
                s = s.addingProduct(x1, r1.load16(j))
                s = s.addingProduct(x2, r2.load16(j))
                s = s.addingProduct(x3, r3.load16(j))
                out.store16(s, j)
                j &+= 16
            }
            while j < n {
                out[j] = out[j].addingProduct(x0, r0[j]).addingProduct(x1, r1[j]).addingProduct(x2, r2[j]).addingProduct(x3, r3[j])
                j &+= 1
            }
            q &+= 4
        }
        while q < count {
            let x = value(q), r = row(q)
            var j = 0
            while j < wide {
                out.store16(out.load16(j).addingProduct(x, r.load16(j)), j)
                j &+= 16
            }
            while j < n {
                out[j] = out[j].addingProduct(x, r[j])
                j &+= 1
            }
            q &+= 1
        }
    }

    /// `Σₚ a[p·depthStride] · b[p·ldb ..< p·ldb + 16]` over the first `depth` rows: one 16-column strip of a row of `C`.
    @inline(__always)
    static func strip16(depth: Int, a: UnsafePointer<Float>, depthStride: Int, b: UnsafePointer<Float>, ldb: Int) -> SIMD16<Float> {
        var sum = SIMD16<Float>()
        var source = b, ap = a
        for _ in 0..<depth {
            sum = sum.addingProduct(ap.pointee, source.load16(0))
            source += ldb
            ap += depthStride
        }
        return sum
    }

    /// Two rows of `C` at once, 32 then 16 then 1 column at a time: each load of `B` feeds both rows.
    @inline(__always)
    static func multiplyRowPair(
        n: Int, k: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, depthStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c0: UnsafeMutablePointer<Float>, c1: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        var j = 0
        while j &+ 32 <= n {
            var s00 = SIMD16<Float>(), s01 = SIMD16<Float>(), s10 = SIMD16<Float>(), s11 = SIMD16<Float>()
            var source = b + j, p0 = a0, p1 = a1
            for _ in 0..<k {
                let (x0, x1) = (p0.pointee, p1.pointee)
                let (b0, b1) = (source.load16(0), source.load16(16))
                s00 = s00.addingProduct(x0, b0)
                s01 = s01.addingProduct(x0, b1)
                s10 = s10.addingProduct(x1, b0)
                s11 = s11.addingProduct(x1, b1)
                source += ldb
                p0 += depthStride
                p1 += depthStride
            }
            let (out0, out1) = (c0 + j, c1 + j)
            if accumulate {
                s00 += out0.load16(0); s01 += out0.load16(16); s10 += out1.load16(0); s11 += out1.load16(16)
            }
            out0.store16(s00, 0); out0.store16(s01, 16); out1.store16(s10, 0); out1.store16(s11, 16)
            j &+= 32
        }
        if j < n {
            multiplySingleRow(n: n &- j, k: k, a: a0, depthStride: depthStride, b: b + j, ldb: ldb, c: c0 + j, accumulate: accumulate)
            multiplySingleRow(n: n &- j, k: k, a: a1, depthStride: depthStride, b: b + j, ldb: ldb, c: c1 + j, accumulate: accumulate)
        }
    }

    /// Packs `op(B)[row ..< row+depth, column ..< column+width]` into `NR`-wide panels, each `depth × NR`,
    /// zero-padding the last panel.
    @inline(__always)
    static func packB(
        _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool,
        row: Int, column: Int, depth: Int, width: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        var j0 = 0
        while j0 < width {
            let panel = packed + j0 * depth
            let columns = Swift.min(nr, width - j0)
            if !transposed {
                if columns == nr {
                    for p in 0..<depth { panel.store16(b.load16((row + p) * ldb + column + j0), p * nr) }
                } else {
                    for p in 0..<depth {
                        let source = b + (row + p) * ldb + column + j0
                        for j in 0..<nr { panel[p * nr + j] = j < columns ? source[j] : 0 }
                    }
                }
            } else if columns == nr {
                // Four rows of Bᵀ at a time (few enough pointers to stay in registers), transposed in 4 × 4
                // blocks: four 4-wide loads, four 4-wide stores (twice as fast as moving single values).
                for j in stride(from: 0, to: nr, by: 4) {
                    let s0 = b + ((column &+ j0 &+ j) &* ldb &+ row), s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb
                    var out = panel + j
                    var p = 0
                    while p &+ 4 <= depth {
                        let r0 = s0.load4(p), r1 = s1.load4(p), r2 = s2.load4(p), r3 = s3.load4(p)
                        out.store4(SIMD4(lowHalf: SIMD2(r0[0], r1[0]), highHalf: SIMD2(r2[0], r3[0])), 0)
                        out.store4(SIMD4(lowHalf: SIMD2(r0[1], r1[1]), highHalf: SIMD2(r2[1], r3[1])), nr)
                        out.store4(SIMD4(lowHalf: SIMD2(r0[2], r1[2]), highHalf: SIMD2(r2[2], r3[2])), 2 &* nr)
                        out.store4(SIMD4(lowHalf: SIMD2(r0[3], r1[3]), highHalf: SIMD2(r2[3], r3[3])), 3 &* nr)
                        out += 4 &* nr
                        p &+= 4
                    }
                    while p < depth {
                        out[0] = s0[p]; out[1] = s1[p]; out[2] = s2[p]; out[3] = s3[p]
                        out += nr
                        p &+= 1
                    }
                }
            } else {
                panel.initialize(repeating: 0, count: depth * nr)
                for j in 0..<columns {
                    let source = b + (column + j0 + j) * ldb + row
                    for p in 0..<depth { panel[p * nr + j] = source[p] }
                }
            }
            j0 += nr
        }
    }

    /// `packB`, then, when `checkingFinite`, whether every packed value is finite (`true` when not checking): the
    /// skipping paths keep every term of panels that hold an infinity or NaN (`0 · ∞` is NaN).
    @inline(__always)
    static func packB(
        _ b: UnsafePointer<Float>, ldb: Int, transposed: Bool, row: Int, column: Int, depth: Int, width: Int,
        into packed: UnsafeMutablePointer<Float>, checkingFinite: Bool
    ) -> Bool {
        packB(b, ldb: ldb, transposed: transposed, row: row, column: column, depth: depth, width: width, into: packed)
        let panels = (width + nr - 1) / nr
        return !checkingFinite || Kernels.allFinite(UnsafeBufferPointer(start: packed, count: panels * nr * depth))
    }

    /// Packs `op(A)[row ..< row+height, column ..< column+depth]` into panels of `tileHeight` rows, each stored
    /// `depth × MR` (panel `t` at `t · MR · depth`), zero-padding the rows a short panel does not have.
    @inline(__always)
    static func packA(
        _ a: UnsafePointer<Float>, lda: Int, transposed: Bool,
        row: Int, column: Int, height: Int, depth: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        var i0 = 0, tile = 0
        while i0 < height {
            let panel = packed + tile * mr * depth
            let rows = DefaultRegisterTile.tileHeight(remainingRows: height - i0)
            if transposed {
                if rows == mr {
                    // Six contiguous values per depth step, copied directly (a generic `update(from:count:)` here
                    // becomes a `memmove` call per step).
                    var source = a + (column &* lda &+ row &+ i0), out = panel
                    for _ in 0..<depth {
                        out.store4(source.load4(0), 0)
                        UnsafeMutableRawPointer(out + 4).storeBytes(
                            of: UnsafeRawPointer(source + 4).loadUnaligned(as: SIMD2<Float>.self), as: SIMD2<Float>.self)
                        source += lda
                        out += mr
                    }
                } else {
                    for p in 0..<depth {
                        let source = a + (column + p) * lda + row + i0
                        for i in 0..<mr { panel[p * mr + i] = i < rows ? source[i] : 0 }
                    }
                }
            } else if rows == mr {
                // Six row streams, one value from each per depth step: contiguous writes.
                let s0 = a + ((row &+ i0) &* lda &+ column), s1 = s0 + lda, s2 = s1 + lda
                let s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda
                var out = panel
                for p in 0..<depth {
                    out[0] = s0[p]; out[1] = s1[p]; out[2] = s2[p]; out[3] = s3[p]; out[4] = s4[p]; out[5] = s5[p]
                    out += mr
                }
            } else {
                panel.initialize(repeating: 0, count: depth * mr)
                for i in 0..<rows {
                    let source = a + (row + i0 + i) * lda + column
                    for p in 0..<depth { panel[p * mr + i] = source[p] }
                }
            }
            i0 += rows
            tile += 1
        }
    }

    /// `packANonzeroSteps` for the first `tiles` full tiles of a transposed `A` (`a` at the block's first
    /// element, depth steps `lda` apart): each step's six values of a tile are contiguous, so the steps are taken
    /// in the order `A` is stored, one sample's row after another, each tile appending to its own panel
    /// (`steps[t]` counts as it goes). `A` is read in sequence instead of one tile's column at a time, and the
    /// values move four and two at a time.
    @inline(__always)
    static func packFullTransposedTilesNonzeroSteps(
        _ a: UnsafePointer<Float>, lda: Int, tiles: Int, depth: Int, into packed: UnsafeMutablePointer<Float>,
        offsets: UnsafeMutablePointer<UInt16>, steps: UnsafeMutablePointer<Int>
    ) {
        steps.initialize(repeating: 0, count: tiles)
        var step = a
        for p in 0..<depth {
            let offset = UInt16(truncatingIfNeeded: p &* nr)
            var source = step, values = packed, stepOffsets = offsets
            for t in 0..<tiles {
                let kept = steps[t]
                let front = UnsafeRawPointer(source).loadUnaligned(as: SIMD4<UInt32>.self)
                let back = UnsafeRawPointer(source + 4).loadUnaligned(as: SIMD2<UInt32>.self)
                let out = UnsafeMutableRawPointer(values + kept &* mr)
                out.storeBytes(of: front, as: SIMD4<UInt32>.self)
                (out + 16).storeBytes(of: back, as: SIMD2<UInt32>.self)
                stepOffsets[kept] = offset
                // 1 for any value but ±0 (the sign bits dropped), without a branch.
                let folded = front.lowHalf | front.highHalf | back
                let bits = (folded[0] | folded[1]) & 0x7fff_ffff
                steps[t] = kept &+ Int(truncatingIfNeeded: (bits &+ 0x7fff_ffff) >> 31)
                source += mr
                values += mr &* depth
                stepOffsets += depth
            }
            step += lda
        }
    }

    /// Packs `op(A)[row ..< row+height, column ..< column+depth]` like `packA`, but keeps only the depth steps at
    /// which some row of the panel is nonzero (NaN counts as nonzero).
    ///
    /// Panel `t` gets its kept steps' values at `t · MR · depth`, `MR` per step (zero past its height), in
    /// `offsets` at `t · depth` the offset `p · NR` of each kept step's row in the packed panel of `B`, and their
    /// number in `steps[t]`. Every step is written and the write position advances (without a branch) only past a
    /// kept one. Offsets fit in `UInt16`: blocks are at most `singleBlockDepth` (800) deep, so `p · NR < 12 800`.

    @inline(__always)
    static func packANonzeroSteps(
        _ a: UnsafePointer<Float>, lda: Int, transposed: Bool,
        row: Int, column: Int, height: Int, depth: Int, into packed: UnsafeMutablePointer<Float>,
        offsets: UnsafeMutablePointer<UInt16>, steps: UnsafeMutablePointer<Int>
    ) {
        let (rowStride, depthStride) = transposed ? (1, lda) : (lda, 1)
        var i0 = 0, tile = 0
        if transposed {
            while DefaultRegisterTile.tileHeight(remainingRows: height - i0) == mr {
                i0 += mr
                tile += 1
            }
            packFullTransposedTilesNonzeroSteps(a + (column &* lda &+ row), lda: lda, tiles: tile, depth: depth,
                                                into: packed, offsets: offsets, steps: steps)
        }
        while i0 < height {
            let values = packed + tile * mr * depth, stepOffsets = offsets + tile * depth
            let rows = DefaultRegisterTile.tileHeight(remainingRows: height - i0)
            let s0 = a + ((row &+ i0) &* rowStride &+ column &* depthStride)
            var kept = 0
            @inline(__always) func append(_ x: (Float, Float, Float, Float, Float, Float), step p: Int) {
                let out = values + kept &* mr
                out[0] = x.0; out[1] = x.1; out[2] = x.2; out[3] = x.3; out[4] = x.4; out[5] = x.5
                stepOffsets[kept] = UInt16(truncatingIfNeeded: p &* nr)
                // 1 for any value but ±0 (the sign bit dropped), without a branch.
                // (`unsafeBitCast`, not `bitPattern`, which was left as a call into the standard library here.)
                let bits = (unsafeBitCast(x.0, to: UInt32.self) | unsafeBitCast(x.1, to: UInt32.self) | unsafeBitCast(x.2, to: UInt32.self)
                    | unsafeBitCast(x.3, to: UInt32.self) | unsafeBitCast(x.4, to: UInt32.self) | unsafeBitCast(x.5, to: UInt32.self)) & 0x7fff_ffff
                kept &+= Int(truncatingIfNeeded: (bits &+ 0x7fff_ffff) >> 31)
            }
            if rows == mr {
                let s1 = s0 + rowStride, s2 = s1 + rowStride, s3 = s2 + rowStride, s4 = s3 + rowStride, s5 = s4 + rowStride
                var q = 0
                for p in 0..<depth {
                    append((s0[q], s1[q], s2[q], s3[q], s4[q], s5[q]), step: p)
                    q &+= depthStride
                }
            } else {
                for p in 0..<depth {
                    var x: (Float, Float, Float, Float, Float, Float) = (0, 0, 0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &x) { raw in
                        let lanes = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                        for i in 0..<rows { lanes[i] = s0[i * rowStride + p * depthStride] }
                    }
                    append(x, step: p)
                }
            }
            steps[tile] = kept
            i0 += rows
            tile += 1
        }
    }
}
