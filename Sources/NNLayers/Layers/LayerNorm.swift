/// Layer normalisation: each sample is normalised over all its `D` values, then scaled and shifted per value.
///
/// Shapes: input `[N, …]` with `D` values per sample; `γ`, `β` have the sample's shape. With
/// `x̂ = (x − μ)/√(σ² + ε)` per sample and `g = γ ⊙ ∂L/∂y`:
/// `∂L/∂β = Σₙ ∂L/∂y`, `∂L/∂γ = Σₙ ∂L/∂y ⊙ x̂`, `∂L/∂x = (D·g − Σ g − x̂ · Σ g⊙x̂) / (D·√(σ² + ε))`.
public final class LayerNorm: RegistrableLayer {
    public static let typeName = "LayerNorm"
    public static let summary = "Normalise each sample over all its values, then scale and shift"
    public static let options = [LayerOption("epsilon", .double, default: "1e-5", "added to the variance, > 0")]

    /// γ, one per sample value.
    public let gamma: Parameter
    /// β, one per sample value.
    public let beta: Parameter
    /// ε.
    public let epsilon: Float
    private var normalized: Tensor?
    private var output: Tensor?
    private var inputGradient: Tensor?
    /// Per-sample 1/√(σ² + ε) and per-value Σₙ ∂L/∂y, Σₙ ∂L/∂y·x̂, kept between batches.
    private var inverseDeviation: [Float] = []
    private var gammaGradientSum: [Double], betaGradientSum: [Double]

    /// Creates the layer for samples of `sampleShape`.
    public init(sampleShape: [Int], epsilon: Float = 1e-5) throws {
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }), sampleShape.reduce(1, *) > 1 else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "a sample with at least two values", got: sampleShape)
        }
        gamma = Parameter(try .ones(sampleShape))
        beta = Parameter(try .zeros(sampleShape))
        self.epsilon = epsilon
        let d = sampleShape.reduce(1, *)
        (gammaGradientSum, betaGradientSum) = ([Double](repeating: 0, count: d), [Double](repeating: 0, count: d))
    }

    public convenience init(configuration c: LayerConfiguration) throws {
        let epsilon = try c.double("epsilon", default: 1e-5)
        guard epsilon > 0 else { throw ConfigurationError.invalidValue(key: "epsilon", value: "\(epsilon)", requirement: "it must be > 0") }
        try self.init(sampleShape: c.inputShape, epsilon: Float(epsilon))
    }

    public var parameters: [NamedParameter] { [NamedParameter("weight", gamma), NamedParameter("bias", beta)] }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape == gamma.value.shape else { throw LayerError.inputShape(layer: Self.typeName, expected: "\(gamma.value.shape)", got: shape) }
        return shape
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == gamma.value.rank + 1, input.shape.dropFirst().elementsEqual(gamma.value.shape) else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N] + \(gamma.value.shape)", got: input.shape)
        }
        let (n, d) = (input.shape[0], gamma.value.count)
        var xhat = normalized.takeBuffer(), y = output.takeBuffer()
        xhat.resize(to: input.shape)
        y.resize(to: input.shape)
        if inverseDeviation.count < n { inverseDeviation = [Float](repeating: 0, count: n) }  // only grows: a short last batch uses a prefix
        let epsilon = Double(self.epsilon)
        input.withUnsafeBufferPointer { x in
            xhat.withUnsafeMutableBufferPointer { xh in
                y.withUnsafeMutableBufferPointer { out in
                    gamma.value.withUnsafeBufferPointer { g in
                        beta.value.withUnsafeBufferPointer { b in
                            for s in 0..<n {
                                let (row, normalizedRow, outputRow) = (x.baseAddress! + s * d, xh.baseAddress! + s * d, out.baseAddress! + s * d)
                                var sum = 0.0
                                for i in 0..<d { sum += Double(row[i]) }
                                let mu = sum / Double(d)
                                var squares = 0.0
                                for i in 0..<d { squares += (Double(row[i]) - mu) * (Double(row[i]) - mu) }
                                let inverse = Float(1 / (squares / Double(d) + epsilon).squareRoot())
                                inverseDeviation[s] = inverse
                                for i in 0..<d {
                                    normalizedRow[i] = (row[i] - Float(mu)) * inverse
                                    outputRow[i] = g[i] * normalizedRow[i] + b[i]
                                }
                            }
                        }
                    }
                }
            }
        }
        normalized = xhat
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let xhat = try checkGradient(outputGradient, matches: normalized, layer: Self.typeName)
        let (n, d) = (xhat.shape[0], gamma.value.count)
        for i in 0..<d { (gammaGradientSum[i], betaGradientSum[i]) = (0, 0) }
        var dx = inputGradient.takeBuffer()
        dx.resize(to: outputGradient.shape)
        outputGradient.withUnsafeBufferPointer { dy in
            xhat.withUnsafeBufferPointer { xh in
                dx.withUnsafeMutableBufferPointer { dxs in
                    gamma.value.withUnsafeBufferPointer { gv in
                        for s in 0..<n {
                            var sumG = 0.0, sumGX = 0.0
                            for i in 0..<d {
                                let (gradient, x) = (dy[s * d + i], xh[s * d + i])
                                betaGradientSum[i] += Double(gradient)
                                gammaGradientSum[i] += Double(gradient) * Double(x)
                                let g = Double(gv[i] * gradient)
                                sumG += g
                                sumGX += g * Double(x)
                            }
                            let scale = inverseDeviation[s] / Float(d)
                            for i in 0..<d {
                                let g = gv[i] * dy[s * d + i]
                                dxs[s * d + i] = scale * (Float(d) * g - Float(sumG) - xh[s * d + i] * Float(sumGX))
                            }
                        }
                    }
                }
            }
        }
        gamma.gradient.resize(to: gamma.value.shape)
        beta.gradient.resize(to: beta.value.shape)
        gamma.gradient.withUnsafeMutableBufferPointer { dg in for i in 0..<d { dg[i] = Float(gammaGradientSum[i]) } }
        beta.gradient.withUnsafeMutableBufferPointer { db in for i in 0..<d { db[i] = Float(betaGradientSum[i]) } }
        inputGradient = dx
        return dx
    }
}
