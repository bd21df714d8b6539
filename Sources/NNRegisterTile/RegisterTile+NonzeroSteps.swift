extension RegisterTile {
    /// The loop nest over one block of `A` packed by `packANonzeroSteps` (`rows × depth`) and one block of packed
    /// `B` (`depth × width`): for each panel of `B`, every tile, in one pass over the whole depth.
    @inlinable @inline(__always)
    public static func multiplyNonzeroSteps(
        values: UnsafePointer<Float>, offsets: UnsafePointer<UInt16>, steps: UnsafePointer<Int>,
        rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        forEachTile(rows: rows, width: width) { jr, columns, ir, height, tile in
            microKernelNonzeroSteps(
                steps: steps[tile], a: values + tile * depth * mr, offsets: offsets + tile * depth, b: b + jr * depth,
                c: c + ir * ldc + jr, ldc: ldc, rows: height, columns: columns, load: load,
                epilogue: epilogue, columnOffset: columnOffset + jr)
        }
    }

    /// `multiplyNonzeroSteps` for `A` read in place (`rows × depth`, rows `lda` apart) with the step lists of
    /// `listNonzeroSteps`: nothing of `A` is packed.
    @inlinable @inline(__always)
    public static func multiplyNonzeroStepsInPlace(
        a: UnsafePointer<Float>, lda: Int, rowOrder: UnsafePointer<UInt8>, offsets: UnsafePointer<UInt16>,
        steps: UnsafePointer<Int>, rows: Int, depth: Int, width: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, epilogue: TileEpilogue, columnOffset: Int
    ) {
        forEachTile(rows: rows, width: width) { jr, columns, ir, height, tile in
            // A tile that keeps every step runs the plain kernel: no offsets to read.
            if steps[tile] == depth {
                microKernel(
                    depth: depth, a: a, aRowStride: lda, aDepthStride: 1, b: b + jr * depth,
                    c: c + jr, ldc: ldc, rowOrder: rowOrder + ir, rows: height, columns: columns, load: load,
                    epilogue: epilogue, columnOffset: columnOffset + jr)
            } else {
                microKernelNonzeroStepsInPlace(
                    steps: steps[tile], a: a, lda: lda, offsets: offsets + tile * depth, b: b + jr * depth,
                    c: c + jr, ldc: ldc, rowOrder: rowOrder + ir, rows: height, columns: columns, load: load,
                    epilogue: epilogue, columnOffset: columnOffset + jr)
            }
        }
    }

    /// The micro-kernel over `steps` depth steps packed by `packANonzeroSteps`: the tile's values of `A` at each
    /// (`MR` apart) and the offset of its row in the packed panel of `B`. The terms are added in depth order, as
    /// `microKernel` adds them, so the result has the same bits whenever the skipped `B` are finite. A tile of up
    /// to four rows runs the four-row loop (its padding rows are zero).
    @_transparent
    public static func microKernelNonzeroSteps(
        steps: Int, a: UnsafePointer<Float>, offsets: UnsafePointer<UInt16>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, load: Bool,
        epilogue: TileEpilogue, columnOffset: Int
    ) {
        var (c0, c1, c2, c3, c4, c5) = startTile(c: c, ldc: ldc, rows: rows, columns: columns, load: load)
        var values = a
        if rows <= 4 {
            for q in 0..<steps {
                let bv = b.load16(Int(offsets[q]))
                c0 = c0.addingProduct(values[0], bv)
                c1 = c1.addingProduct(values[1], bv)
                c2 = c2.addingProduct(values[2], bv)
                c3 = c3.addingProduct(values[3], bv)
                values += mr
            }
        } else {
            for q in 0..<steps {
                let bv = b.load16(Int(offsets[q]))
                c0 = c0.addingProduct(values[0], bv)
                c1 = c1.addingProduct(values[1], bv)
                c2 = c2.addingProduct(values[2], bv)
                c3 = c3.addingProduct(values[3], bv)
                c4 = c4.addingProduct(values[4], bv)
                c5 = c5.addingProduct(values[5], bv)
                values += mr
            }
        }
        finishTile((c0, c1, c2, c3, c4, c5), c: c, ldc: ldc, rows: rows, columns: columns,
                   epilogue: epilogue, columnOffset: columnOffset)
    }

    /// `microKernelNonzeroSteps` with `A` read in place (row `i` of the tile at `a + i · lda`): each kept step's
    /// offset `p · NR` locates both its row of the panel of `B` and, divided by `NR`, its column of `A`.
    @_transparent
    public static func microKernelNonzeroStepsInPlace(
        steps: Int, a: UnsafePointer<Float>, lda: Int, offsets: UnsafePointer<UInt16>, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rowOrder: UnsafePointer<UInt8>?, rows: Int, columns: Int, load: Bool,
        epilogue: TileEpilogue, columnOffset: Int
    ) {
        var (c0, c1, c2, c3, c4, c5) = startTile(c: c, ldc: ldc, rowOrder: rowOrder, rows: rows, columns: columns, load: load)
        // Rows past `rows` re-read row 0 (in bounds); their sums are not written.
        let o = tileRowOffsets(rows: rows, rowOrder, lda)
        let (a0, a1, a2, a3, a4, a5) = (a + o.0, a + o.1, a + o.2, a + o.3, a + o.4, a + o.5)
        if rows <= 4 {
            for q in 0..<steps {
                let offset = Int(offsets[q]), p = offset &>> 4
                let bv = b.load16(offset)
                c0 = c0.addingProduct(a0[p], bv)
                c1 = c1.addingProduct(a1[p], bv)
                c2 = c2.addingProduct(a2[p], bv)
                c3 = c3.addingProduct(a3[p], bv)
            }
        } else {
            for q in 0..<steps {
                let offset = Int(offsets[q]), p = offset &>> 4
                let bv = b.load16(offset)
                c0 = c0.addingProduct(a0[p], bv)
                c1 = c1.addingProduct(a1[p], bv)
                c2 = c2.addingProduct(a2[p], bv)
                c3 = c3.addingProduct(a3[p], bv)
                c4 = c4.addingProduct(a4[p], bv)
                c5 = c5.addingProduct(a5[p], bv)
            }
        }
        finishTile((c0, c1, c2, c3, c4, c5), c: c, ldc: ldc, rowOrder: rowOrder, rows: rows, columns: columns,
                   epilogue: epilogue, columnOffset: columnOffset)
    }
}
