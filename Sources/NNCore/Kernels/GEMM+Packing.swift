import NNRegisterTile

/// Packing for `GEMM`: `B` into `KC × NR` column panels and `A` into `MR × KC` row panels (optionally keeping only
/// the depth steps a tile needs), from either layout, so that transposed operands cost what plain ones do.
extension GEMM {
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
                // blocks: four 4-wide loads, four 4-wide stores instead of sixteen single moves.
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
                packEdgePanel(b + (column + j0) * ldb + row, lines: columns, stride: ldb, depth: depth, width: nr, into: panel)
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
                packEdgePanel(a + (row + i0) * lda + column, lines: rows, stride: lda, depth: depth, width: mr, into: panel)
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

    /// A panel narrower than the tile: `lines` runs of `depth` values, `stride` apart in `source`, written across
    /// a zero-filled panel `width` wide (run `i` into column `i`).
    @inline(__always)
    static func packEdgePanel(
        _ source: UnsafePointer<Float>, lines: Int, stride: Int, depth: Int, width: Int, into panel: UnsafeMutablePointer<Float>
    ) {
        panel.initialize(repeating: 0, count: depth * width)
        for i in 0..<lines {
            let line = source + i * stride
            for p in 0..<depth { panel[p * width + i] = line[p] }
        }
    }
}
