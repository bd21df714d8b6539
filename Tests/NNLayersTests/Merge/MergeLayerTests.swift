import NNLayers
import NNTestSupport
import Testing

/// Add, Multiply and Concatenate: literal forward values, gradients against central differences, shape errors.
@Suite struct MergeLayerTests {
    let a = try! Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = try! Tensor(shape: [2, 3], scalars: [10, 20, 30, 40, 50, 60])
    let c = try! Tensor(shape: [2, 3], scalars: [-1, 0.5, 2, -2, 1, 0])

    @Test func addSumsItsInputs() throws {
        let add = try Add(inputShapes: [[3], [3], [3]])
        #expect(try add.forward([a, b, c], training: true).scalars == [10, 22.5, 35, 42, 56, 66])
        let gradient = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try add.inputGradients(for: gradient).map(\.scalars) == Array(repeating: gradient.scalars, count: 3))
    }

    /// With ReLU fused (the network's fusion pass): the rectified sum, for two inputs and for three.
    @Test func addAppliesAFusedReLU() throws {
        let d = try Tensor(shape: [2, 3], scalars: [-20, 0, -40, 1, -60, -1])
        #expect(try Add(inputShapes: [[3], [3]]).forward([b, d], training: true, applying: .relu).scalars == [0, 20, 0, 41, 0, 59])
        #expect(try Add(inputShapes: [[3], [3], [3]]).forward([a, d, c], training: false, applying: .relu).scalars == [0, 2.5, 0, 3, 0, 5])
    }

    @Test func multiplyTakesTheProductAndSwapsInBackward() throws {
        let multiply = try Multiply(inputShapes: [[3], [3]])
        #expect(try multiply.forward([a, b], training: true).scalars == [10, 40, 90, 160, 250, 360])
        let ones = try Tensor(repeating: 1, shape: [2, 3])
        let gradients = try multiply.inputGradients(for: ones)
        #expect(gradients[0].scalars == b.scalars)
        #expect(gradients[1].scalars == a.scalars)
        let three = try Multiply(inputShapes: [[3], [3], [3]])
        #expect(try three.forward([a, b, c], training: true).scalars == [-10, 20, 180, -320, 250, 0])
    }

    @Test func concatenateJoinsChannelsOfEverySample() throws {
        // Two samples of [1, 2] and [2, 2] channels × width.
        let x = try Tensor(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        let y = try Tensor(shape: [2, 2, 2], scalars: [10, 11, 12, 13, 20, 21, 22, 23])
        let concatenate = try Concatenate(inputShapes: [[1, 2], [2, 2]])
        let joined = try concatenate.forward([x, y], training: true)
        #expect(joined.shape == [2, 3, 2])
        #expect(joined.scalars == [1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23])
        let parts = try concatenate.inputGradients(for: joined)
        #expect(parts[0].scalars == x.scalars && parts[0].shape == x.shape)
        #expect(parts[1].scalars == y.scalars && parts[1].shape == y.shape)
        // The last axis (width) instead of channels.
        let byWidth = try Concatenate(inputShapes: [[2, 1], [2, 2]], axis: -1)
        let wide = try byWidth.forward([try Tensor(shape: [1, 2, 1], scalars: [1, 2]), try Tensor(shape: [1, 2, 2], scalars: [3, 4, 5, 6])], training: true)
        #expect(wide.shape == [1, 2, 3] && wide.scalars == [1, 3, 4, 2, 5, 6])
    }

    @Test func gradientsMatchCentralDifferences() throws {
        let x = GradientCheck.sample([3, 4], seed: 1), y = GradientCheck.sample([3, 4], seed: 2), z = GradientCheck.sample([3, 4], seed: 3)
        let layers: [(any MergeLayer, [Tensor])] = [
            (try Add(inputShapes: [[4], [4]]), [x, y]),
            (try Add(inputShapes: [[4], [4], [4]]), [x, y, z]),
            (try Multiply(inputShapes: [[4], [4]]), [x, y]),
            (try Multiply(inputShapes: [[4], [4], [4]]), [x, y, z]),
            (try Concatenate(inputShapes: [[4], [4]]), [x, y]),
            (try Concatenate(inputShapes: [[2, 2, 2], [1, 2, 2]]), [GradientCheck.sample([2, 2, 2, 2], seed: 4), GradientCheck.sample([2, 1, 2, 2], seed: 5)]),
            (try Concatenate(inputShapes: [[2, 2, 2], [2, 2, 1]], axis: 2), [GradientCheck.sample([2, 2, 2, 2], seed: 6), GradientCheck.sample([2, 2, 2, 1], seed: 7)]),
        ]
        for (layer, inputs) in layers {
            let report = try GradientCheck.check(layer, inputs: inputs)
            #expect(report.worstError < 1e-3, "\(type(of: layer)): \(report)")
        }
    }

    @Test func inputsOfDifferentShapesAreRejected() {
        #expect(throws: ConfigurationError.self) { try Add(inputShapes: [[3], [4]]) }
        #expect(throws: ConfigurationError.self) { try Multiply(inputShapes: [[2, 2], [2]]) }
        #expect(throws: ConfigurationError.self) { try Concatenate(inputShapes: [[2, 3, 3], [2, 4, 3]]) }
        #expect(throws: ConfigurationError.self) { try Concatenate(inputShapes: [[2], [3]], axis: 1) }
        #expect(throws: LayerError.self) { try Add(inputShapes: [[3], [3]]).forward([a, Tensor([1, 2, 3])], training: true) }
        #expect(throws: LayerError.self) { try Add(inputShapes: [[3], [3]]).inputGradients(for: a) }
    }

    @Test func buffersAreReusedAndResultsHeldByCallersKeepTheirValues() throws {
        let add = try Add(inputShapes: [[3], [3]])
        let first = try add.forward([a, b], training: true)
        let second = try add.forward([a, a], training: true)
        #expect(first.scalars == [11, 22, 33, 44, 55, 66])
        #expect(second.scalars == [2, 4, 6, 8, 10, 12])
    }
}
