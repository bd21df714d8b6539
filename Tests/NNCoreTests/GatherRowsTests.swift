import NNCore
import Testing

/// `Kernels.gatherRows`: byte rows picked by index, converted and scaled, in the order given.
@Suite struct GatherRowsTests {
    static func gather(_ source: [UInt8], rowLength: Int, rows: [Int], scale: Float) -> [Float] {
        var y = [Float](repeating: -1, count: rows.count * rowLength)
        source.withUnsafeBufferPointer { s in
            rows.withUnsafeBufferPointer { r in
                y.withUnsafeMutableBufferPointer {
                    Kernels.gatherRows(of: s.baseAddress!, rowLength: rowLength, at: r, scale: scale, into: $0.baseAddress!)
                }
            }
        }
        return y
    }

    @Test func literalRows() {
        let y = Self.gather([0, 1, 2, 3, 4, 5, 6, 7, 255], rowLength: 3, rows: [2, 0, 2, 1], scale: 0.5)
        #expect(y == [3, 3.5, 127.5, 0, 0.5, 1, 3, 3.5, 127.5, 1.5, 2, 2.5])
    }

    /// Rows longer than the staging buffer's share go through it one at a time; many short rows take several
    /// rounds of staging. Either way each value is its byte times the scale.
    @Test func rowsAcrossSeveralStagingRounds() {
        var generator = SeededGenerator(seed: 11)
        for rowLength in [7_000, 13, 784] {
            let sampleCount = 50
            let source = (0..<(sampleCount * rowLength)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let rows = (0..<37).map { _ in generator.nextInt(below: sampleCount) }
            let y = Self.gather(source, rowLength: rowLength, rows: rows, scale: 1 / 255)
            var expected: [Float] = []
            for row in rows { expected += source[(row * rowLength)..<((row + 1) * rowLength)].map { Float($0) * (1 / 255 as Float) } }
            #expect(y == expected, "row length \(rowLength)")
        }
    }

    @Test func noRowsWritesNothing() {
        #expect(Self.gather([1, 2, 3], rowLength: 3, rows: [], scale: 1).isEmpty)
    }
}
