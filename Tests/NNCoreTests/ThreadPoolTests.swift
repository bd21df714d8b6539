import NNCore
import Synchronization
import Testing

@Suite(.serialized) struct ThreadPoolTests {
    @Test func runsEveryTaskOnceForManyJobs() {
        let pool = ThreadPool(threads: 3)
        for count in [1, 2, 3, 7, 64, 1000] {
            for _ in 0..<50 {
                let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
                defer { hits.deallocate() }
                hits.initialize(repeating: 0)
                let threadsSeen = Atomic<Int>(0)
                pool.parallelFor(count) { task, thread in
                    if thread >= 3 { threadsSeen.add(1, ordering: .relaxed) }
                    hits[task] += 1
                }
                #expect(hits.allSatisfy { $0 == 1 })
                #expect(threadsSeen.load(ordering: .relaxed) == 0)
            }
        }
    }

    @Test func concurrentCallersFallBackToSerialWork() async {
        let pool = ThreadPool(threads: 2)
        let total = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<20 { pool.parallelFor(10) { _, _ in total.value.add(1, ordering: .relaxed) } }
                }
            }
        }
        #expect(total.value.load(ordering: .relaxed) == 8 * 20 * 10)
    }

    @Test func forEachRangeCoversEveryElementOnceInWholeCacheLines() {
        for threads in [1, 2, 3] {
            let pool = ThreadPool(threads: threads)
            for count in [0, 1, 15, 16, 17, 63, 64, 65, 1000, 40_001] {
                let hits = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(count, 1))
                defer { hits.deallocate() }
                hits.initialize(repeating: 0)
                let calls = Atomic<Int>(0), unaligned = Atomic<Int>(0)
                pool.forEachRange(count, minimumPerThread: 8) { range in
                    calls.add(1, ordering: .relaxed)
                    if range.lowerBound % 16 != 0 { unaligned.add(1, ordering: .relaxed) }
                    for i in range { hits[i] += 1 }
                }
                #expect(hits.prefix(count).allSatisfy { $0 == 1 }, "\(count) elements on \(threads) threads")
                #expect(calls.load(ordering: .relaxed) <= threads)
                #expect(count < 2 * 8 * threads || threads == 1 || calls.load(ordering: .relaxed) > 1)
                #expect(unaligned.load(ordering: .relaxed) == 0)
            }
            let calls = Atomic<Int>(0)
            pool.forEachRange(100, minimumPerThread: 64) { _ in calls.add(1, ordering: .relaxed) }
            #expect(calls.load(ordering: .relaxed) == 1, "fewer than two threads' minimum runs as one range")
        }
    }

    @Test func gemmIsBitIdenticalAcrossThreadCounts() throws {
        var generator = SeededGenerator(seed: 4)
        let a = try Tensor.randomNormal([130, 300], generator: &generator)
        let b = try Tensor.randomNormal([300, 70], generator: &generator)
        let wide = try Tensor.randomNormal([300, 900], generator: &generator)  // few rows, many columns
        var results: [[UInt32]] = [], wideResults: [[UInt32]] = []
        for threads in [1, 2, 3] {
            try ComputeContext(threads: threads).run {
                results.append(try a.matmul(b).scalars.map(\.bitPattern))
                wideResults.append(try a.rows(0..<10).matmul(wide).scalars.map(\.bitPattern))
            }
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
        #expect(wideResults[0] == wideResults[1])
        #expect(wideResults[0] == wideResults[2])
    }

    /// A product split by columns on several threads (`B` wider than `A` is tall) gives the bits of one thread,
    /// with a fused bias and ReLU and with zeros of `A` skipped.
    @Test func columnSplitGivesTheBitsOfOneThread() throws {
        let (m, n, k) = (40, 272, 300)
        var generator = SeededGenerator(seed: 9)
        var a = try Tensor.randomNormal([m * k], generator: &generator).scalars
        for i in 0..<m { for p in 0..<k where (p / 10 + i) % 3 == 0 { a[i * k + p] = 0 } }
        let b = try Tensor.randomNormal([k * n], generator: &generator).scalars
        let bias = try Tensor.randomNormal([n], generator: &generator).scalars
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            try ComputeContext(threads: threads).run {
                for skip in [false, true] {
                    var c = [Float](repeating: 0, count: m * n)
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            bias.withUnsafeBufferPointer { bias in
                                c.withUnsafeMutableBufferPointer { c in
                                    GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                                                  c: c.baseAddress!, ldc: n, options: .init(epilogue: .biasReLU(bias.baseAddress!), skipZerosInA: skip))
                                }
                            }
                        }
                    }
                    results.append(c.map(\.bitPattern))
                }
            }
        }
        for (index, result) in results.enumerated().dropFirst() {
            let mismatches = zip(result, results[0]).filter { $0 != $1 }.count
            #expect(mismatches == 0, "run \(index): \(mismatches) of \(result.count) elements differ")
        }
    }
}

final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
