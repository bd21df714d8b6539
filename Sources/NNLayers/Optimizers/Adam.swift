/// Adam (Kingma & Ba), in the book's form with the bias correction folded into the step size.
///
/// With `g = ∂L/∂W (+ λW unless decoupled)` and step `t`:
/// `m ← m + (1−β₁)(g − m)`, `v ← v + (1−β₂)(g² − v)`, `ηₜ = η √(1−β₂ᵗ) / (1−β₁ᵗ)`,
/// `W ← W − ηₜ m / (√v + ε)`. With `decoupledWeightDecay` (AdamW), `W ← W − ηλW` is applied separately.
public final class Adam: Optimizer {
    public var typeName: String { decoupledWeightDecay ? "AdamW" : "Adam" }
    public var learningRate: Float
    /// β₁, the first moment's decay.
    public let beta1: Float
    /// β₂, the second moment's decay.
    public let beta2: Float
    /// ε, added to the denominator.
    public let epsilon: Float
    /// The weight decay λ.
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public let decoupledWeightDecay: Bool
    public private(set) var stepCount = 0
    private var slots = OptimizerSlots()

    /// Creates the optimiser.
    public init(
        learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public var hyperparameters: [String: Double] {
        ["lr": Double(learningRate), "beta1": Double(beta1), "beta2": Double(beta2), "epsilon": Double(epsilon),
         "weight_decay": Double(weightDecay)]
    }

    public var state: [String: Tensor] { slots.values }

    public func restore(state: [String: Tensor], stepCount: Int) throws {
        try slots.restore(state, slots: ["m", "v"])
        self.stepCount = stepCount
    }

    public func update(_ parameters: [NamedParameter]) {
        stepCount += 1
        let t = Double(stepCount)
        let correctedRate = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let (b1, b2, epsilon, lambda, eta) = (beta1, beta2, self.epsilon, weightDecay, learningRate)
        let decoupled = decoupledWeightDecay
        for named in parameters {
            slots.withSlots("m", "v", for: named) { m, v in
                named.parameter.withValueAndGradient { w, g, range in
                    for i in range {
                        let gradient = decoupled ? g[i] : g[i] + lambda * w[i]
                        m[i] += (1 - b1) * (gradient - m[i])
                        v[i] += (1 - b2) * (gradient * gradient - v[i])
                        if decoupled { w[i] -= eta * lambda * w[i] }
                        w[i] -= correctedRate * m[i] / (v[i].squareRoot() + epsilon)
                    }
                }
            }
        }
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    var factor = base
    while remaining > 0 {
        if remaining & 1 == 1 { result *= factor }
        factor *= factor
        remaining >>= 1
    }
    return result
}
