import NNCore
import Testing

@Suite struct TensorTests {
    @Test func createsFromScalarsAndChecksCount() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t[1, 2] == 6)
        #expect(throws: TensorError.countMismatch(shape: [2, 2], expected: 4, count: 3)) {
            try Tensor(shape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(throws: TensorError.invalidShape([2, -1])) { try Tensor.zeros([2, -1]) }
        #expect(throws: TensorError.invalidShape([Int.max, 4])) { try Tensor.zeros([Int.max, 4]) }
    }

    @Test func fillsZerosOnesAndRepeating() throws {
        #expect(try Tensor.zeros([3]).scalars == [0, 0, 0])
        #expect(try Tensor.ones([2, 1]).scalars == [1, 1])
        #expect(try Tensor(repeating: 2.5, shape: [2]).scalars == [2.5, 2.5])
    }

    @Test func hasValueSemantics() throws {
        let a = try Tensor(shape: [2], scalars: [1, 2])
        var b = a
        b.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(a.scalars == [1, 2])
        #expect(b.scalars == [9, 2])
    }

    @Test func reshapesWithInferredDimension() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try t.reshaped([3, -1]).shape == [3, 2])
        #expect(throws: TensorError.self) { try t.reshaped([4, -1]) }
        #expect(throws: TensorError.self) { try t.reshaped([-1, -1]) }
    }

    @Test func transposesAndSlicesRows() throws {
        let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let transposed = try t.transposed()
        #expect(transposed.shape == [3, 2])
        #expect(transposed.scalars == [1, 4, 2, 5, 3, 6])
        #expect(try t.rows(1..<2).scalars == [4, 5, 6])
        #expect(try t.gatherRows([1, 0, 1]).scalars == [4, 5, 6, 1, 2, 3, 4, 5, 6])
        #expect(throws: TensorError.self) { try t.rows(1..<3) }
        #expect(throws: TensorError.self) { try t.gatherRows([2]) }
    }

    @Test func broadcastsRowVectorsAndScalars() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = try Tensor(shape: [3], scalars: [10, 20, 30])
        #expect(try (x + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect(try (x * Tensor(scalar: 2)).scalars == [2, 4, 6, 8, 10, 12])
        #expect(try (x - row).scalars == [-9, -18, -27, -6, -15, -24])
        let column = try Tensor(shape: [2, 1], scalars: [1, 2])
        #expect(try (x / column).scalars == [1, 2, 3, 2, 2.5, 3])
        #expect((x * 0.5 + 1).scalars == [1.5, 2, 2.5, 3, 3.5, 4])
    }

    @Test func namesBothShapesOnMismatch() throws {
        let x = try Tensor.zeros([2, 3])
        let y = try Tensor.zeros([4])
        do {
            _ = try x + y
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("[2, 3]"))
            #expect(error.description.contains("[4]"))
        }
    }

    @Test func reduces() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, -6])
        #expect(x.sum() == 9)
        #expect(try x.mean() == 1.5)
        #expect(try x.max() == 5)
        #expect(try x.sum(alongAxis: 0).scalars == [5, 7, -3])
        #expect(try x.sum(alongAxis: 1).scalars == [6, 3])
        #expect(try x.sum(alongAxis: 1, keepingDimension: true).shape == [2, 1])
        #expect(try x.mean(alongAxis: 0).scalars == [2.5, 3.5, -1.5])
        #expect(try x.argmaxRows() == [2, 1])
        #expect(throws: TensorError.self) { try x.sum(alongAxis: 2) }
        #expect(throws: TensorError.self) { try Tensor.zeros([0]).max() }
    }

    @Test func softmaxIsStableForLargeInputs() throws {
        let x = try Tensor(shape: [2, 3], scalars: [1000, 1001, 1002, -1000, -1000, -1000])
        let y = try x.softmaxRows()
        let expected: [Float] = [0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3]
        #expect(zip(y.scalars, expected).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(y.scalars.allSatisfy { $0.isFinite })
    }

    @Test func matmulChecksShapes() throws {
        let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(try a.matmul(b).scalars == [58, 64, 139, 154])
        #expect(try a.matmul(a, transposeOther: true).scalars == [14, 32, 32, 77])
        #expect(try a.matmul(a, transposeSelf: true).shape == [3, 3])
        #expect(throws: TensorError.self) { try a.matmul(a) }
    }
}
