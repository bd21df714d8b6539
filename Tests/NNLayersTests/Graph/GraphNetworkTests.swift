import NNLayers
import NNTestSupport
import Testing

/// Networks that branch and merge: whole-graph gradients against central differences, branch gradients summed,
/// and the chain's fusion and buffer reuse kept.
@Suite struct GraphNetworkTests {
    /// `y = relu(x + W₂·relu(W₁x))`: a residual block.
    func residualBlock(seed: UInt64) throws -> Network {
        try Network(nodes: [
            ("fc1", try Linear(inputSize: 4, outputSize: 4, seed: seed), [.input]),
            (nil, ReLU(), [.node(0)]),
            ("fc2", try Linear(inputSize: 4, outputSize: 4, seed: seed + 1), [.node(1)]),
            ("add", try Add(inputShapes: [[4], [4]]), [.input, .node(2)]),
            (nil, Tanh(), [.node(3)]),
        ])
    }

    @Test func residualBlockGradientsMatchCentralDifferences() throws {
        let block = try residualBlock(seed: 3)
        let x = GradientCheck.sample([3, 4], seed: 2)
        // The differences must not straddle ReLU's kink: every pre-activation stays clear of zero.
        let preactivation = try block.layers[0].forward(x, training: false)
        #expect(preactivation.scalars.allSatisfy { abs($0) > 0.05 }, "\(preactivation)")
        let report = try GradientCheck.check(block, input: x)
        #expect(report.worstError < 1e-3, "\(report)")
    }

    @Test func gateAndConcatenationGradientsMatchCentralDifferences() throws {
        // x ⊙ σ(Wx) next to tanh(x), joined, then a linear layer: three branches from one input.
        let gated = try Network(nodes: [
            ("gate", try Linear(inputSize: 3, outputSize: 3, seed: 4), [.input]),
            (nil, Sigmoid(), [.node(0)]),
            ("mul", try Multiply(inputShapes: [[3], [3]]), [.input, .node(1)]),
            (nil, Tanh(), [.input]),
            ("cat", try Concatenate(inputShapes: [[3], [3]]), [.node(2), .node(3)]),
            ("out", try Linear(inputSize: 6, outputSize: 2, seed: 5), [.node(4)]),
        ])
        let report = try GradientCheck.check(gated, input: GradientCheck.sample([4, 3], seed: 2))
        #expect(report.worstError < 1e-3, "\(report)")
    }

    @Test func convolutionalResidualGradientsMatchCentralDifferences() throws {
        let block = try Network(nodes: [
            ("c1", try Conv2D(inputShape: [2, 4, 4], filters: 2, kernel: [3, 3], padding: [1, 1], seed: 6), [.input]),
            ("norm", try BatchNorm(sampleShape: [2, 4, 4]), [.node(0)]),
            ("add", try Add(inputShapes: [[2, 4, 4], [2, 4, 4]]), [.node(1), .input]),
            (nil, Tanh(), [.node(2)]),
        ])
        let report = try GradientCheck.check(block, input: GradientCheck.sample([2, 2, 4, 4], seed: 3))
        #expect(report.worstError < 2e-3, "\(report)")
    }

    /// An output read by three nodes gets the sum of their three gradients (the texts' Repeat node).
    @Test func aBranchSumsTheGradientsOfItsConsumers() throws {
        let network = try Network(nodes: [
            ("id", Identity(), [.input]),
            ("sum", try Add(inputShapes: [[2], [2], [2]]), [.node(0), .node(0), .node(0)]),
        ])
        let x = try Tensor(shape: [1, 2], scalars: [1, 2])
        #expect(try network.forward(x, training: true).scalars == [3, 6])
        let dx = try network.backward(try Tensor(shape: [1, 2], scalars: [0.5, 1]))
        #expect(dx.scalars == [1.5, 3])
        // The same on the next batch, with the summing buffers reused.
        _ = try network.forward(x, training: true)
        #expect(try network.backward(try Tensor(shape: [1, 2], scalars: [1, 1])).scalars == [3, 3])
    }

    @Test func theGraphOfAChainIsAChainAndFusesLinearWithReLU() throws {
        let layers: [any Layer] = [try Linear(inputSize: 3, outputSize: 4, seed: 1), ReLU(), try Linear(inputSize: 4, outputSize: 2, seed: 2)]
        let chain = Sequential(layers)
        #expect(chain.isChain)
        let x = GradientCheck.sample([5, 3], seed: 9)
        let y = try chain.forward(x, training: true)
        // A Linear whose output also feeds another node is not fused: the other node must see the unrectified value.
        let branched = try Network(nodes: [
            ("fc", layers[0], [.input]), (nil, ReLU(), [.node(0)]), ("fc2", layers[2], [.node(1)]),
            ("raw", try Concatenate(inputShapes: [[2], [4]]), [.node(2), .node(0)]),
        ])
        #expect(!branched.isChain)
        let joined = try branched.forward(x, training: true)
        let raw = try (layers[0] as! Linear).forward(x, training: false)
        for row in 0..<5 {
            #expect(Array(joined.scalars[(row * 6)..<(row * 6 + 2)]) == Array(y.scalars[(row * 2)..<(row * 2 + 2)]))
            #expect(Array(joined.scalars[(row * 6 + 2)..<(row * 6 + 6)]) == Array(raw.scalars[(row * 4)..<(row * 4 + 4)]))
        }
    }

    /// A residual block's `Add` and the `ReLU` after it run as one pass (and its BatchNorm with the ReLU after it):
    /// outputs and gradients equal those of the layers run one at a time, over two steps on the kept buffers.
    @Test func fusedAddReLUMatchesLayerByLayer() throws {
        func layers() throws -> [any Layer] {
            [try Conv2D(inputShape: [2, 4, 4], filters: 2, kernel: [3, 3], padding: [1, 1], seed: 6), try BatchNorm(sampleShape: [2, 4, 4]), ReLU(),
             try Add(inputShapes: [[2, 4, 4], [2, 4, 4], [2, 4, 4]]), ReLU()]
        }
        let separate = try layers()
        let network = try Network(nodes: zip(try layers(), [[Network.Source.input], [.node(0)], [.node(1)], [.node(2), .input, .node(0)], [.node(3)]])
            .enumerated().map { ("n\($0.offset)", $0.element.0, $0.element.1) })
        let x = GradientCheck.sample([2, 2, 4, 4], seed: 3, range: 2)
        let gradient = GradientCheck.sample([2, 2, 4, 4], seed: 4)
        for _ in 0..<2 {
            let conv = try separate[0].forward(x, training: true)
            let rectified = try separate[2].forward(try separate[1].forward(conv, training: true), training: true)
            let y = try separate[4].forward(try (separate[3] as! Add).forward([rectified, x, conv], training: true), training: true)
            #expect(try network.forward(x, training: true) == y)
            #expect(y.scalars.contains(0) && y.scalars.contains { $0 > 0 })
            let merged = try separate[4].backward(gradient)
            let branches = try (separate[3] as! Add).inputGradients(for: merged)
            let normGradient = try separate[1].backward(try separate[2].backward(branches[0]))
            let dx = try separate[0].backward(try normGradient + branches[2])
            #expect(try network.backward(gradient) == (try dx + branches[1]))
            for (a, b) in zip(network.parameters, Sequential(separate).parameters) { #expect(a.parameter.gradient == b.parameter.gradient) }
        }
    }

    @Test func invalidGraphsAreRejected() throws {
        #expect(throws: LayerError.self) { try Network(nodes: [("a", ReLU(), [.node(0)])]) }
        #expect(throws: LayerError.self) { try Network(nodes: [("a", ReLU(), [.input, .input])]) }
        #expect(throws: LayerError.self) { try Network(nodes: [("a", ReLU(), [])]) }
        #expect(try Network(nodes: []).forward(Tensor([1]), training: false).scalars == [1])
    }

    @Test func shapesAreInferredThroughTheGraph() throws {
        let network = try Network(nodes: [
            ("a", try Conv2D(inputShape: [1, 6, 6], filters: 3, kernel: [3, 3]), [.input]),
            ("b", try Conv2D(inputShape: [1, 6, 6], filters: 2, kernel: [3, 3]), [.input]),
            ("cat", try Concatenate(inputShapes: [[3, 4, 4], [2, 4, 4]]), [.node(0), .node(1)]),
        ])
        #expect(try network.outputShapes(forInput: [1, 6, 6]) == [[3, 4, 4], [2, 4, 4], [5, 4, 4]])
    }
}
