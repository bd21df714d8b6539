import Foundation
import NNKit
import NNTestSupport
import Testing

/// Each operation: forward against literal values, backward against numerical differentiation.
@Suite struct OperationTests {
    let a = try! Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 1.5, 0.25, -0.75])
    let b = try! Tensor(shape: [2, 3], scalars: [1, 2, -0.5, 0.75, -1.5, 3])
    let row = try! Tensor(shape: [3], scalars: [0.5, -2, 1.25])
    let positive = try! Tensor(shape: [2, 2], scalars: [0.5, 1.5, 2, 3])

    func value(_ f: ([Variable]) throws -> Variable, _ inputs: Tensor...) throws -> [Float] {
        try f(inputs.map { Variable($0) }).data.scalars
    }

    @Test func arithmeticForward() throws {
        #expect(try value({ try $0[0] + $0[1] }, a, b) == [1.5, 1, 1.5, 2.25, -1.25, 2.25])
        #expect(try value({ try $0[0] - $0[1] }, a, row) == [0, 1, 0.75, 1, 2.25, -2])
        #expect(try value({ try $0[0] * $0[1] }, a, b) == [0.5, -2, -1, 1.125, -0.375, -2.25])
        #expect(try value({ try $0[0] / $0[1] }, a, b) == [0.5, -0.5, -4, 2, -1.0 / 6, -0.25])
        #expect(try value({ try -$0[0] }, row) == [-0.5, 2, -1.25])
        #expect(try value({ try pow($0[0], 3) }, row) == [0.125, -8, 1.953125])
    }

    @Test(arguments: ["add", "subtract", "multiply", "divide", "negate", "power", "broadcast add", "broadcast multiply", "scalar"])
    func arithmeticGradients(_ name: String) throws {
        let f: ([Variable]) throws -> Variable
        var inputs = [a, b]
        switch name {
        case "add": f = { try $0[0] + $0[1] }
        case "subtract": f = { try $0[0] - $0[1] }
        case "multiply": f = { try $0[0] * $0[1] }
        case "divide": f = { try $0[0] / $0[1] }
        case "negate": f = { try -$0[0] }
        case "power": f = { try pow($0[0], 3) }
        case "broadcast add": inputs = [a, row]; f = { try $0[0] + $0[1] }
        case "broadcast multiply": inputs = [a, row]; f = { try $0[1] * $0[0] }
        default: inputs = [a]; f = { try 2 * $0[0] - 1 }
        }
        let worst = try AutogradCheck.worstError(inputs, f)
        #expect(worst < 2e-3, "\(name): \(worst)")
    }

    @Test func functionsForward() throws {
        let x = try Tensor(shape: [3], scalars: [0, 1, -2])
        #expect(approximatelyEqual(try value({ try exp($0[0]) }, x), [1, 2.7182817, 0.13533528]))
        #expect(approximatelyEqual(try value({ try log($0[0]) }, positive), [-0.6931472, 0.4054651, 0.6931472, 1.0986123]))
        #expect(approximatelyEqual(try value({ try sqrt($0[0]) }, positive), [0.70710677, 1.2247449, 1.4142135, 1.7320508]))
        #expect(approximatelyEqual(try value({ try tanh($0[0]) }, x), [0, 0.7615942, -0.9640276]))
        #expect(approximatelyEqual(try value({ try sigmoid($0[0]) }, x), [0.5, 0.7310586, 0.11920292]))
        #expect(try value({ try relu($0[0]) }, x) == [0, 1, 0])
        #expect(approximatelyEqual(try value({ try softmax($0[0]) }, try Tensor(shape: [1, 3], scalars: [0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691]))
        #expect(approximatelyEqual(try value({ try logSoftmax($0[0]) }, try Tensor(shape: [1, 3], scalars: [0.3, 2.9, 4.0])),
                                   [-4.0057, -1.4057, -0.3057], tolerance: 1e-4))
    }

    @Test(arguments: ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softmax", "logSoftmax"])
    func functionGradients(_ name: String) throws {
        let f: ([Variable]) throws -> Variable = switch name {
        case "exp": { try exp($0[0]) }
        case "log": { try log($0[0]) }
        case "sqrt": { try sqrt($0[0]) }
        case "tanh": { try tanh($0[0]) }
        case "sigmoid": { try sigmoid($0[0]) }
        case "relu": { try relu($0[0]) }
        case "softmax": { try softmax($0[0]) }
        default: { try logSoftmax($0[0]) }
        }
        let input = ["log", "sqrt"].contains(name) ? positive : a
        #expect(try AutogradCheck.worstError([input], step: 1e-3, f) < 2e-3, "\(name)")
    }

    @Test func shapeOperationsForward() throws {
        #expect(try Sum()(Variable(a)).data.scalars == [2.5])
        #expect(try sum(Variable(a), axis: 0).data.scalars == [2, -0.75, 1.25])
        #expect(try sum(Variable(a), axis: 1, keepingDimension: true).shape == [2, 1])
        #expect(try mean(Variable(a), axis: 1).data.scalars == [0.5, 1.0 / 3])
        #expect(try reshape(Variable(a), [3, 2]).shape == [3, 2])
        #expect(try transpose(Variable(a)).data.scalars == [0.5, 1.5, -1, 0.25, 2, -0.75])
        #expect(try broadcast(Variable(row), to: [2, 3]).data.scalars == [0.5, -2, 1.25, 0.5, -2, 1.25])
        #expect(try sumTo(Variable(a), [1, 3]).data.scalars == [2, -0.75, 1.25])
        #expect(try rows(Variable(a), [1, 1, 0]).data.scalars == [1.5, 0.25, -0.75, 1.5, 0.25, -0.75, 0.5, -1, 2])
        #expect(try matmul(Variable(a), Variable(b), transposeB: true).data.scalars == [-2.5, 7.875, 2.375, -1.5])
    }

    @Test(arguments: ["sum", "sum axis 0", "sum axis 1 kept", "mean", "reshape", "transpose", "broadcast", "sumTo", "rows", "rows twice"])
    func shapeGradients(_ name: String) throws {
        let f: ([Variable]) throws -> Variable = switch name {
        case "sum": { try sum($0[0]) }
        case "sum axis 0": { try sum($0[0], axis: 0) }
        case "sum axis 1 kept": { try sum($0[0], axis: 1, keepingDimension: true) }
        case "mean": { try mean($0[0], axis: 0) }
        case "reshape": { try reshape($0[0], [3, 2]) }
        case "transpose": { try transpose($0[0]) }
        case "broadcast": { try broadcast(sum($0[0], axis: 0), to: [4, 3]) }
        case "sumTo": { try sumTo($0[0], [1, 3]) }
        case "rows": { try rows($0[0], [1, 0]) }
        default: { try rows($0[0], [1, 1, 0, 1]) }
        }
        #expect(try AutogradCheck.worstError([a], f) < 2e-3, "\(name)")
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulGradients(transposeA: Bool, transposeB: Bool) throws {
        let x = GradientCheck.sample(transposeA ? [4, 3] : [3, 4], seed: 1)
        let w = GradientCheck.sample(transposeB ? [5, 4] : [4, 5], seed: 2)
        let worst = try AutogradCheck.worstError([x, w]) { try matmul($0[0], $0[1], transposeA: transposeA, transposeB: transposeB) }
        #expect(worst < 2e-3)
    }

    @Test func softmaxCrossEntropyMatchesTheLayerLoss() throws {
        let logits = GradientCheck.sample([4, 5], seed: 3, range: 2)
        let labels = [1, 4, 0, 2]
        let x = Variable(logits)
        let loss = try softmaxCrossEntropy(x, labels: labels)
        try loss.backward()
        let layer = SoftmaxWithLoss()
        let expected = try layer.forward(logits, targets: .classIndices(labels))
        #expect(abs(loss.data.scalars[0] - expected) < 1e-5)
        #expect(approximatelyEqual(x.grad!.data.scalars, try layer.backward().scalars, tolerance: 1e-5))
        #expect(try AutogradCheck.worstError([logits]) { try softmaxCrossEntropy($0[0], labels: labels) } < 2e-3)
        #expect(throws: TensorError.self) { try softmaxCrossEntropy(Variable(logits), labels: [7, 0, 0, 0]) }
    }
}
