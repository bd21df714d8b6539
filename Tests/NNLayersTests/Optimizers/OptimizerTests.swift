import NNLayers
import Testing

/// Each optimiser against the update rule worked by hand for two steps on one parameter.
@Suite struct OptimizerTests {
    func parameter(_ value: Float, gradient: Float) -> NamedParameter {
        let p = Parameter(Tensor([value]))
        p.gradient = Tensor([gradient])
        return NamedParameter("w", p)
    }

    @Test func sgd() {
        let w = parameter(1, gradient: 0.5)
        let sgd = SGD(learningRate: 0.1)
        sgd.update([w])
        #expect(w.parameter.value.scalars[0] == 0.95)
        #expect(sgd.state.isEmpty)
    }

    @Test func momentum() {
        let w = parameter(1, gradient: 0.5)
        let optimizer = SGD(learningRate: 0.1, momentum: 0.9)
        optimizer.update([w])  // v = −0.05, w = 0.95
        optimizer.update([w])  // v = 0.9·(−0.05) − 0.05 = −0.095, w = 0.855
        #expect(abs(w.parameter.value.scalars[0] - 0.855) < 1e-6)
        #expect(abs(optimizer.state["w.velocity"]!.scalars[0] + 0.095) < 1e-6)
        #expect(optimizer.typeName == "Momentum")
    }

    @Test func weightDecay() {
        let w = parameter(2, gradient: 0)
        SGD(learningRate: 0.5, weightDecay: 0.1).update([w])  // 2 − 0.5·0.2
        #expect(abs(w.parameter.value.scalars[0] - 1.9) < 1e-6)
    }

    @Test func adaGrad() {
        let w = parameter(1, gradient: 2)
        let optimizer = AdaGrad(learningRate: 0.1)
        optimizer.update([w])  // h = 4, w = 1 − 0.1·2/2 = 0.9
        optimizer.update([w])  // h = 8, w = 0.9 − 0.1·2/√8
        #expect(abs(Double(w.parameter.value.scalars[0]) - (0.9 - 0.2 / 8.0.squareRoot())) < 1e-6)
    }

    @Test func adam() {
        let w = parameter(1, gradient: 0.5)
        let optimizer = Adam(learningRate: 0.01)
        optimizer.update([w])
        // Step 1 with bias correction moves by lr · m̂/(√v̂ + ε) = lr · sign(g).
        #expect(abs(w.parameter.value.scalars[0] - 0.99) < 1e-5)
        w.parameter.gradient = Tensor([-0.5])
        optimizer.update([w])
        // m = 0.9·0.05 − 0.05 = −0.005, v = 0.999·0.00025 + 0.00025 = 0.00049975
        let m = -0.005 / (1 - 0.81), v = 0.00049975 / (1 - 0.998001)
        #expect(abs(Double(w.parameter.value.scalars[0]) - (0.99 - 0.01 * m / v.squareRoot())) < 1e-5)
        #expect(optimizer.stepCount == 2)
        #expect(Set(optimizer.state.keys) == ["w.m", "w.v"])
    }

    @Test func adamWDecaysDecoupled() {
        let w = parameter(1, gradient: 0)
        Adam(learningRate: 0.1, weightDecay: 0.5, decoupledWeightDecay: true).update([w])
        #expect(abs(w.parameter.value.scalars[0] - 0.95) < 1e-6)  // 1 − 0.1·0.5·1, no gradient step
    }

    @Test func stateRestoresExactly() throws {
        let a = parameter(1, gradient: 0.3), b = parameter(1, gradient: 0.3)
        let first = Adam(learningRate: 0.05)
        first.update([a])
        let second = Adam(learningRate: 0.05)
        b.parameter.value = a.parameter.value
        try second.restore(state: first.state, stepCount: first.stepCount)
        first.update([a])
        second.update([b])
        #expect(a.parameter.value == b.parameter.value)
        #expect(throws: OptimizerError.self) { try SGD(momentum: 0.9).restore(state: first.state, stepCount: 1) }
    }

    @Test func optimizersByNameValidateOptions() throws {
        let sgd = try Optimizers.type(named: "SGD").make(LayerConfiguration(options: ["lr": .double(0.1), "momentum": .double(0.9)], inputShape: []))
        #expect(sgd.typeName == "Momentum")
        #expect(throws: ConfigurationError.self) {
            try Optimizers.type(named: "SGD").make(LayerConfiguration(options: ["lr": .double(-1)], inputShape: []))
        }
        #expect(throws: ConfigurationError.self) {
            try Optimizers.type(named: "Adam").make(LayerConfiguration(options: ["beta1": .double(1.5)], inputShape: []))
        }
        #expect(throws: RegistryError.self) { try Optimizers.type(named: "Adma") }
    }

    /// Large parameters are updated in ranges on the kernel threads; every element must get the same bits as on one
    /// thread, and as the rule computed here for SGD.
    @Test(.serialized, arguments: ["SGD", "Momentum", "AdaGrad", "Adam", "AdamW"])
    func largeParametersUpdateAlikeOnAnyNumberOfThreads(_ name: String) throws {
        var generator = SeededGenerator(seed: 11)
        let count = 3 * 16_384 + 5
        let start = try Tensor.randomNormal([count], generator: &generator)
        let gradient = try Tensor.randomNormal([count], generator: &generator)
        var results: [[UInt32]] = []
        for threads in [1, 2, 3] {
            try ComputeContext(threads: threads).run {
                let optimizer: any Optimizer = switch name {
                case "SGD": SGD(learningRate: 0.1)
                case "Momentum": SGD(learningRate: 0.1, momentum: 0.9)
                case "AdaGrad": AdaGrad(learningRate: 0.1)
                case "Adam": Adam(learningRate: 0.01)
                default: Adam(learningRate: 0.01, weightDecay: 0.1, decoupledWeightDecay: true)
                }
                let w = Parameter(start)
                w.gradient = gradient
                optimizer.update([NamedParameter("w", w)])
                optimizer.update([NamedParameter("w", w)])
                results.append(w.value.scalars.map(\.bitPattern))
            }
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
        if name == "SGD" {
            let expected = zip(start.scalars, gradient.scalars).map { w, g -> UInt32 in
                let once = w - 0.1 * (g + 0 * w)
                return (once - 0.1 * (g + 0 * once)).bitPattern
            }
            #expect(results[0] == expected)
        }
    }
}
