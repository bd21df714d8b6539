/// The GEMM's register tile: an `MR × NR` block of `C` (6 × 16 floats, in six `SIMD16` accumulators) computed
/// from a panel of `A` and a packed panel of `B`, and written back with the epilogue.
///
/// `@inlinable`, so that each module that runs it compiles its own copy with its own target flags: `NNCore` for
/// the default target (x86-64-v3: each row two AVX2 registers) and `NNCoreAVX512` for x86-64-v4 (each row one
/// AVX-512 register, half the instructions). `GEMM` runs the second on CPUs with AVX-512 (`Kernels.avx512`); both
/// give the same bits.
///
/// `Target` names the module's copy. Without it, a function the optimiser did not inline was emitted by both
/// modules under one symbol, and the linker kept one of the two: the AVX-512 loops ran the AVX2 copy of their hot
/// micro-kernel. With `RegisterTile<Target>` every specialised function carries its module's type in its symbol.
/// The micro-kernels and what they call are `@_transparent` (inlined before optimisation): the optimiser had left
/// them out of line despite `@inline(__always)`, and passed the accumulators through memory at every tile.
public enum RegisterTile<Target: CompilationTarget> {
    /// Rows of the register tile.
    @inlinable public static var mr: Int { 6 }
    /// Columns of the register tile.
    @inlinable public static var nr: Int { 16 }

    /// Every register tile of one block of `rows × width` of `C` (at `c`, rows `ldc` apart), `depth` steps deep:
    /// `A` either packed into panels of `tileHeight` rows (panel `t` at `a + t · MR · depth`) or read in place
    /// (`aInPlace`: rows `lda` apart), `B` as `NR`-wide packed panels (panel `p` at `b + p · NR · depth`).
    /// `columnOffset` is the block's first column in the product, where its bias starts.
    @inlinable @inline(__always)
    public static func multiplyBlock(
        rows: Int, width: Int, depth: Int, a: UnsafePointer<Float>, lda: Int, aInPlace: Bool, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        var paired = 0
        if Target.pairsPanels {
            // Pairs of full panels first, each row tile of A against both.
            while width - paired >= 2 * nr {
                var ir = 0, tile = 0
                while ir < rows {
                    let height = tileHeight(remainingRows: rows - ir)
                    microKernelPair(
                        depth: depth, a: aInPlace ? a + ir * lda : a + tile * mr * depth,
                        aRowStride: aInPlace ? lda : 1, aDepthStride: aInPlace ? 1 : mr, b: b + paired * depth,
                        c: c + ir * ldc + paired, ldc: ldc, rows: height, load: load,
                        epilogue: epilogue, columnOffset: columnOffset + paired)
                    ir += height
                    tile += 1
                }
                paired += 2 * nr
            }
            guard paired < width else { return }
        }
        let (b, c, width, columnOffset) = (b + paired * depth, c + paired, width - paired, columnOffset + paired)
        forEachTile(rows: rows, width: width) { jr, columns, ir, height, tile in
            microKernel(
                depth: depth, a: aInPlace ? a + ir * lda : a + tile * mr * depth,
                aRowStride: aInPlace ? lda : 1, aDepthStride: aInPlace ? 1 : mr, b: b + jr * depth,
                c: c + ir * ldc + jr, ldc: ldc, rows: height, columns: columns, load: load,
                epilogue: epilogue, columnOffset: columnOffset + jr)
        }
    }

    /// The accumulators of one `MR × NR` register tile: row `i` of the tile in element `i`.
    public typealias Accumulators = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

    /// Computes one `MR × NR` tile and writes (or adds) the valid `rows × columns` part. `B` is a packed panel;
    /// element `(i, p)` of `A` is `a[i·aRowStride + p·aDepthStride]` (a packed panel: 1 and `MR`; `A` in place:
    /// `lda` and 1).
    ///
    /// Short tiles (`tileHeight`) run a two-row loop (1 or 2 rows) or a four-row loop (3 or 4 rows, e.g. the end
    /// of a batch of 64) instead of computing rows of padding.
    @_transparent
    public static func microKernel(
        depth: Int, a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rowOrder: UnsafePointer<UInt8>? = nil, rows: Int, columns: Int, load: Bool,
        epilogue: TileEpilogue, columnOffset: Int
    ) {
        var (c0, c1, c2, c3, c4, c5) = startTile(c: c, ldc: ldc, rowOrder: rowOrder, rows: rows, columns: columns, load: load)
        // Row i of the tile reads a[rowOffset(i) + p·aDepthStride]; rows past `rows` re-read row 0 (in bounds).
        let o = tileRowOffsets(rows: rows, rowOrder, aRowStride)
        let (a0, a1, a2, a3, a4, a5) = (a + o.0, a + o.1, a + o.2, a + o.3, a + o.4, a + o.5)
        var p = 0, bp = b
        if rows <= 2 {
            for _ in 0..<depth {
                let bv = bp.load16(0)
                c0 = c0.addingProduct(a0[p], bv)
                c1 = c1.addingProduct(a1[p], bv)
                p &+= aDepthStride
                bp += nr
            }
        } else if rows <= 4 {
            for _ in 0..<depth {
                let bv = bp.load16(0)
                c0 = c0.addingProduct(a0[p], bv)
                c1 = c1.addingProduct(a1[p], bv)
                c2 = c2.addingProduct(a2[p], bv)
                c3 = c3.addingProduct(a3[p], bv)
                p &+= aDepthStride
                bp += nr
            }
        } else {
            for _ in 0..<depth {
                let bv = bp.load16(0)
                c0 = c0.addingProduct(a0[p], bv)
                c1 = c1.addingProduct(a1[p], bv)
                c2 = c2.addingProduct(a2[p], bv)
                c3 = c3.addingProduct(a3[p], bv)
                c4 = c4.addingProduct(a4[p], bv)
                c5 = c5.addingProduct(a5[p], bv)
                p &+= aDepthStride
                bp += nr
            }
        }
        finishTile((c0, c1, c2, c3, c4, c5), c: c, ldc: ldc, rowOrder: rowOrder, rows: rows, columns: columns,
                   epilogue: epilogue, columnOffset: columnOffset)
    }

    /// `microKernel` over two adjacent full panels of `B` (`b` and `b + NR · depth`): an `MR × 2·NR` tile in twelve
    /// accumulators, written as two `MR × NR` tiles.
    @_transparent
    public static func microKernelPair(
        depth: Int, a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        var (c0, c1, c2, c3, c4, c5) = startTile(c: c, ldc: ldc, rows: rows, columns: nr, load: load)
        var (d0, d1, d2, d3, d4, d5) = startTile(c: c + nr, ldc: ldc, rows: rows, columns: nr, load: load)
        let o = tileRowOffsets(rows: rows, nil, aRowStride)
        let (a0, a1, a2, a3, a4, a5) = (a + o.0, a + o.1, a + o.2, a + o.3, a + o.4, a + o.5)
        var p = 0, bp = b
        let second = nr &* depth
        if rows <= 2 {
            for _ in 0..<depth {
                let (bv, bw) = (bp.load16(0), bp.load16(second))
                let (x0, x1) = (a0[p], a1[p])
                c0 = c0.addingProduct(x0, bv); d0 = d0.addingProduct(x0, bw)
                c1 = c1.addingProduct(x1, bv); d1 = d1.addingProduct(x1, bw)
                p &+= aDepthStride
                bp += nr
            }
        } else if rows <= 4 {
            for _ in 0..<depth {
                let (bv, bw) = (bp.load16(0), bp.load16(second))
                let (x0, x1, x2, x3) = (a0[p], a1[p], a2[p], a3[p])
                c0 = c0.addingProduct(x0, bv); d0 = d0.addingProduct(x0, bw)
                c1 = c1.addingProduct(x1, bv); d1 = d1.addingProduct(x1, bw)
                c2 = c2.addingProduct(x2, bv); d2 = d2.addingProduct(x2, bw)
                c3 = c3.addingProduct(x3, bv); d3 = d3.addingProduct(x3, bw)
                p &+= aDepthStride
                bp += nr
            }
        } else {
            for _ in 0..<depth {
                let (bv, bw) = (bp.load16(0), bp.load16(second))
                let (x0, x1, x2, x3, x4, x5) = (a0[p], a1[p], a2[p], a3[p], a4[p], a5[p])
                c0 = c0.addingProduct(x0, bv); d0 = d0.addingProduct(x0, bw)
                c1 = c1.addingProduct(x1, bv); d1 = d1.addingProduct(x1, bw)
                c2 = c2.addingProduct(x2, bv); d2 = d2.addingProduct(x2, bw)
                c3 = c3.addingProduct(x3, bv); d3 = d3.addingProduct(x3, bw)
                c4 = c4.addingProduct(x4, bv); d4 = d4.addingProduct(x4, bw)
                c5 = c5.addingProduct(x5, bv); d5 = d5.addingProduct(x5, bw)
                p &+= aDepthStride
                bp += nr
            }
        }
        finishTile((c0, c1, c2, c3, c4, c5), c: c, ldc: ldc, rows: rows, columns: nr, epilogue: epilogue, columnOffset: columnOffset)
        finishTile((d0, d1, d2, d3, d4, d5), c: c + nr, ldc: ldc, rows: rows, columns: nr, epilogue: epilogue, columnOffset: columnOffset + nr)
    }

    /// The height of the next register tile when `remainingRows` rows of a block are left: `MR`, except that the
    /// last 7 or 8 rows go as 4 + 3 or 4 + 4.
    ///
    /// A tile of one or two rows has four accumulators, too few to hide the FMA latency; a four-row tile has eight,
    /// enough to. So 128 rows are 20 × 6 + 2 × 4, not 21 × 6 + 2. `packA`
    /// packs its panels with the same heights.
    @inlinable @inline(__always)
    public static func tileHeight(remainingRows: Int) -> Int {
        remainingRows == 7 || remainingRows == 8 ? 4 : Swift.min(mr, remainingRows)
    }

    /// The loop nest inside one block: for each `NR`-wide panel of `B` (at column `jr`, `columns` wide), every
    /// register tile of the block's `rows` (at row `ir`, `height` rows by `tileHeight`, the `tile`-th).
    @inlinable @inline(__always)
    public static func forEachTile(
        rows: Int, width: Int, _ body: (_ jr: Int, _ columns: Int, _ ir: Int, _ height: Int, _ tile: Int) -> Void
    ) {
        var jr = 0
        while jr < width {
            let columns = Swift.min(nr, width - jr)
            var ir = 0, tile = 0
            while ir < rows {
                let height = tileHeight(remainingRows: rows - ir)
                body(jr, columns, ir, height, tile)
                ir += height
                tile += 1
            }
            jr += nr
        }
    }

    /// The accumulators a register tile starts from: zero, or when `load` the tile's `rows × columns` part of `C`.
    ///
    /// When adding to `C`, its rows are loaded into the accumulators before the depth loop, so that their cache
    /// misses overlap the arithmetic, and each element is `C + Σ` summed in depth order whether its tile is full
    /// or partial.
    ///
    /// `startTile` and `finishTile` go around each micro-kernel's depth loop. They take no closure on purpose: a
    /// function taking the depth loop as a closure got a closure-specialised copy, emitted under the same
    /// symbol by `NNCore` (x86-64-v3) and `NNCoreAVX512` (x86-64-v4), and the linker kept one of the two, so
    /// the AVX-512 loops could run the AVX2 copy.
    @_transparent
    public static func startTile(
        c: UnsafeMutablePointer<Float>, ldc: Int, rowOrder: UnsafePointer<UInt8>? = nil, rows: Int, columns: Int, load: Bool
    ) -> Accumulators {
        var tile: Accumulators = (SIMD16(), SIMD16(), SIMD16(), SIMD16(), SIMD16(), SIMD16())
        guard load else { return tile }
        if columns < nr {
            // A partial tile starts from C too, so every element is summed in the same order wherever its tile falls.
            withUnsafeMutableBytes(of: &tile) { raw in
                let values = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                for i in 0..<rows {
                    let row = c + rowOffset(i, rowOrder, ldc)
                    for j in 0..<columns { values[i &* nr &+ j] = row[j] }
                }
            }
            return tile
        }
        let o = tileRowOffsets(rows: rows, rowOrder, ldc)
        tile.0 = c.load16(o.0)
        if rows > 1 { tile.1 = c.load16(o.1) }
        if rows > 2 { tile.2 = c.load16(o.2) }
        if rows > 3 { tile.3 = c.load16(o.3) }
        if rows > 4 { tile.4 = c.load16(o.4) }
        if rows > 5 { tile.5 = c.load16(o.5) }
        return tile
    }

    /// Writes the valid `rows × columns` part of a register tile's accumulators to `C` with the epilogue.
    @_transparent
    public static func finishTile(
        _ tile: Accumulators, c: UnsafeMutablePointer<Float>, ldc: Int, rowOrder: UnsafePointer<UInt8>? = nil,
        rows: Int, columns: Int, epilogue: TileEpilogue, columnOffset: Int
    ) {
        if columns == nr {
            let o = tileRowOffsets(rows: rows, rowOrder, ldc)
            writeRow(tile.0, c + o.0, epilogue: epilogue, columnOffset: columnOffset)
            if rows > 1 { writeRow(tile.1, c + o.1, epilogue: epilogue, columnOffset: columnOffset) }
            if rows > 2 { writeRow(tile.2, c + o.2, epilogue: epilogue, columnOffset: columnOffset) }
            if rows > 3 { writeRow(tile.3, c + o.3, epilogue: epilogue, columnOffset: columnOffset) }
            if rows > 4 { writeRow(tile.4, c + o.4, epilogue: epilogue, columnOffset: columnOffset) }
            if rows > 5 { writeRow(tile.5, c + o.5, epilogue: epilogue, columnOffset: columnOffset) }
            return
        }
        withUnsafeBytes(of: tile) { raw in
            let values = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            for i in 0..<rows {
                let row = c + rowOffset(i, rowOrder, ldc)
                for j in 0..<columns { row[j] = values[i * nr + j] }
                applyEpilogue(epilogue, row: row, columnOffset: columnOffset, count: columns)
            }
        }
    }

    /// Where row `i` of a register tile starts, counted from its first row (`i · stride`), or with `order` from
    /// the first row of its block (`order[i] · stride`). Rows past a tile's height are never written.
    @_transparent
    public static func rowOffset(_ i: Int, _ order: UnsafePointer<UInt8>?, _ stride: Int) -> Int {
        (order.map { Int($0[i]) } ?? i) &* stride
    }

    /// `rowOffset` of the six rows of a register tile of `rows` rows; rows past `rows` repeat row 0 (their
    /// reads stay in bounds and their sums are not written).
    @_transparent
    public static func tileRowOffsets(rows: Int, _ order: UnsafePointer<UInt8>?, _ stride: Int) -> (Int, Int, Int, Int, Int, Int) {
        let first = rowOffset(0, order, stride)
        return (first, rows > 1 ? rowOffset(1, order, stride) : first, rows > 2 ? rowOffset(2, order, stride) : first,
                rows > 3 ? rowOffset(3, order, stride) : first, rows > 4 ? rowOffset(4, order, stride) : first,
                rows > 5 ? rowOffset(5, order, stride) : first)
    }

    /// Writes a full row of a tile (`NR` floats) with the epilogue applied.
    @_transparent
    public static func writeRow(_ value: SIMD16<Float>, _ row: UnsafeMutablePointer<Float>, epilogue: TileEpilogue, columnOffset: Int) {
        var v = value
        switch epilogue {
        case .none: break
        case .bias(let bias): v += bias.load16(columnOffset)
        case .biasReLU(let bias):
            v += bias.load16(columnOffset)
            v.replace(with: 0, where: v .< 0)
        case .relu:
            v.replace(with: 0, where: v .< 0)
        }
        row.store16(v, 0)
    }

    /// Applies the epilogue to `count` floats of a row already written (a partial tile's row).
    @inlinable @inline(__always)
    public static func applyEpilogue(_ epilogue: TileEpilogue, row: UnsafeMutablePointer<Float>, columnOffset: Int, count: Int) {
        switch epilogue {
        case .none: return
        case .bias(let bias):
            for j in 0..<count { row[j] += bias[columnOffset + j] }
        case .biasReLU(let bias):
            for j in 0..<count { row[j] = Swift.max(row[j] + bias[columnOffset + j], 0) }
        case .relu:
            for j in 0..<count { row[j] = Swift.max(row[j], 0) }
        }
    }
}
