extension GEMM {
    /// The longest block of `A` that `orderRowsByZeros` orders: its row numbers are stored in a byte.
    static let orderableRows = 256
    /// The deepest block of `A` that `orderRowsByZeros` orders: 128 runs of eight steps.
    static let orderableDepth = 1024

    /// Bit `r` set where the run of eight floats at `row + 8r` (`r` in `0..<8`) holds a value other than ±0.
    ///
    /// The eight runs are folded together, halving the lanes per run three times, so that one vector ends up
    /// with each run's "or" in its own lane; one horizontal sum then gathers the eight bits.
    @inline(__always)
    static func nonzeroRuns(_ row: UnsafePointer<Float>) -> UInt64 {
        @inline(__always) func fold(_ x: SIMD8<UInt32>, _ y: SIMD8<UInt32>) -> SIMD8<UInt32> {
            let both = SIMD16(lowHalf: x, highHalf: y)
            return both.evenHalf | both.oddHalf
        }
        let first = fold(fold(row.loadBits8(0), row.loadBits8(8)), fold(row.loadBits8(16), row.loadBits8(24)))
        let second = fold(fold(row.loadBits8(32), row.loadBits8(40)), fold(row.loadBits8(48), row.loadBits8(56)))
        let runs = fold(first, second) & 0x7fff_ffff
        let nonzero = (runs &+ 0x7fff_ffff) &>> 31
        return UInt64((nonzero &<< SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)).wrappedSum())
    }

    /// An order of the rows of one block of `A` in place (`height × depth`, rows `lda` apart, `height ≤ 256`) in
    /// which rows with their zeros in the same places share a register tile: `order[i]` is the block row that
    /// becomes row `i` of the tiles of `listNonzeroSteps` (tiles of `tileHeight` rows, as there).
    ///
    /// A tile can leave out a depth step only where all of its rows are zero, so the fewer steps the union of its
    /// rows' nonzeros covers, the less it computes. Each row gets a 128-bit mask (in `masks`, room for two words per
    /// row, left permuted) with one bit per run of eight depth steps (`nonzeroRuns`, `depth ≤ 1024`) set where the
    /// run holds a nonzero (NaN and infinities count; −0 does not). Tiles are then filled greedily: each starts with the
    /// remaining row that has the fewest nonzero runs and takes, one at a time, the remaining row that adds the
    /// fewest runs to the tile's union (the first such row on a tie, so the order is a function of the zeros).
    /// The order changes no result: each row of `C` is summed over the same steps in the same order in any tile.
    @inline(__always)
    static func orderRowsByZeros(
        _ a: UnsafePointer<Float>, lda: Int, height: Int, depth: Int,
        masks: UnsafeMutablePointer<UInt64>, order: UnsafeMutablePointer<UInt8>
    ) {
        precondition(height <= orderableRows && depth <= orderableDepth, "a block of \(height) × \(depth) is too large to order")
        for i in 0..<height {
            let row = a + i &* lda
            var word0: UInt64 = 0, word1: UInt64 = 0, bit = 0, p = 0
            // Eight runs (64 steps) at a time: their bits never straddle the two words.
            while p &+ 64 <= depth {
                let runs = nonzeroRuns(row + p)
                if bit < 64 { word0 |= runs &<< bit } else { word1 |= runs &<< (bit &- 64) }
                bit &+= 8
                p &+= 64
            }
            while p < depth {
                let end = Swift.min(p &+ 8, depth)
                var bits: UInt32 = 0
                while p < end {
                    bits |= row[p].bitPattern
                    p &+= 1
                }
                let nonzero: UInt64 = bits & 0x7fff_ffff != 0 ? 1 : 0
                if bit < 64 { word0 |= nonzero &<< bit } else { word1 |= nonzero &<< (bit &- 64) }
                bit &+= 1
            }
            masks[2 &* i] = word0
            masks[2 &* i &+ 1] = word1
            order[i] = UInt8(truncatingIfNeeded: i)
        }
        // order[0 ..< placed] holds the tiles filled so far, order[placed ..< height] the rows still to place; the
        // masks move with their rows, so that the searches below read them in sequence.
        var placed = 0
        @inline(__always) func place(_ q: Int) -> (UInt64, UInt64) {
            let row = order[q], mask = (masks[2 &* q], masks[2 &* q &+ 1])
            order[q] = order[placed]
            masks[2 &* q] = masks[2 &* placed]
            masks[2 &* q &+ 1] = masks[2 &* placed &+ 1]
            order[placed] = row
            masks[2 &* placed] = mask.0
            masks[2 &* placed &+ 1] = mask.1
            placed &+= 1
            return mask
        }
        while placed < height {
            let rows = DefaultRegisterTile.tileHeight(remainingRows: height &- placed)
            var seed = placed, fewest = Int.max
            for q in placed..<height {
                let count = masks[2 &* q].nonzeroBitCount &+ masks[2 &* q &+ 1].nonzeroBitCount
                if count < fewest { (seed, fewest) = (q, count) }
            }
            var (union0, union1) = place(seed)
            for _ in 1..<rows {
                var best = placed, least = Int.max
                for q in placed..<height {
                    let added = (masks[2 &* q] & ~union0).nonzeroBitCount &+ (masks[2 &* q &+ 1] & ~union1).nonzeroBitCount
                    if added < least { (best, least) = (q, added) }
                }
                let (mask0, mask1) = place(best)
                union0 |= mask0
                union1 |= mask1
            }
        }
    }

    /// What the in-place skipping loops (`multiplyNonzeroStepsInPlace`) read for one block of `A` in place
    /// (`height × depth`, rows `lda` apart): its rows grouped by their zeros (`orderRowsByZeros`, into `order`,
    /// with `masks` as scratch) and each tile's kept steps listed (`listNonzeroSteps`, into `offsets` and `steps`).
    @inline(__always)
    static func groupRowsByZeros(
        _ a: UnsafePointer<Float>, lda: Int, height: Int, depth: Int, masks: UnsafeMutablePointer<UInt64>,
        order: UnsafeMutablePointer<UInt8>, offsets: UnsafeMutablePointer<UInt16>, steps: UnsafeMutablePointer<Int>
    ) {
        orderRowsByZeros(a, lda: lda, height: height, depth: depth, masks: masks, order: order)
        listNonzeroSteps(a, lda: lda, rowOrder: order, height: height, depth: depth, offsets: offsets, steps: steps)
    }
}
