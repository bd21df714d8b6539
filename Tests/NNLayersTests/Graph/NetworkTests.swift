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

    /// At inference, each BatchNorm after a convolution is folded into it, with the ReLU after the pair, and a
    /// BatchNorm whose input feeds two nodes is not: the output is that of the layers run apart to rounding, the
    /// folded BatchNorm leaves no backward pass, and training is unchanged.
    @Test func inferenceFoldsBatchNormIntoTheConvolutionBeforeIt() throws {
        func nodes() throws -> [(name: String?, layer: any Layer, inputs: [Network.Source])] {
            let (conv, shared) = (try Conv2D(inputShape: [2, 6, 6], filters: 3, kernel: [3, 3], padding: [1, 1], seed: 3),
                                  try Conv2D(inputShape: [3, 6, 6], filters: 3, kernel: [3, 3], stride: [2, 2], padding: [1, 1], bias: false, seed: 4))
            let norms = try (0..<3).map { c in
                let bn = try BatchNorm(sampleShape: [3, c == 2 ? 3 : 6, c == 2 ? 3 : 6])
                bn.gamma.value = GradientCheck.sample([3], seed: UInt64(10 + c), range: 2)
                bn.beta.value = GradientCheck.sample([3], seed: UInt64(20 + c))
                bn.runningMean.value = GradientCheck.sample([3], seed: UInt64(30 + c))
                bn.runningVariance.value = try Tensor(shape: [3], scalars: [0.5, 1.5, 3])
                return bn
            }
            return [
                ("conv", conv, [.input]), ("bn", norms[0], [.node(0)]), ("relu", ReLU(), [.node(1)]),
                ("shared", try Conv2D(inputShape: [3, 6, 6], filters: 3, kernel: [1, 1], seed: 5), [.node(2)]),
                ("bn_shared", norms[1], [.node(3)]), ("add", try Add(inputShapes: [[3, 6, 6], [3, 6, 6]]), [.node(3), .node(4)]),
                ("down", shared, [.node(5)]), ("bn_down", norms[2], [.node(6)]),
            ]
        }
        let folded = try Network(nodes: try nodes())
        let apart = try nodes()
        let x = GradientCheck.sample([2, 2, 6, 6], seed: 6, range: 2)
        var values: [Tensor] = []
        for node in apart {
            let inputs = node.inputs.map { source -> Tensor in
                if case .node(let index) = source { return values[index] }
                return x
            }
            values.append(try (node.layer as? any MergeLayer)?.forward(inputs, training: false) ?? node.layer.forward(inputs[0], training: false))
        }
        let y = try folded.forward(x, training: false)
        #expect(approximatelyEqual(y.scalars, values.last!.scalars, tolerance: 1e-5))
        #expect(throws: LayerError.self) { try (folded.layers[7] as! BatchNorm).backward(y) }
        // The BatchNorm whose convolution's output also feeds the Add runs on its own, so it can go back.
        _ = try (folded.layers[4] as! BatchNorm).backward(values[4])
        // Training never folds: the same bits as the layers run apart.
        let training = try Network(nodes: try nodes())
        var trained: [Tensor] = []
        for node in try nodes() {
            let inputs = node.inputs.map { source -> Tensor in
                if case .node(let index) = source { return trained[index] }
                return x
            }
            trained.append(try (node.layer as? any MergeLayer)?.forward(inputs, training: true) ?? node.layer.forward(inputs[0], training: true))
        }
        #expect(try training.forward(x, training: true) == trained.last!)
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
