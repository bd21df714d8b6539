@testable import NNCore
import Testing

/// `GEMM.orderRowsByZeros`: the order in which the skipping path tiles the rows of `A` in place.
@Suite struct GEMMRowOrderTests {
    /// 24 rows of depth 64 that alternate between nonzeros in the first half and in the second, so that no six
    /// consecutive rows share a zero step; rows 2 and 6 also hold a NaN and an infinity in their zero half, and
    /// row 4 a −0 there.
    static let (height, depth) = (24, 64)
    static let alternating: [Float] = {
        var a = [Float](repeating: 0, count: height * depth)
        for i in 0..<height {
            for p in 0..<depth where (p < depth / 2) == i.isMultiple(of: 2) { a[i * depth + p] = Float(i + 1) }
        }
        a[2 * depth + 50] = .nan
        a[6 * depth + 60] = .infinity
        a[4 * depth + 40] = -0.0
        return a
    }()

    static func order(_ a: [Float]) -> [Int] {
        var masks = [UInt64](repeating: 0, count: 2 * height), order = [UInt8](repeating: 0, count: height)
        a.withUnsafeBufferPointer { a in
            GEMM.orderRowsByZeros(a.baseAddress!, lda: depth, height: height, depth: depth,
                                  masks: &masks, order: &order)
        }
        return order.map(Int.init)
    }

    /// The kept steps of each tile of `listNonzeroSteps` with rows taken in `order`.
    static func keptSteps(_ a: [Float], order: [Int]) -> [Int] {
        let tiles = (height + GEMM.mr - 1) / GEMM.mr
        var offsets = [UInt16](repeating: 0, count: tiles * depth), steps = [Int](repeating: 0, count: tiles)
        let bytes = order.map { UInt8($0) }
        a.withUnsafeBufferPointer { a in
            bytes.withUnsafeBufferPointer { rowOrder in
                GEMM.listNonzeroSteps(a.baseAddress!, lda: depth, rowOrder: rowOrder.baseAddress!, height: height, depth: depth,
                                      offsets: &offsets, steps: &steps)
            }
        }
        return steps
    }

    @Test func rowsWithTheSameZerosShareATile() {
        let order = Self.order(Self.alternating)
        #expect(order.sorted() == Array(0..<Self.height))
        // Four tiles of six: the even rows, whose second half is zero (−0 counting as zero), in two tiles, rows 2
        // and 6 (a NaN and an infinity in that half) together; the odd rows in the other two.
        let tiles = stride(from: 0, to: Self.height, by: GEMM.mr).map { Set(order[$0 ..< $0 + GEMM.mr]) }
        for tile in tiles {
            #expect(tile.allSatisfy { $0.isMultiple(of: 2) } || tile.allSatisfy { !$0.isMultiple(of: 2) }, "\(tile.sorted())")
        }
        #expect(tiles.contains { $0.isSuperset(of: [2, 6]) })
    }

    /// Rows whose nonzeros nest (each row's a subset of the next one's) dealt out between rows nonzero elsewhere:
    /// the tile that starts with the sparsest row takes the nested rows, each adding one run to its union.
    @Test func nestedRowsShareATile() {
        let depth = 64
        // Even rows 2i: nonzero in the first 8·(i+1) steps; odd rows: in the last 16.
        var a = [Float](repeating: 0, count: 12 * depth)
        for i in 0..<6 {
            for p in 0 ..< 8 * (i + 1) { a[(2 * i) * depth + p] = 1 }
            for p in depth - 16 ..< depth { a[(2 * i + 1) * depth + p] = 1 }
        }
        var masks = [UInt64](repeating: 0, count: 24), order = [UInt8](repeating: 0, count: 12)
        a.withUnsafeBufferPointer {
            GEMM.orderRowsByZeros($0.baseAddress!, lda: depth, height: 12, depth: depth, masks: &masks, order: &order)
        }
        #expect(Set(order[0..<6].map(Int.init)) == [0, 2, 4, 6, 8, 10])
    }

    /// `nonzeroRuns` sets bit `r` for each run of eight values holding something other than ±0.
    @Test func nonzeroRunsFindsEachRun() {
        for run in 0..<8 {
            for (position, value) in [(0, Float(1)), (7, .nan), (3, -.infinity), (5, .leastNonzeroMagnitude)] {
                var row = [Float](repeating: 0, count: 64)
                row[run * 8 + (run + 1) % 8] = -0.0
                row[run * 8 + position] = value
                #expect(row.withUnsafeBufferPointer { GEMM.nonzeroRuns($0.baseAddress!) } == 1 << UInt64(run))
            }
        }
        let zeros = [Float](repeating: -0.0, count: 64)
        #expect(zeros.withUnsafeBufferPointer { GEMM.nonzeroRuns($0.baseAddress!) } == 0)
    }

    @Test func groupedTilesSkipTheStepsTheirRowsShare() {
        let identity = Self.keptSteps(Self.alternating, order: Array(0..<Self.height))
        #expect(identity == [64, 64, 64, 64])
        let grouped = Self.keptSteps(Self.alternating, order: Self.order(Self.alternating))
        // Three tiles keep their half; the one with rows 2 and 6 also their steps 50 and 60.
        #expect(grouped.sorted() == [32, 32, 32, 34])
    }

    /// The product through the grouped tiles writes each row of `C` where it belongs, with the bits of the dense
    /// product, on a single block and on blocks split over rows and depth.
    @Test(arguments: [(24, 64), (150, 900)])
    func groupedProductGivesTheDenseBits(rows: Int, depth: Int) throws {
        let n = 40
        var generator = SeededGenerator(seed: UInt64(rows + depth))
        var a = try Tensor.randomUniform([rows * depth], low: -1, high: 1, generator: &generator).scalars
        for i in 0..<rows {
            // Four zero patterns, dealt out so that neighbouring rows differ.
            for p in 0..<depth where (p / 8) % 4 != i % 4 { a[i * depth + p] = 0 }
        }
        let b = try Tensor.randomUniform([depth * n], low: -1, high: 1, generator: &generator).scalars
        func product(skipping: Bool) -> [UInt32] {
            var c = [Float](repeating: 0, count: rows * n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(m: rows, n: n, k: depth, a: a.baseAddress!, lda: depth, b: b.baseAddress!, ldb: n,
                                      c: c.baseAddress!, ldc: n, options: .init(skipZerosInA: skipping))
                    }
                }
            }
            return c.map(\.bitPattern)
        }
        let dense = product(skipping: false), skipping = product(skipping: true)
        let mismatches = zip(dense, skipping).filter { $0 != $1 }.count
        #expect(mismatches == 0, "\(mismatches) of \(dense.count) elements differ")
    }
}
