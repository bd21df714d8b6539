import NNLayers
import Testing

/// Layers keep their output and gradient tensors and write the next batch into the same storage, so a
/// training step allocates no tensor storage after the first batch; results a caller keeps never change.
@Suite struct BufferReuseTests {
    func makeNetwork() throws -> Sequential {
        Sequential([
            Flatten(), try Linear(inputSize: 12, outputSize: 8, seed: 1), ReLU(),
            try Linear(inputSize: 8, outputSize: 6, seed: 2), Sigmoid(), try Linear(inputSize: 6, outputSize: 3, seed: 3),
        ])
    }

    func input(_ offset: Float) throws -> Tensor {
        try Tensor(shape: [4, 3, 4], scalars: (0..<48).map { Float($0 % 7) * 0.1 - 0.3 + offset })
    }

    func image(_ offset: Float) throws -> Tensor {
        try Tensor(shape: [4, 3, 4, 4], scalars: (0..<192).map { Float($0 % 11) * 0.1 - 0.5 + offset })
    }

    /// The address of a tensor's storage (the tensor itself is released by the caller right after).
    func address(_ tensor: Tensor) -> Int {
        tensor.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
    }

    /// One training step; returns the storage addresses of the logits and of the loss gradient.
    func step(_ network: Sequential, _ loss: SoftmaxWithLoss, _ x: Tensor) throws -> [Int] {
        let logits = try network.forward(x, training: true)
        _ = try loss.forward(logits, targets: .classIndices([0, 2, 1, 2]))
        let gradient = try loss.backward()
        try network.backward(gradient, needsInputGradient: false)
        return [address(logits), address(gradient)]
    }

    @Test func trainingStepsReuseStorage() throws {
        let network = try makeNetwork()
        let loss = SoftmaxWithLoss()
        let batch = try input(0)
        let first = try step(network, loss, batch)
        // Blocks of the same sizes take any storage freed by the first step, so storage that was freed and
        // allocated again cannot pass for reused storage.
        let blockers = (0..<64).map { [Float](repeating: Float($0), count: 12 + $0 % 3) }
        let second = try step(network, loss, batch)
        let third = try step(network, loss, try input(0.05))
        #expect(first == second)
        #expect(second == third)
        #expect(blockers.count == 64)
    }

    @Test func convolutionStepsReuseStorage() throws {
        let network = Sequential([
            try Conv2D(inputShape: [3, 4, 4], filters: 2, kernel: [3, 3], padding: [1, 1], seed: 5), ReLU(),
            try MaxPool2D(inputShape: [2, 4, 4], kernel: [2, 2]), Flatten(), try Linear(inputSize: 8, outputSize: 3, seed: 6),
        ])
        let loss = SoftmaxWithLoss()
        let first = try step(network, loss, try image(0))
        let blockers = (0..<64).map { [Float](repeating: Float($0), count: 12 + $0 % 3) }
        // With the input gradient (col2im) too; the gradient is held, so the next one gets fresh storage.
        func fullStep(_ x: Tensor) throws -> Tensor {
            let logits = try network.forward(x, training: true)
            _ = try loss.forward(logits, targets: .classIndices([0, 2, 1, 2]))
            return try network.backward(try loss.backward(), needsInputGradient: true)
        }
        let held = try fullStep(try image(0.1))
        let heldValues = held.scalars
        let second = try step(network, loss, try image(0.2))
        #expect(address(try fullStep(try image(0.3))) != address(held))
        #expect(held.scalars == heldValues)
        #expect(first == second)
        #expect(blockers.count == 64)
    }

    /// Every layer that keeps buffers: two training steps on same-shaped batches give outputs and input
    /// gradients in the same storage, with the same numbers as a fresh layer, and a held output keeps its values.
    @Test(arguments: [
        "Dropout", "AvgPool2D", "GlobalAvgPool2D", "BatchNorm", "BatchNorm2D", "LayerNorm", "ELU", "LeakyReLU", "GELU",
        "Softmax", "Tanh", "Sigmoid", "ReLU", "MaxPool2D",
    ])
    func layerReusesItsBuffers(_ name: String) throws {
        func make() throws -> (any Layer, [Int]) {
            switch name {
            case "Dropout": return (Dropout(rate: 0.4, seed: 3), [4, 6])
            case "AvgPool2D": return (try AvgPool2D(inputShape: [3, 4, 4], kernel: [2, 2]), [4, 3, 4, 4])
            case "GlobalAvgPool2D": return (GlobalAvgPool2D(), [4, 3, 4, 4])
            case "BatchNorm": return (try BatchNorm(sampleShape: [6]), [4, 6])
            case "BatchNorm2D": return (try BatchNorm(sampleShape: [3, 4, 4]), [4, 3, 4, 4])
            case "LayerNorm": return (try LayerNorm(sampleShape: [6]), [4, 6])
            case "ELU": return (ELU(alpha: 0.7), [4, 6])
            case "LeakyReLU": return (LeakyReLU(alpha: 0.1), [4, 6])
            case "GELU": return (GELU(), [4, 6])
            case "Softmax": return (Softmax(), [4, 6])
            case "Tanh": return (Tanh(), [4, 6])
            case "Sigmoid": return (Sigmoid(), [4, 6])
            case "MaxPool2D": return (try MaxPool2D(inputShape: [3, 4, 4], kernel: [2, 2]), [4, 3, 4, 4])
            default: return (ReLU(), [4, 6])
            }
        }
        let (layer, shape) = try make()
        func batch(_ offset: Float) throws -> Tensor {
            let count = shape.reduce(1, *)
            return try Tensor(shape: shape, scalars: (0..<count).map { Float(($0 * 7) % 13) * 0.2 - 1.1 + offset })
        }
        func gradient(for output: Tensor) throws -> Tensor {
            try Tensor(shape: output.shape, scalars: (0..<output.count).map { Float(($0 * 5) % 9) * 0.1 - 0.4 })
        }
        func step(_ layer: any Layer, _ x: Tensor) throws -> (output: [Int], gradient: [Int], values: [Float]) {
            let y = try layer.forward(x, training: true)
            let dx = try layer.backward(try gradient(for: y))
            return ([address(y)], [address(dx)], y.scalars + dx.scalars)
        }
        _ = try step(layer, try batch(0))
        // Blocks of every tensor size used here take storage freed by the step, so a fresh allocation cannot
        // land on the old address.
        let blockers = (0..<64).map { [Float](repeating: Float($0), count: [12, 24, 48, 192][$0 % 4]) }
        let second = try step(layer, try batch(0.3))
        let third = try step(layer, try batch(-0.2))
        #expect(second.output == third.output, "\(name) output")
        #expect(second.gradient == third.gradient, "\(name) input gradient")
        // Dropout draws a new mask per call: compare with a fresh layer that made the same number of calls.
        let (fresh, _) = try make()
        _ = try step(fresh, try batch(0))
        _ = try step(fresh, try batch(0.3))
        #expect(try step(fresh, try batch(-0.2)).values == third.values, "\(name) values")
        let held = try layer.forward(try batch(0.5), training: true)
        let heldValues = held.scalars
        _ = try layer.backward(try gradient(for: held))
        _ = try layer.forward(try batch(-0.6), training: true)
        #expect(held.scalars == heldValues, "\(name) held output")
        #expect(blockers.count == 64)
    }

    @Test func reuseGivesTheSameNumbersAsFreshLayers() throws {
        let reused = try makeNetwork()
        let loss = SoftmaxWithLoss()
        _ = try step(reused, loss, try input(0.2))
        let x = try input(-0.1)
        let y = try reused.forward(x, training: true)
        _ = try loss.forward(y, targets: .classIndices([1, 1, 0, 2]))
        try reused.backward(try loss.backward(), needsInputGradient: false)

        let fresh = try makeNetwork()
        let freshLoss = SoftmaxWithLoss()
        let expected = try fresh.forward(x, training: true)
        _ = try freshLoss.forward(expected, targets: .classIndices([1, 1, 0, 2]))
        try fresh.backward(try freshLoss.backward(), needsInputGradient: false)
        #expect(y == expected)
        for (a, b) in zip(reused.parameters, fresh.parameters) {
            #expect(a.parameter.gradient == b.parameter.gradient, "\(a.name)")
        }
    }

    @Test func heldResultsKeepTheirValues() throws {
        let network = try makeNetwork()
        let first = try network.forward(try input(0), training: false)
        let copy = first.scalars
        let second = try network.forward(try input(0.3), training: false)
        #expect(first.scalars == copy)
        #expect(second.scalars != copy)

        let relu = ReLU()
        let y = try relu.forward(try Tensor(shape: [2], scalars: [-1, 2]), training: true)
        let dx = try relu.backward(try Tensor(shape: [2], scalars: [5, 7]))
        _ = try relu.forward(try Tensor(shape: [2], scalars: [3, -4]), training: true)
        let dx2 = try relu.backward(try Tensor(shape: [2], scalars: [1, 1]))
        #expect(y.scalars == [0, 2])
        #expect(dx.scalars == [0, 7])
        #expect(dx2.scalars == [1, 0])
    }

    @Test func backwardNeedsATrainingForward() throws {
        let linear = try Linear(inputSize: 2, outputSize: 1, seed: 4)
        _ = try linear.forward(try Tensor(shape: [1, 2], scalars: [1, 2]), training: false)
        #expect(throws: LayerError.self) { try linear.backward(try Tensor(shape: [1, 1], scalars: [1])) }
    }
}
