import NNKit
import NNTestSupport
import Testing

/// The source texts' worked examples and the graph's behaviour: sums over paths, freeing, no-grad, higher order.
@Suite(.serialized) struct GraphTests {
    @Test func squareExpSquare() throws {
        let x = Variable(0.5)
        let y = try pow(exp(pow(x, 2)), 2)
        try y.backward()
        #expect(abs(Double(x.grad!.data.scalars[0]) - 3.297442541400256) < 1e-5)
    }

    @Test func aVariableOnTwoPathsGetsTheSumOfItsGradients() throws {
        let x = Variable(2), y = Variable(3)
        let e = try (x + y) * x
        try e.backward()
        #expect(e.data.scalars == [10])
        #expect(x.grad!.data.scalars == [7])  // 2x + y
        #expect(y.grad!.data.scalars == [2])  // x
        let z = Variable(3)
        let w = try (z + z) + z  // DeZero's repeated-use case
        try w.backward()
        #expect(z.grad!.data.scalars == [3])
    }

    @Test func applesAndOrangesMatchTheLayerVersion() throws {
        let apple = Variable(100), appleCount = Variable(2), orange = Variable(150), orangeCount = Variable(3), tax = Variable(1.1)
        let price = try (apple * appleCount + orange * orangeCount) * tax
        try price.backward()
        #expect(abs(price.data.scalars[0] - 715) < 1e-3)
        #expect(abs(apple.grad!.data.scalars[0] - 2.2) < 1e-6)
        #expect(abs(appleCount.grad!.data.scalars[0] - 110) < 1e-4)
        #expect(abs(orange.grad!.data.scalars[0] - 3.3) < 1e-6)
        #expect(abs(orangeCount.grad!.data.scalars[0] - 165) < 1e-4)
        #expect(abs(tax.grad!.data.scalars[0] - 650) < 1e-4)
    }

    @Test func intermediateGradientsAreFreedUnlessRetained() throws {
        let x = Variable(1.5)
        let a = try exp(x)
        let y = try a * 2
        try y.backward()
        #expect(a.grad == nil)
        #expect(x.grad != nil)
        let x2 = Variable(1.5)
        let a2 = try exp(x2)
        try (try a2 * 2).backward(retainGradients: true)
        #expect(a2.grad != nil)
    }

    @Test func noGradRecordsNothing() throws {
        let x = Variable(2)
        let y = try withNoGrad { try x * x }
        #expect(y.creator == nil)
        #expect(try (x * x).creator != nil)
    }

    @Test func newtonsMethodWithSecondDerivatives() throws {
        // f(x) = x⁴ − 2x², f'(x) = 4x³ − 4x, f''(x) = 12x² − 4; from x = 2 Newton converges to 1.
        let x = Variable(2)
        for _ in 0..<10 {
            x.clearGradient()
            let y = try pow(x, 4) - 2 * pow(x, 2)
            try y.backward(createGraph: true)
            let gx = x.grad!
            x.clearGradient()
            try gx.backward()
            let gx2 = x.grad!
            x.data = try x.data - (gx.data / gx2.data)
        }
        #expect(abs(x.data.scalars[0] - 1) < 1e-5)
        // At x = 2 the first iteration's derivatives are f' = 24, f'' = 44.
        let probe = Variable(2)
        let y = try pow(probe, 4) - 2 * pow(probe, 2)
        try y.backward(createGraph: true)
        let first = probe.grad!
        #expect(first.data.scalars == [24])
        probe.clearGradient()
        try first.backward()
        #expect(probe.grad!.data.scalars == [44])
    }

    @Test func secondDerivativeOfTanh() throws {
        // d²/dx² tanh x = −2 tanh x (1 − tanh² x)
        for value: Float in [-1.2, 0.3, 0.9] {
            let x = Variable(value)
            try tanh(x).backward(createGraph: true)
            let first = x.grad!
            x.clearGradient()
            try first.backward()
            let t = Foundation.tanh(Double(value))
            #expect(abs(Double(x.grad!.data.scalars[0]) - (-2 * t * (1 - t * t))) < 1e-5)
        }
    }

    @Test func trainingLoopRunsInFlatMemory() throws {
        var generator = SeededGenerator(seed: 1)
        let w = Variable(try Tensor.randomNormal([2, 3], standardDeviation: 0.1, generator: &generator))
        let x = Variable(try Tensor.randomNormal([8, 2], generator: &generator))
        let labels = [0, 1, 2, 0, 1, 2, 0, 1]
        var released: [() -> Bool] = []
        func step(_ iteration: Int) throws {
            w.clearGradient()
            let hidden = try tanh(matmul(x, w))
            let loss = try softmaxCrossEntropy(hidden, labels: labels)
            try loss.backward()
            w.data = try w.data - w.grad!.data * 0.1
            if iteration % 500 == 0 {
                weak var weakHidden = hidden, weakLoss = loss, weakFunction = loss.creator
                released.append { weakHidden == nil && weakLoss == nil && weakFunction == nil }
            }
        }
        for i in 0..<10_000 { try step(i) }
        // Every sampled iteration's graph (result, intermediate and function) is gone once the iteration ends,
        // so memory stays flat however long the loop runs.
        #expect(released.count == 20)
        #expect(released.allSatisfy { $0() }, "a graph outlived its iteration")
        weak var intermediate: Variable?
        do {
            let hidden = try tanh(matmul(x, w))
            intermediate = hidden
            try softmaxCrossEntropy(hidden, labels: labels).backward()
        }
        #expect(intermediate == nil)
    }
}

import Foundation
