import NNRegisterTile

/// The packed path of `GEMM.multiply`: BLIS's loop nest over blocks of packed `A` and `B`, and the lists of the
/// depth steps a register tile keeps when it skips the zeros of `A`.
extension GEMM {
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
}
