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
        // Every column block but the last is NC wide, a multiple of NR; only the last one is padded.
        let count = k * (n / nc * nc + (n % nc + nr - 1) / nr * nr)
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
