@testable import NNCore
import Testing

/// GEMM against a naive triple loop in `Double`, across the three forms, odd sizes and block edges.
@Suite struct GEMMTests {
    static let sizes: [(Int, Int, Int)] = [
        (1, 1, 1), (3, 5, 7), (6, 16, 1), (1, 200, 37), (1, 10, 128), (2, 10, 3), (2, 83, 19), (3, 64, 5), (4, 117, 66), (7, 17, 3), (13, 33, 257), (97, 31, 300), (128, 40, 784), (5, 2100, 9), (16, 64, 600), (11, 48, 1030), (20, 528, 70), (1, 150, 130), (3, 100, 203),
    ]

    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    s += Double(x) * Double(y)
                }
                c[i * n + j] = s
            }
        }
        return c
    }

    /// `GEMM.multiply` of `m × k` `a` and `k × n` `b` (stored transposed as asked) into `c`, whose matrix starts
    /// `offset` floats in, with `bias` added (then ReLU when `relu`).
    func multiply(
        _ a: [Float], _ b: [Float], into c: inout [Float], offset: Int = 0, m: Int, n: Int, k: Int,
        transposeA: Bool, transposeB: Bool, accumulate: Bool, bias: [Float], relu: Bool,
        packedB: GEMM.PackedMatrix? = nil, skipZerosInA: Bool = false
    ) {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    c.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: transposeA ? m : k, transposeA: transposeA,
                                      b: b.baseAddress!, ldb: transposeB ? k : n, transposeB: transposeB,
                                      c: c.baseAddress! + offset, ldc: n, options: .init(accumulate: accumulate, epilogue: relu ? .biasReLU(bias.baseAddress!) : .bias(bias.baseAddress!), packedB: packedB, skipZerosInA: skipZerosInA))
                    }
                }
            }
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matchesNaiveProduct(transposeA: Bool, transposeB: Bool) throws {
        for (m, n, k) in Self.sizes {
            var generator = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k))
            let a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(
                            m: m, n: n, k: k, a: a.baseAddress!, lda: transposeA ? m : k, transposeA: transposeA,
                            b: b.baseAddress!, ldb: transposeB ? k : n, transposeB: transposeB, c: c.baseAddress!, ldc: n)
                    }
                }
            }
            let expected = naive(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            let worst = zip(c, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-4 * Double(k).squareRoot() + 1e-6, "m=\(m) n=\(n) k=\(k) worst=\(worst)")
        }
    }

    @Test(arguments: [(7, 19, 5), (1, 83, 5), (2, 70, 4), (3, 19, 6), (8, 32, 9), (10, 48, 700), (1, 70, 301)])
    func accumulatesAndAppliesEpilogue(m: Int, n: Int, k: Int) {
        let a = (0..<(m * k)).map { Float($0 % 7) - 3 }
        let b = (0..<(k * n)).map { Float($0 % 5) - 2 }
        let bias = (0..<n).map { Float($0) - 9 }
        let product = naive(a, b, m: m, n: n, k: k, transposeA: false, transposeB: false)
        var c = [Float](repeating: 1, count: m * n)
        var fused = [Float](repeating: 0, count: m * n)
        var rectified = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n, options: .init(accumulate: true))
                }
                bias.withUnsafeBufferPointer { bias in
                    fused.withUnsafeMutableBufferPointer { f in
                        GEMM.multiply(
                            m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n, c: f.baseAddress!, ldc: n,
                            options: .init(epilogue: .biasReLU(bias.baseAddress!)))
                    }
                }
                rectified.withUnsafeMutableBufferPointer { r in
                    GEMM.multiply(
                        m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n, c: r.baseAddress!, ldc: n, options: .init(epilogue: .relu))
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                #expect(c[i * n + j] == Float(product[i * n + j] + 1))
                #expect(fused[i * n + j] == max(0, Float(product[i * n + j]) + bias[j]))
                #expect(rectified[i * n + j] == max(0, Float(product[i * n + j])))
            }
        }
    }

    /// On several threads a product is split into one sub-product per thread: by columns when it is at least as
    /// wide as tall (or has at most `MC` rows), else by rows. Every split gives the bits of one thread, for each
    /// form, with accumulation and a fused epilogue, and with the columns before an aligned `C` (`n ≥ 1024`).
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func everyThreadCountGivesTheBitsOfOne(transposeA: Bool, transposeB: Bool) throws {
        for (m, n, k) in [(301, 70, 50), (790, 256, 128), (200, 410, 33), (150, 1030, 20)] {
            var generator = SeededGenerator(seed: UInt64(m * 31 + n * 7 + k))
            let a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            let start = try Tensor.randomUniform([m * n + 5], low: -1, high: 1, generator: &generator).scalars
            let bias = try Tensor.randomUniform([n], low: -1, high: 1, generator: &generator).scalars
            var results: [[UInt32]] = []
            for threads in [1, 2, 3] {
                try ComputeContext(threads: threads).run {
                    var c = start
                    // C starts 5 floats into its buffer, so it is not 64-byte aligned.
                    multiply(a, b, into: &c, offset: 5, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                             accumulate: true, bias: bias, relu: true)
                    results.append(c.map(\.bitPattern))
                }
            }
            #expect(results[1] == results[0] && results[2] == results[0], "m=\(m) n=\(n) k=\(k)")
            let expected = naive(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            var worst = 0.0
            for i in 0..<(m * n) {
                let want = Swift.max(Double(start[i + 5]) + expected[i] + Double(bias[i % n]), 0)
                worst = Swift.max(worst, abs(Double(Float(bitPattern: results[0][i + 5])) - want))
            }
            #expect(worst < 1e-4 * Double(k).squareRoot(), "m=\(m) n=\(n) k=\(k) worst=\(worst)")
            #expect(Array(results[0].prefix(5)) == start.prefix(5).map(\.bitPattern))
        }
    }

    @Test func emptyInnerDimensionGivesZeroOrKeepsC() {
        var c: [Float] = [5, 5]
        let none: [Float] = [0]
        none.withUnsafeBufferPointer { p in
            c.withUnsafeMutableBufferPointer { c in
                GEMM.multiply(m: 1, n: 2, k: 0, a: p.baseAddress!, lda: 1, b: p.baseAddress!, ldb: 2, c: c.baseAddress!, ldc: 2)
            }
        }
        #expect(c == [0, 0])
    }
    /// A `B` packed once gives bit for bit the product of a `B` packed inside `multiply`, across column blocks
    /// (n > NC), several depth blocks, partial panels and both storage orders; the packing is reused for a new `B`.
    @Test(arguments: [false, true])
    func prepackedBMatchesPackingEveryTime(transposeB: Bool) throws {
        var packed = GEMM.PackedMatrix()
        for (m, n, k) in [(5, 40, 9), (13, 2100, 20), (30, 17, 1100), (64, 256, 784), (7, 16, 1)] {
            var generator = SeededGenerator(seed: UInt64(m * 31 + n + k))
            let a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            let bias = try Tensor.randomUniform([n], low: -1, high: 1, generator: &generator).scalars
            var expected = [Float](repeating: .nan, count: m * n), actual = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    bias.withUnsafeBufferPointer { bias in
                        let ldb = transposeB ? k : n
                        GEMM.pack(k: k, n: n, b: b.baseAddress!, ldb: ldb, transposeB: transposeB, into: &packed)
                        expected.withUnsafeMutableBufferPointer { c in
                            GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: ldb,
                                          transposeB: transposeB, c: c.baseAddress!, ldc: n, options: .init(epilogue: .biasReLU(bias.baseAddress!)))
                        }
                        actual.withUnsafeMutableBufferPointer { c in
                            GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: ldb,
                                          transposeB: transposeB, c: c.baseAddress!, ldc: n, options: .init(epilogue: .biasReLU(bias.baseAddress!), packedB: packed))
                        }
                    }
                }
            }
            #expect(packed.depth == k && packed.width == n)
            #expect(actual == expected, "m=\(m) n=\(n) k=\(k)")
        }
    }
    /// A `B` packed from rows scattered over a buffer (`packRows`, as a convolution packs runs of its padded
    /// sample) gives the product of the gathered matrix bit for bit, for few rows, panel tails and several depth
    /// blocks.
    @Test func packingScatteredRowsGivesTheProductOfTheGatheredMatrix() throws {
        for (m, n, k) in [(3, 40, 9), (16, 840, 144), (13, 2100, 20), (30, 17, 1100), (7, 16, 1)] {
            var generator = SeededGenerator(seed: UInt64(m * 7 + n + k))
            let base = try Tensor.randomUniform([k * 3 + n + 5], low: -1, high: 1, generator: &generator).scalars
            // Overlapping runs, as the rows of a wide column matrix are.
            let offsets = (0..<k).map { ($0 * 7919) % (k * 3 + 5) }
            let gathered = offsets.flatMap { base[$0..<($0 + n)] }
            let a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
            var expected = [Float](repeating: .nan, count: m * n), actual = [Float](repeating: .nan, count: m * n)
            var packed = [Float](repeating: .nan, count: GEMM.packedCount(k: k, n: n))
            multiply(a, gathered, into: &expected, m: m, n: n, k: k, transposeA: false, transposeB: false, accumulate: false,
                     bias: [Float](repeating: 0, count: n), relu: false)
            base.withUnsafeBufferPointer { base in
                offsets.withUnsafeBufferPointer { offsets in
                    packed.withUnsafeMutableBufferPointer { packed in
                        GEMM.packRows(base.baseAddress!, rowOffsets: offsets.baseAddress!, k: k, n: n, into: packed.baseAddress!)
                        a.withUnsafeBufferPointer { a in
                            actual.withUnsafeMutableBufferPointer { c in
                                let zeros = [Float](repeating: 0, count: n)
                                zeros.withUnsafeBufferPointer { bias in
                                    GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, packedB: UnsafePointer(packed.baseAddress!),
                                                  c: c.baseAddress!, ldc: n, options: .init(epilogue: .bias(bias.baseAddress!)))
                                }
                            }
                        }
                    }
                }
            }
            #expect(!packed.contains { $0.isNaN }, "every packed float written, m=\(m) n=\(n) k=\(k)")
            #expect(actual == expected, "m=\(m) n=\(n) k=\(k)")
        }
    }

    /// A single row against a large `B` is streamed in blocks; reading the blocks last to first gives the same
    /// bits as first to last, for column and depth tails, one block or many, and a transposed `A`.
    @Test(arguments: [false, true])
    func streamedRowIsTheSameInBothDirections(transposeA: Bool) throws {
        for (n, k) in [(150, 130), (256, 784), (70, 301), (64, 1000), (4000, 37), (128, 256)] {
            var generator = SeededGenerator(seed: UInt64(n * 7 + k))
            // A single row stored transposed is a column: k values lda = 1 apart, the same memory.
            let a = try Tensor.randomUniform([k], low: -1, high: 1, generator: &generator).scalars
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            let start = try Tensor.randomUniform([n], low: -1, high: 1, generator: &generator).scalars
            func streamed(backward: Bool) -> [Float] {
                var c = start
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            GEMM.multiply(m: 1, n: n, k: k, a: a.baseAddress!, lda: transposeA ? 1 : k, transposeA: transposeA,
                                          b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n, options: .init(accumulate: true, epilogue: .relu, streamBackward: backward))
                        }
                    }
                }
                return c
            }
            let (forward, backward) = (streamed(backward: false), streamed(backward: true))
            #expect(forward == backward, "n=\(n) k=\(k)")
            let expected = naive(a, b, m: 1, n: n, k: k, transposeA: false, transposeB: false)
            let worst = zip(forward, zip(expected, start)).map { abs(Double($0) - max(0, $1.0 + Double($1.1))) }.max() ?? 0
            #expect(worst < 1e-4 * Double(k).squareRoot(), "n=\(n) k=\(k) worst=\(worst)")
        }
    }

    /// A wide `C` that does not start on a cache line has its first columns computed apart so the tiles align;
    /// the result is the same, bit for bit, as with `C` aligned: with a bias, with accumulation, with `Bᵀ`, and
    /// with `ldc > n`.
    @Test(arguments: [false, true])
    func misalignedCGivesTheSameBitsAsAlignedC(transposeB: Bool) throws {
        for (m, n, k, ldc) in [(13, 1040, 70, 1040), (7, 1030, 33, 1040), (20, 2048, 9, 2048)] {
            var generator = SeededGenerator(seed: UInt64(m * 17 + n + k))
            let a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            let bias = try Tensor.randomUniform([n], low: -1, high: 1, generator: &generator).scalars
            let start = try Tensor.randomUniform([m * ldc], low: -1, high: 1, generator: &generator).scalars
            let storage = UnsafeMutableRawPointer.allocate(byteCount: (m * ldc + 16) * 4, alignment: 64)
            defer { storage.deallocate() }
            var results: [[Float]] = []
            for offset in [0, 1, 4, 12] {
                let c = storage.bindMemory(to: Float.self, capacity: m * ldc + 16) + offset
                #expect(GEMM.columnsBeforeAlignedC(c: c, ldc: ldc, n: n) == (16 - offset) % 16)
                c.initialize(from: start, count: m * ldc)
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        bias.withUnsafeBufferPointer { bias in
                            GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: transposeB ? k : n,
                                          transposeB: transposeB, c: c, ldc: ldc, options: .init(accumulate: true, epilogue: .bias(bias.baseAddress!)))
                        }
                    }
                }
                results.append(Array(UnsafeBufferPointer(start: c, count: m * ldc)))
            }
            for (offset, result) in zip([1, 4, 12], results.dropFirst()) {
                let differing = zip(result, results[0]).filter { $0 != $1 }.count
                #expect(differing == 0, "m=\(m) n=\(n) k=\(k) offset=\(offset)")
            }
            let expected = naive(a, b, m: m, n: n, k: k, transposeA: false, transposeB: transposeB)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<ldc {
                    let want = j < n ? expected[i * n + j] + Double(start[i * ldc + j]) + Double(bias[j]) : Double(start[i * ldc + j])
                    worst = max(worst, abs(Double(results[0][i * ldc + j]) - want))
                }
            }
            #expect(worst < 1e-4 * Double(k).squareRoot() + 1e-6, "m=\(m) n=\(n) k=\(k) worst=\(worst)")
        }
    }

    /// A single row that skips the rows of `B` meeting a zero of `A` gives the same bits as reading them all, with
    /// column tails, several blocks, both directions and a transposed `A`; so does a row of zeros.
    @Test(arguments: [false, true])
    func skippingZerosOfAGivesTheSameBits(transposeA: Bool) throws {
        for (n, k, zeroEvery) in [(150, 130, 2), (256, 784, 3), (70, 301, 1), (4000, 37, 2), (128, 256, 5)] {
            var generator = SeededGenerator(seed: UInt64(n * 3 + k))
            var a = try Tensor.randomUniform([k], low: -1, high: 1, generator: &generator).scalars
            for p in a.indices where p % (zeroEvery + 1) != 0 || zeroEvery == 1 { a[p] = 0 }
            if zeroEvery == 1 { a[k / 2] = 0.5 }
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            func product(skipping: Bool, backward: Bool) -> [Float] {
                var c = [Float](repeating: .nan, count: n)
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            GEMM.multiply(m: 1, n: n, k: k, a: a.baseAddress!, lda: transposeA ? 1 : k, transposeA: transposeA,
                                          b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n, options: .init(streamBackward: backward, skipZerosInA: skipping))
                        }
                    }
                }
                return c
            }
            let dense = product(skipping: false, backward: false)
            #expect(product(skipping: true, backward: false) == dense, "n=\(n) k=\(k)")
            #expect(product(skipping: true, backward: true) == dense, "n=\(n) k=\(k)")
            let expected = naive(a, b, m: 1, n: n, k: k, transposeA: false, transposeB: false)
            let worst = zip(dense, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-4 * Double(k).squareRoot(), "n=\(n) k=\(k) worst=\(worst)")
        }
        var zeros = [Float](repeating: 0, count: 300), c = [Float](repeating: .nan, count: 100)
        let b = [Float](repeating: 1, count: 300 * 100)
        zeros.withUnsafeMutableBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: 1, n: 100, k: 300, a: a.baseAddress!, lda: 300, b: b.baseAddress!, ldb: 100,
                                  c: c.baseAddress!, ldc: 100, options: .init(skipZerosInA: true))
                }
            }
        }
        #expect(c.allSatisfy { $0 == 0 && $0.sign == .plus })
    }

    /// `op(A)` as `m × k` with structured zeros: whole depth steps zero across every row (as an image's border
    /// is across a batch), steps zero in some rows only, a `-0` and a NaN (kept, never skipped).
    func sparseA(m: Int, k: Int, transposeA: Bool, generator: inout SeededGenerator) throws -> [Float] {
        var a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
        for i in 0..<m {
            for p in 0..<k where p % 3 == 0 || (p + i) % 5 < 2 {
                a[transposeA ? p * m + i : i * k + p] = 0
            }
        }
        a[transposeA ? (k / 2) * m : k / 2] = -0.0
        if m > 2 && k > 4 { a[transposeA ? 3 * m + 2 : 2 * k + 3] = .nan }
        return a
    }

    /// The packed path with `skipZerosInA` gives the same bits as reading every step, for both forms of each
    /// operand, tile and column edges, in-place and packed `A` (`n` above 512), several depth blocks (`k` above
    /// 800), several row blocks, accumulation and both fused epilogues, and with the packing made ahead of time.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func skippingZerosOnThePackedPathGivesTheSameBits(transposeA: Bool, transposeB: Bool) throws {
        for (m, n, k) in [(5, 16, 9), (7, 37, 30), (13, 256, 784), (64, 33, 128), (150, 600, 40), (20, 40, 1030), (128, 256, 131)] {
            var generator = SeededGenerator(seed: UInt64(m * 7 + n * 3 + k))
            let a = try sparseA(m: m, k: k, transposeA: transposeA, generator: &generator)
            let b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            let start = try Tensor.randomUniform([m * n], low: -1, high: 1, generator: &generator).scalars
            let bias = try Tensor.randomUniform([n], low: -1, high: 1, generator: &generator).scalars
            var packedB = GEMM.PackedMatrix()
            b.withUnsafeBufferPointer {
                GEMM.pack(k: k, n: n, b: $0.baseAddress!, ldb: transposeB ? k : n, transposeB: transposeB, into: &packedB)
            }
            func product(skipping: Bool, accumulate: Bool, relu: Bool, prepacked: Bool) -> [UInt32] {
                var c = start
                multiply(a, b, into: &c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                         accumulate: accumulate, bias: bias, relu: relu, packedB: prepacked ? packedB : nil, skipZerosInA: skipping)
                return c.map(\.bitPattern)
            }
            for (accumulate, relu) in [(false, false), (true, false), (false, true)] {
                let dense = product(skipping: false, accumulate: accumulate, relu: relu, prepacked: false)
                #expect(product(skipping: true, accumulate: accumulate, relu: relu, prepacked: false) == dense,
                        "m=\(m) n=\(n) k=\(k) accumulate=\(accumulate) relu=\(relu)")
                #expect(product(skipping: true, accumulate: accumulate, relu: relu, prepacked: true) == dense,
                        "prepacked m=\(m) n=\(n) k=\(k) accumulate=\(accumulate) relu=\(relu)")
            }
            let dense = product(skipping: false, accumulate: false, relu: false, prepacked: false).map(Float.init(bitPattern:))
            let expected = naive(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
            for (index, (got, want)) in zip(dense, expected).enumerated() where !want.isNaN {
                let target = want + Double(bias[index % n])
                #expect(abs(Double(got) - target) < 1e-4 * Double(k).squareRoot(), "m=\(m) n=\(n) k=\(k) at \(index)")
            }
        }
    }

    /// On several threads a product that skips the zeros of `A` in place and is split by columns orders the rows
    /// of `A` once for all threads (`multiplySkippingZerosByColumns`): every thread count gives the bits of one
    /// thread keeping every step, with `B` in both forms, accumulation and a fused epilogue, rows cut into several
    /// parts (more than `MC`), columns computed apart to align `C` (`n ≥ 1024`), and a share of `B` that holds an
    /// infinity (its thread keeps every step there: `0 · ∞` stays NaN).
    @Test(arguments: [false, true])
    func skippingZerosOnSeveralThreadsGivesTheBitsOfOneThread(transposeB: Bool) throws {
        for (m, n, k, infinity) in [(128, 256, 784, false), (150, 600, 40, false), (40, 1040, 30, false), (30, 200, 64, true)] {
            var generator = SeededGenerator(seed: UInt64(m * 13 + n + k))
            let a = try sparseA(m: m, k: k, transposeA: false, generator: &generator)
            var b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
            // Row 0 of op(B) is zero in every row of A (`sparseA`), so an infinity there meets only zeros.
            if infinity { b[transposeB ? (n - 3) * k : n - 3] = .infinity }
            let start = try Tensor.randomUniform([m * n + 5], low: -1, high: 1, generator: &generator).scalars
            let bias = try Tensor.randomUniform([n], low: -1, high: 1, generator: &generator).scalars
            func product(threads: Int, skipping: Bool) -> [UInt32] {
                return ComputeContext(threads: threads).run {
                    var c = start
                    multiply(a, b, into: &c, offset: 5, m: m, n: n, k: k, transposeA: false, transposeB: transposeB,
                             accumulate: true, bias: bias, relu: false, skipZerosInA: skipping)
                    return c.map(\.bitPattern)
                }
            }
            let dense = product(threads: 1, skipping: false)
            for threads in [1, 2, 3] {
                #expect(product(threads: threads, skipping: true) == dense, "m=\(m) n=\(n) k=\(k) threads=\(threads)")
            }
            if infinity { #expect(Float(bitPattern: dense[5 + n - 3]).isNaN) }
        }
    }

    /// `packANonzeroSteps` of a transposed `A` (its full tiles packed sample by sample) gives the values, step
    /// offsets and counts of packing the same `op(A)` stored untransposed, and keeps exactly the steps at which
    /// some row of a tile is not ±0.
    @Test func packingTransposedAWithItsNonzeroStepsMatchesTheUntransposedPacking() throws {
        let (m, k) = (29, 40)
        var generator = SeededGenerator(seed: 12)
        let a = try sparseA(m: m, k: k, transposeA: false, generator: &generator)
        let aT = (0..<k * m).map { a[($0 % m) * k + $0 / m] }
        let tiles = (m + GEMM.mr - 1) / GEMM.mr
        func packing(_ source: [Float], transposed: Bool) -> (values: [Float], offsets: [UInt16], steps: [Int]) {
            var values = [Float](repeating: 7, count: tiles * GEMM.mr * k)
            var offsets = [UInt16](repeating: 0, count: tiles * k), steps = [Int](repeating: -1, count: tiles)
            source.withUnsafeBufferPointer {
                GEMM.packANonzeroSteps($0.baseAddress!, lda: transposed ? m : k, transposed: transposed, row: 0, column: 0,
                                       height: m, depth: k, into: &values, offsets: &offsets, steps: &steps)
            }
            return (values, offsets, steps)
        }
        let plain = packing(a, transposed: false), transposed = packing(aT, transposed: true)
        #expect(transposed.steps == plain.steps)
        var row = 0
        for tile in 0..<tiles {
            let rows = min(GEMM.mr, m - row)
            let kept = (0..<k).filter { p in (0..<rows).contains { a[(row + $0) * k + p].bitPattern & 0x7fff_ffff != 0 } }
            #expect(transposed.steps[tile] == kept.count, "tile \(tile)")
            let stepOffsets = Array(transposed.offsets[(tile * k)...].prefix(kept.count))
            #expect(stepOffsets == plain.offsets[(tile * k)...].prefix(kept.count).map { $0 })
            #expect(stepOffsets.map { Int($0) / GEMM.nr } == kept, "tile \(tile)")
            let values = Array(transposed.values[(tile * GEMM.mr * k)...].prefix(kept.count * GEMM.mr))
            #expect(values.map(\.bitPattern) == plain.values[(tile * GEMM.mr * k)...].prefix(kept.count * GEMM.mr).map(\.bitPattern))
            row += rows
        }
        #expect(transposed.steps.contains { $0 < k } && transposed.steps.contains { $0 > 0 })
    }

    /// A zero of `A` that meets an infinity of `B` still gives NaN (`0 · ∞`): the packed path checks `B`, or the
    /// prepacked `B`'s `isFinite`, and keeps every term of a block that is not finite.
    @Test(arguments: [false, true])
    func skippingZerosKeepsTheTermsOfABlockOfBThatIsNotFinite(prepacked: Bool) throws {
        let (m, n, k) = (12, 40, 50)
        var generator = SeededGenerator(seed: 11)
        var a = try Tensor.randomUniform([m * k], low: -1, high: 1, generator: &generator).scalars
        for i in 0..<m { a[i * k + 7] = 0 }
        var b = try Tensor.randomUniform([k * n], low: -1, high: 1, generator: &generator).scalars
        b[7 * n + 21] = .infinity
        var packedB = GEMM.PackedMatrix()
        b.withUnsafeBufferPointer { GEMM.pack(k: k, n: n, b: $0.baseAddress!, ldb: n, into: &packedB) }
        #expect(!packedB.isFinite)
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                  c: c.baseAddress!, ldc: n, options: .init(packedB: prepacked ? packedB : nil, skipZerosInA: true))
                }
            }
        }
        for i in 0..<m {
            #expect(c[i * n + 21].isNaN, "row \(i)")
            #expect(c[i * n + 20].isFinite, "row \(i)")
        }
    }

    /// `skippableDepthFraction` counts the steps at which six rows in a row are all zero, on three tiles.
    @Test func skippableDepthFractionCountsStepsZeroInSixRows() {
        let (m, k) = (24, 10)
        var a = [Float](repeating: 1, count: m * k)
        // Tiles start at rows 6, 12 and 18. Step 0 is zero in all three tiles, step 1 in two, step 2 in one row of
        // each only: 5 of 3 × 10 steps.
        for i in 0..<m { a[i * k] = 0 }
        for i in 6..<18 { a[i * k + 1] = 0 }
        for i in [6, 12, 18] { a[i * k + 2] = 0 }
        a.withUnsafeBufferPointer {
            #expect(GEMM.skippableDepthFraction(m: m, k: k, a: $0.baseAddress!, lda: k) == 5.0 / 30)
        }
        var transposed = [Float](repeating: 0, count: m * k)
        for i in 0..<m { for p in 0..<k { transposed[p * m + i] = a[i * k + p] } }
        transposed.withUnsafeBufferPointer {
            #expect(GEMM.skippableDepthFraction(m: m, k: k, a: $0.baseAddress!, lda: m, transposeA: true) == 5.0 / 30)
        }
        [Float](repeating: 0, count: 4 * 3).withUnsafeBufferPointer {
            #expect(GEMM.skippableDepthFraction(m: 4, k: 3, a: $0.baseAddress!, lda: 3) == 1)
        }
    }

    /// `allFinite` finds an infinity or a NaN wherever it is: in each of the four sums of the 64-float body, in
    /// the 16-float steps after it, or in the tail.
    @Test func allFiniteFindsInfinitiesAndNaNs() {
        let finite = (0..<150).map { Float($0) * 1e30 - 1e31 }
        finite.withUnsafeBufferPointer { #expect(Kernels.allFinite($0)) }
        [Float]().withUnsafeBufferPointer { #expect(Kernels.allFinite($0)) }
        for position in [0, 20, 40, 63, 64, 127, 128, 143, 144, 149] {
            for bad in [Float.infinity, -.infinity, .nan] {
                var values = finite
                values[position] = bad
                values.withUnsafeBufferPointer { #expect(!Kernels.allFinite($0), "\(bad) at \(position)") }
            }
        }
    }

    /// The register-tile loop compiled for x86-64-v4 (`AVX512Kernels.multiplyBlock`, used on CPUs with AVX-512)
    /// gives the bits of `NNCore`'s copy for the default target, on blocks with short tiles and panels, `A` packed and in place,
    /// with and without `C` loaded, and every epilogue.
    @Test(.enabled(if: Kernels.avx512)) func avx512TileLoopGivesTheBitsOfTheDefaultOne() {
        var generator = SeededGenerator(seed: 9)
        for (rows, width, depth) in [(1, 1, 1), (5, 17, 3), (6, 16, 40), (13, 47, 29), (8, 33, 64), (20, 70, 7)] {
            let a = (0..<rows * depth).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let b = (0..<depth * width).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let start = (0..<rows * width).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let bias = (0..<width).map { _ in Float(generator.nextUnitDouble() - 0.5) }
            let panels = (width + GEMM.nr - 1) / GEMM.nr
            var packedB = [Float](repeating: 0, count: panels * GEMM.nr * depth)
            var packedA = [Float](repeating: 0, count: (rows + GEMM.mr) * depth)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    packedB.withUnsafeMutableBufferPointer {
                        GEMM.packB(b.baseAddress!, ldb: width, transposed: false, row: 0, column: 0, depth: depth, width: width, into: $0.baseAddress!)
                    }
                }
                packedA.withUnsafeMutableBufferPointer {
                    GEMM.packA(a.baseAddress!, lda: depth, transposed: false, row: 0, column: 0, height: rows, depth: depth, into: $0.baseAddress!)
                }
            }
            for aInPlace in [false, true] {
                for load in [false, true] {
                    for epilogue in 0..<4 {
                        var wide = start, here = start
                        bias.withUnsafeBufferPointer { bias in
                            let tileEpilogue: GEMM.Epilogue = [.none, .bias(bias.baseAddress!), .biasReLU(bias.baseAddress!), .relu][epilogue]
                            (aInPlace ? a : packedA).withUnsafeBufferPointer { a in
                                packedB.withUnsafeBufferPointer { b in
                                    wide.withUnsafeMutableBufferPointer {
                                        GEMM.multiplyBlock(
                                            rows: rows, width: width, depth: depth, a: a.baseAddress!, lda: depth, aInPlace: aInPlace,
                                            b: b.baseAddress!, c: $0.baseAddress!, ldc: width, load: load, epilogue: tileEpilogue, columnOffset: 0,
                                            avx512: true)
                                    }
                                    here.withUnsafeMutableBufferPointer {
                                        GEMM.multiplyBlock(
                                            rows: rows, width: width, depth: depth, a: a.baseAddress!, lda: depth, aInPlace: aInPlace,
                                            b: b.baseAddress!, c: $0.baseAddress!, ldc: width, load: load, epilogue: tileEpilogue, columnOffset: 0,
                                            avx512: false)
                                    }
                                }
                            }
                        }
                        #expect(wide.map(\.bitPattern) == here.map(\.bitPattern),
                                "\(rows)×\(width)×\(depth), A in place \(aInPlace), load \(load), epilogue \(epilogue)")
                        #expect(wide != start || rows == 0)
                    }
                }
            }
        }
    }

    /// The same for the loops that skip zero steps of `A` (`RegisterTile.multiplyNonzeroSteps` on `A` packed with
    /// its kept steps, `multiplyNonzeroStepsInPlace` on `A` in place with its rows ordered by their zeros).
    @Test(.enabled(if: Kernels.avx512)) func avx512SkippingTileLoopsGiveTheBitsOfTheDefaultOnes() {
        var generator = SeededGenerator(seed: 10)
        for (rows, width, depth) in [(5, 17, 24), (13, 47, 40), (20, 70, 64)] {
            // Half of A's steps are zero in runs of eight, so whole steps of a tile are skipped.
            let a = (0..<rows * depth).map { $0 % depth / 8 % 2 == 0 ? 0 : Float(generator.nextUnitDouble() * 2 - 1) }
            let b = (0..<depth * width).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let start = (0..<rows * width).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
            let tiles = (rows + GEMM.mr - 1) / GEMM.mr + 1
            var packedB = [Float](repeating: 0, count: (width + GEMM.nr - 1) / GEMM.nr * GEMM.nr * depth)
            var values = [Float](repeating: 0, count: tiles * GEMM.mr * depth)
            var offsets = [UInt16](repeating: 0, count: tiles * depth), steps = [Int](repeating: 0, count: tiles)
            var inPlaceOffsets = offsets, inPlaceSteps = steps
            var masks = [UInt64](repeating: 0, count: 2 * rows), order = [UInt8](repeating: 0, count: rows)
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    packedB.withUnsafeMutableBufferPointer {
                        GEMM.packB(b.baseAddress!, ldb: width, transposed: false, row: 0, column: 0, depth: depth, width: width, into: $0.baseAddress!)
                    }
                }
                GEMM.packANonzeroSteps(a.baseAddress!, lda: depth, transposed: false, row: 0, column: 0, height: rows, depth: depth,
                                       into: &values, offsets: &offsets, steps: &steps)
                GEMM.orderRowsByZeros(a.baseAddress!, lda: depth, height: rows, depth: depth, masks: &masks, order: &order)
                GEMM.listNonzeroSteps(a.baseAddress!, lda: depth, rowOrder: order, height: rows, depth: depth,
                                      offsets: &inPlaceOffsets, steps: &inPlaceSteps)
            }
            #expect(steps.prefix(tiles - 1).contains { $0 < depth }, "no step skipped")
            for load in [false, true] {
                // The products of both copies of the loops: A packed with its kept steps, and A in place.
                let products = [true, false].map { avx512 in
                    var packed = start, inPlace = start
                    packedB.withUnsafeBufferPointer { b in
                        GEMM.multiplyNonzeroSteps(values: values, offsets: offsets, steps: steps, rows: rows, depth: depth, width: width,
                                                  b: b.baseAddress!, c: &packed, ldc: width, load: load, epilogue: .relu, columnOffset: 0,
                                                  avx512: avx512)
                        GEMM.multiplyNonzeroStepsInPlace(
                            a: a, lda: depth, rowOrder: order, offsets: inPlaceOffsets, steps: inPlaceSteps, rows: rows, depth: depth,
                            width: width, b: b.baseAddress!, c: &inPlace, ldc: width, load: load, epilogue: .none, columnOffset: 0,
                            avx512: avx512)
                    }
                    return (packed, inPlace)
                }
                let ((wide, wideInPlace), (here, hereInPlace)) = (products[0], products[1])
                #expect(wide.map(\.bitPattern) == here.map(\.bitPattern), "packed \(rows)×\(width)×\(depth), load \(load)")
                #expect(wideInPlace.map(\.bitPattern) == hereInPlace.map(\.bitPattern), "in place \(rows)×\(width)×\(depth), load \(load)")
                #expect(wideInPlace != start && wide != start)
            }
        }
    }
}
