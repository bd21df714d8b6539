import NNData
import NNLayers
import NNTestSupport
import Testing

/// A whole two-layer network: gradients by backpropagation against numerical differentiation, and training.
@Suite struct NetworkTests {
    func twoLayerNet(seed: UInt64) throws -> Sequential {
        Sequential(named: [
            ("hidden", try Linear(inputSize: 4, outputSize: 6, initializer: .xavier, seed: seed)),
            (nil, Sigmoid()),
            ("output", try Linear(inputSize: 6, outputSize: 3, initializer: .xavier, seed: seed + 1)),
        ])
    }

    /// `Linear` then `ReLU` runs fused inside `Sequential` (the ReLU applied as the product is written); the
    /// outputs and every gradient must equal those of the same layers run one at a time.
    @Test(arguments: [true, false])
    func fusedLinearReLUMatchesLayerByLayer(bias: Bool) throws {
        func layers() throws -> [any Layer] {
            [try Linear(inputSize: 5, outputSize: 18, bias: bias, seed: 7), ReLU(), try Linear(inputSize: 18, outputSize: 4, seed: 8), ReLU()]
        }
        let fusedNet = Sequential(try layers())
        let separate = try layers()
        let x = GradientCheck.sample([7, 5], seed: 9, range: 2)
        let gradient = GradientCheck.sample([7, 4], seed: 10)
        for _ in 0..<2 {  // the second step runs on the kept buffers
            let fusedOutput = try fusedNet.forward(x, training: true)
            var y = x
            for layer in separate { y = try layer.forward(y, training: true) }
            #expect(fusedOutput == y)
            #expect(fusedOutput.scalars.contains(0) && fusedOutput.scalars.contains { $0 > 0 })
            let fusedInputGradient = try fusedNet.backward(gradient)
            var g = gradient
            for layer in separate.reversed() { g = try layer.backward(g) }
            #expect(fusedInputGradient == g)
            for (a, b) in zip(fusedNet.parameters, Sequential(separate).parameters) { #expect(a.parameter.gradient == b.parameter.gradient) }
        }
        // Inference does not keep the borrowed output: backward afterwards is an error, not stale data.
        _ = try fusedNet(x)
        #expect(throws: LayerError.self) { try fusedNet.backward(gradient) }
    }

    /// `BatchNorm` then `ReLU` runs fused too: outputs, gradients and running statistics as layer by layer.
    @Test func fusedBatchNormReLUMatchesLayerByLayer() throws {
        func layers() throws -> [any Layer] {
            [try Linear(inputSize: 5, outputSize: 6, seed: 7), try BatchNorm(sampleShape: [6]), ReLU(), try Linear(inputSize: 6, outputSize: 4, seed: 8)]
        }
        let fusedNet = Sequential(try layers())
        let separate = try layers()
        let x = GradientCheck.sample([7, 5], seed: 9, range: 2)
        let gradient = GradientCheck.sample([7, 4], seed: 10)
        for training in [true, true, false] {
            var y = x
            for layer in separate { y = try layer.forward(y, training: training) }
            #expect(try fusedNet.forward(x, training: training) == y)
            guard training else { continue }
            var g = gradient
            for layer in separate.reversed() { g = try layer.backward(g) }
            #expect(try fusedNet.backward(gradient) == g)
            for (a, b) in zip(fusedNet.parameters + fusedNet.buffers, Sequential(separate).parameters + Sequential(separate).buffers) {
                #expect(a.parameter.gradient == b.parameter.gradient && a.parameter.value == b.parameter.value)
            }
        }
    }

    @Test func parameterNamesAreDotted() throws {
        let net = try twoLayerNet(seed: 1)
        #expect(net.parameters.map(\.name) == ["hidden.weight", "hidden.bias", "output.weight", "output.bias"])
        #expect(try net.outputShape(forInput: [4]) == [3])
    }

    @Test func backpropagationMatchesNumericalGradient() throws {
        let net = try twoLayerNet(seed: 3)
        let x = GradientCheck.sample([5, 4], seed: 4)
        let labels = [0, 2, 1, 1, 0]
        let loss = SoftmaxWithLoss()
        _ = try loss.forward(try net.forward(x, training: true), targets: .classIndices(labels))
        try net.backward(try loss.backward())
        for named in net.parameters {
            let analytic = named.parameter.gradient
            let original = named.parameter.value
            let numeric = try GradientCheck.numericalGradient(at: original, step: 1e-2) { value in
                named.parameter.value = value
                defer { named.parameter.value = original }
                return Double(try SoftmaxWithLoss().forward(try net.forward(x, training: true), targets: .classIndices(labels)))
            }
            let worst = zip(analytic.scalars, numeric).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-4, "\(named.name): \(worst)")
        }
    }

    @Test func trainsOnSpiralAboveNinetyPercent() throws {
        let data = Spiral.split()
        let net = Sequential([
            try Linear(inputSize: 2, outputSize: 30, initializer: .xavier, seed: 1), Sigmoid(),
            try Linear(inputSize: 30, outputSize: 3, initializer: .xavier, seed: 2),
        ])
        let optimizer = SGD(learningRate: 1.0)
        let loss = SoftmaxWithLoss()
        let sampler = BatchSampler(count: data.train.count, batchSize: 30, seed: 9)
        var firstLoss: Float?
        var lastLoss: Float = 0
        for epoch in 0..<300 {
            var total: Float = 0
            for indices in sampler.batches(epoch: epoch) {
                let batch = data.train.batch(indices)
                let value = try loss.forward(try net.forward(batch.features, training: true), targets: .classIndices(batch.labels))
                try net.backward(try loss.backward())
                optimizer.update(net.parameters)
                total += value
            }
            lastLoss = total / Float(sampler.batchesPerEpoch)
            if firstLoss == nil { firstLoss = lastLoss }
        }
        let predictions = try net(data.train.allFeatures).argmaxRows()
        let accuracy = Float(zip(predictions, data.train.labels).filter { $0 == $1 }.count) / Float(data.train.count)
        #expect(accuracy > 0.9, "accuracy \(accuracy)")
        #expect(lastLoss < firstLoss! / 3)
    }
}
