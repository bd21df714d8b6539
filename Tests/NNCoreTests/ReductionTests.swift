import NNCore
import Testing

/// The reductions in `Double` lanes against plain sums in `Double`, over lengths on both sides of the 8-wide step.
@Suite struct ReductionTests {
    @Test(arguments: [0, 1, 7, 8, 9, 100, 1027])
    func sumsMatchAPlainDoubleLoop(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count) + 1)
        let a = (0..<count).map { _ in Float(generator.nextUnitDouble() * 4 - 1) }
        let b = (0..<count).map { _ in Float(generator.nextUnitDouble() * 2 - 1) }
        let mean = 0.75
        let (sum, squares, dot) = (a.reduce(0.0) { $0 + Double($1) }, a.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) },
                                   zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                let (base, other) = (x.baseAddress ?? UnsafePointer(bitPattern: 16)!, y.baseAddress ?? UnsafePointer(bitPattern: 16)!)
                #expect(abs(Kernels.sum(base, count: count) - sum) <= 1e-12 * Swift.max(1, abs(sum)))
                #expect(abs(Kernels.sumOfSquaredDeviations(base, count: count, mean: mean) - squares) <= 1e-12 * Swift.max(1, squares))
                let both = Kernels.sumAndDot(base, other, count: count)
                #expect(abs(both.sum - sum) <= 1e-12 * Swift.max(1, abs(sum)))
                #expect(abs(both.dot - dot) <= 1e-12 * Swift.max(1, abs(dot)))
            }
        }
        // A literal case: [1, 2, 3] around 2 → 1 + 0 + 1.
        let literal: [Float] = [1, 2, 3]
        literal.withUnsafeBufferPointer { #expect(Kernels.sumOfSquaredDeviations($0.baseAddress!, count: 3, mean: 2) == 2) }
    }
}
