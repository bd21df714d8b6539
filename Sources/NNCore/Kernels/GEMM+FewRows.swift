import NNRegisterTile

/// The path of `GEMM.multiply` for products of a few rows (`m ≤ fewRowLimit`): `B` streamed without packing, a
/// single row from L1 or from memory, rows in pairs.
extension GEMM {
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
}
