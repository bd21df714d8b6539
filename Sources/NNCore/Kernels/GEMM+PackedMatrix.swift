extension GEMM {
    /// The right operand `op(B)` of a product, packed once into the panels the micro-kernel reads, so that
    /// products with the same `B` (a layer's weights during inference) skip packing it every time.
    /// The value is only meaningful for the `B`, `k` and `n` it was packed from; `multiply` checks the sizes.
    public struct PackedMatrix: Sendable {
        /// Rows of `op(B)`: the depth `k` of the products it serves.
        public internal(set) var depth = 0
        /// Columns of `op(B)`: the width `n` of the products it serves.
        public internal(set) var width = 0
        /// Whether every value is finite (no infinity or NaN), so that `multiply` may skip the terms that meet a
        /// zero of `A` (`skipZerosInA`).
        public internal(set) var isFinite = true
        /// Every `NC × KC` block of `op(B)`, in the order `multiply` visits them, each as `NR`-wide panels.
        var storage: [Float] = []

        /// An empty packing, to be filled by `GEMM.pack`.
        public init() {}
    }

    /// Packs `op(B)` (`k × n`; stored `n × k` when `transposeB`) into `packed`, reusing its storage when the size
    /// has not changed.
    public static func pack(
        k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false, into packed: inout PackedMatrix
    ) {
        precondition(k >= 0 && n >= 0, "GEMM.pack: negative size \(k) × \(n)")
        let count = packedCount(k: k, n: n)
        packed.depth = k
        packed.width = n
        if packed.storage.count != count {
            packed.storage = [Float](repeating: 0, count: count)
        }
        packed.storage.withUnsafeMutableBufferPointer { storage in
            forEachBlockOfB(k: k, n: n) { block in
                packB(b, ldb: ldb, transposed: transposeB, row: block.row, column: block.column, depth: block.depth,
                      width: block.width, into: storage.baseAddress! + block.packedOffset)
            }
            packed.isFinite = Kernels.allFinite(UnsafeBufferPointer(storage))
        }
    }
}

extension GEMM {
    /// Floats that `op(B)` (`k × n`) takes packed: every column block but the last is `NC` wide, a multiple of
    /// `NR`; only the last one is padded to whole panels.
    public static func packedCount(k: Int, n: Int) -> Int {
        k * (n / nc * nc + (n % nc + nr - 1) / nr * nr)
    }

    /// Packs a `k × n` `B` whose row `p` is the `n` contiguous floats at `base + rowOffsets[p]` into `packed`
    /// (`packedCount(k:n:)` floats), in the layout `multiply(m:n:k:a:lda:transposeA:packedB:c:ldc:options:)`
    /// reads. A column matrix whose rows are runs of one padded sample is packed this way straight from the
    /// sample, without being written out first.
    public static func packRows(
        _ base: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>, k: Int, n: Int, into packed: UnsafeMutablePointer<Float>
    ) {
        forEachBlockOfB(k: k, n: n) { block in
            let destination = packed + block.packedOffset
            var j0 = 0
            while j0 < block.width {
                let panel = destination + j0 &* block.depth
                let columns = Swift.min(nr, block.width &- j0), first = base + (block.column &+ j0)
                if columns == nr {
                    for p in 0..<block.depth { panel.store16(first.load16(rowOffsets[block.row &+ p]), p &* nr) }
                } else {
                    for p in 0..<block.depth {
                        let source = first + rowOffsets[block.row &+ p], out = panel + p &* nr
                        for j in 0..<nr { out[j] = j < columns ? source[j] : 0 }
                    }
                }
                j0 &+= nr
            }
        }
    }

    /// `C[m×n] = op(A)[m×k] · B[k×n]` (plus `C` when `options.accumulate`, then `options.epilogue`) with `B`
    /// already packed at `packedB` by `packRows` or `pack` for this `k` and `n`; `options.packedB` and
    /// `skipZerosInA` are not used. Runs on the current `ComputeContext`'s threads (rows split between them).
    public static func multiply(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        packedB: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, options: Options = Options()
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            return multiply(m: m, n: n, k: 0, a: a, lda: lda, b: packedB, ldb: n, c: c, ldc: ldc, options: options)
        }
        multiplyPacked(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: packedB, ldb: n, transposeB: false,
                       prepackedB: packedB, c: c, ldc: ldc, accumulate: options.accumulate, epilogue: options.epilogue,
                       skipZerosInA: false)
    }
}
