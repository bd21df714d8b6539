extension GEMM {
    /// The longest block of `A` that `orderRowsByZeros` orders: its row numbers are stored in a byte.
    static let orderableRows = 256

    /// An order of the rows of one block of `A` in place (`height × depth`, rows `lda` apart, `height ≤ 256`) in
    /// which rows with their zeros in the same places come next to each other: `order[i]` is the block row that
    /// becomes row `i` of the register tiles of `listNonzeroSteps`.
    ///
    /// A tile can leave out a depth step only where all of its rows are zero, so grouping rows by their zeros
    /// lets more steps go. Each row gets a key with one bit per run of depth steps (at most 56 runs, at least
    /// eight steps each, the first run the highest bit) set where the run holds a nonzero (NaN and infinities
    /// count; −0 does not), and the row number in its low byte; the rows are sorted by key. On Fashion-MNIST
    /// batches of 128 images this raises the skippable steps of the first layer from 16 % to about 30 %. The order
    /// changes no result: each row of `C` is summed over the same steps in the same order in any tile.
    @inline(__always)
    static func orderRowsByZeros(
        _ a: UnsafePointer<Float>, lda: Int, height: Int, depth: Int,
        keys: UnsafeMutablePointer<UInt64>, order: UnsafeMutablePointer<UInt8>
    ) {
        precondition(height <= orderableRows, "a block of \(height) rows is too tall to order")
        let run = Swift.max(8, ((depth + 55) / 56 + 7) / 8 * 8)
        for i in 0..<height {
            let row = a + i &* lda
            var key = UInt64(i), bit: UInt64 = 63, p = 0
            while p < depth {
                let end = Swift.min(p &+ run, depth)
                var bits = SIMD8<UInt32>()
                while p &+ 8 <= end {
                    bits |= row.loadBits8(p)
                    p &+= 8
                }
                var tail: UInt32 = 0
                while p < end {
                    tail |= row[p].bitPattern
                    p &+= 1
                }
                let half = bits.lowHalf | bits.highHalf, quarter = half.lowHalf | half.highHalf
                let nonzero = (quarter[0] | quarter[1] | tail) & 0x7fff_ffff != 0
                key |= nonzero ? 1 &<< bit : 0
                bit &-= 1
            }
            keys[i] = key
        }
        var sorted = UnsafeMutableBufferPointer(start: keys, count: height)
        sorted.sort()
        for i in 0..<height { order[i] = UInt8(truncatingIfNeeded: keys[i]) }
    }
}
