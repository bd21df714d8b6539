import Foundation
import NNCore
import Testing

@Suite struct SoftmaxKernelTests {
    /// Three rows of 11 columns: the vector body and the scalar tail both take part.
    static let logits: [Float] = (0..<33).map { Float(($0 * 37) % 23) * 0.3 - 3 }

    static func reference(_ x: [Float], columns: Int) -> [[Double]] {
        stride(from: 0, to: x.count, by: columns).map { start in
            let row = x[start..<start + columns].map(Double.init)
            let m = row.max()!
            let logSum = m + Foundation.log(row.map { Foundation.exp($0 - m) }.reduce(0, +))
            return row.map { $0 - logSum }
        }
    }

    @Test func softmaxAndLogSoftmaxMatchDouble() {
        let expected = Self.reference(Self.logits, columns: 11).flatMap { $0 }
        var p = [Float](repeating: 0, count: 33), logP = [Float](repeating: 0, count: 33)
        Self.logits.withUnsafeBufferPointer { x in
            p.withUnsafeMutableBufferPointer { Kernels.softmaxRows(x.baseAddress!, rows: 3, columns: 11, into: $0.baseAddress!) }
            logP.withUnsafeMutableBufferPointer { Kernels.logSoftmaxRows(x.baseAddress!, rows: 3, columns: 11, into: $0.baseAddress!) }
        }
        for i in 0..<33 {
            #expect(abs(Double(p[i]) - Foundation.exp(expected[i])) < 1e-7)
            #expect(abs(Double(logP[i]) - expected[i]) < 2e-6)
        }
    }

    @Test func logSoftmaxStaysExactForHugeMargins() throws {
        let y = try Tensor(shape: [2, 2], scalars: [1000, 0, -3e38, 3e38]).logSoftmaxRows()
        // −6 × 10³⁸ is below the Float range: −∞ is the correctly rounded answer.
        #expect(y.scalars == [0, -1000, -.infinity, 0])
    }

    @Test func crossEntropyAgainstLabelsAndDistributions() {
        let labels = [3, 10, 0]
        let expectedRows = Self.reference(Self.logits, columns: 11)
        let expected = -zip(expectedRows, labels).map { $0[$1] }.reduce(0, +)
        var p = [Float](repeating: 0, count: 33)
        let total = Self.logits.withUnsafeBufferPointer { x in
            p.withUnsafeMutableBufferPointer { p in
                Kernels.softmaxCrossEntropy(x.baseAddress!, rows: 3, columns: 11, labels: labels, into: p.baseAddress!)
            }
        }
        #expect(abs(total - expected) < 1e-5)
        // In place: the probabilities overwrite the logits and the loss is unchanged.
        var inPlace = Self.logits
        let inPlaceTotal = inPlace.withUnsafeMutableBufferPointer { x in
            Kernels.softmaxCrossEntropy(x.baseAddress!, rows: 3, columns: 11, labels: labels, into: x.baseAddress!)
        }
        #expect(inPlaceTotal == total && inPlace == p)
        // A soft target: half on the label, half spread evenly.
        var targets = [Float](repeating: 0.05, count: 33)
        for (r, label) in labels.enumerated() { targets[r * 11 + label] = 0.55 }
        let soft = Self.logits.withUnsafeBufferPointer { x in
            p.withUnsafeMutableBufferPointer { p in
                Kernels.softmaxCrossEntropy(x.baseAddress!, rows: 3, columns: 11, targets: targets, into: p.baseAddress!)
            }
        }
        let softExpected = -(0..<3).map { r in (0..<11).map { Double(targets[r * 11 + $0]) * expectedRows[r][$0] }.reduce(0, +) }.reduce(0, +)
        #expect(abs(soft - softExpected) < 1e-5)
    }
}
