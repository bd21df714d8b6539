/// AdaGrad: per-element step sizes that shrink with the accumulated squared gradient.
///
/// `h ← h + g²`, `W ← W − η g / (√h + ε)` with `g = ∂L/∂W + λW`.
public final class AdaGrad: Optimizer {
    public let typeName = "AdaGrad"
    public var learningRate: Float
    /// The L2 weight decay λ.
    public let weightDecay: Float
    /// ε, added to the denominator.
    public let epsilon: Float
    public private(set) var stepCount = 0
    private var slots = OptimizerSlots()

    /// Creates the optimiser.
    public init(learningRate: Float = 0.01, weightDecay: Float = 0, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.epsilon = epsilon
    }

    public var hyperparameters: [String: Double] {
        ["lr": Double(learningRate), "weight_decay": Double(weightDecay), "epsilon": Double(epsilon)]
    }

    public var state: [String: Tensor] { slots.values }

    public func restore(state: [String: Tensor], stepCount: Int) throws {
        try slots.restore(state, slots: ["h"])
        self.stepCount = stepCount
    }

    public func update(_ parameters: [NamedParameter]) {
        let (eta, lambda, epsilon) = (learningRate, weightDecay, self.epsilon)
        for named in parameters {
            slots.withSlot("h", for: named) { h in
                named.parameter.withValueAndGradient { w, g, range in
                    for i in range {
                        let gradient = g[i] + lambda * w[i]
                        h[i] += gradient * gradient
                        w[i] -= eta * gradient / (h[i].squareRoot() + epsilon)
                    }
                }
            }
        }
        stepCount += 1
    }
}
