/// Stochastic gradient descent, optionally with the book's momentum and with L2 weight decay.
///
/// Without momentum: `W ← W − η (∂L/∂W + λW)`.
/// With momentum α (the book's `Momentum`): `v ← αv − η (∂L/∂W + λW)`, `W ← W + v`.
public final class SGD: Optimizer {
    public var typeName: String { momentum > 0 ? "Momentum" : "SGD" }
    public var learningRate: Float
    /// The momentum α (0 for plain SGD).
    public let momentum: Float
    /// The L2 weight decay λ.
    public let weightDecay: Float
    public private(set) var stepCount = 0
    private var slots = OptimizerSlots()

    /// Creates the optimiser.
    public init(learningRate: Float = 0.01, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public var hyperparameters: [String: Double] {
        ["lr": Double(learningRate), "momentum": Double(momentum), "weight_decay": Double(weightDecay)]
    }

    public var state: [String: Tensor] { slots.values }

    public func restore(state: [String: Tensor], stepCount: Int) throws {
        try slots.restore(state, slots: ["velocity"])
        self.stepCount = stepCount
    }

    public func update(_ parameters: [NamedParameter]) {
        let (eta, alpha, lambda) = (learningRate, momentum, weightDecay)
        for named in parameters {
            if alpha == 0 {
                named.parameter.withValueAndGradient { w, g, range in
                    for i in range { w[i] -= eta * (g[i] + lambda * w[i]) }
                }
            } else {
                slots.withSlot("velocity", for: named) { v in
                    named.parameter.withValueAndGradient { w, g, range in
                        for i in range {
                            v[i] = alpha * v[i] - eta * (g[i] + lambda * w[i])
                            w[i] += v[i]
                        }
                    }
                }
            }
        }
        stepCount += 1
    }
}
