import NNKit
import NNTestSupport

/// Gradient checks for variable functions: backpropagation against central differences in Double of
/// `L = Σ w ⊙ f(inputs)` with fixed pseudo-random weights `w`.
enum AutogradCheck {
    /// The worst relative error over all inputs (error floor 1e-2 as in `GradientCheck`).
    static func worstError(_ inputs: [Tensor], step: Float = 1e-2, _ f: ([Variable]) throws -> Variable) throws -> Double {
        let variables = inputs.map { Variable($0) }
        let y = try f(variables)
        let weights = GradientCheck.sample(y.shape, seed: 11)
        try y.backward(gradient: weights)
        var worst = 0.0
        for (index, input) in inputs.enumerated() {
            let analytic = variables[index].grad?.data.scalars ?? [Float](repeating: 0, count: input.count)
            let numeric = try GradientCheck.numericalGradient(at: input, step: step) { perturbed in
                var values = inputs
                values[index] = perturbed
                let out = try withNoGrad { try f(values.map { Variable($0) }) }
                return zip(out.data.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
            for (a, n) in zip(analytic, numeric) {
                worst = max(worst, abs(Double(a) - n) / max(1e-2, abs(Double(a)) + abs(n)))
            }
        }
        return worst
    }
}
