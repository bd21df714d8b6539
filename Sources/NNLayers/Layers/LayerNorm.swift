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
    private var inverseDeviation: [Float] = []

    /// Creates the layer for samples of `sampleShape`.
    public init(sampleShape: [Int], epsilon: Float = 1e-5) throws {
        guard !sampleShape.isEmpty, sampleShape.allSatisfy({ $0 > 0 }), sampleShape.reduce(1, *) > 1 else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "a sample with at least two values", got: sampleShape)
        }
        gamma = Parameter(try .ones(sampleShape))
        beta = Parameter(try .zeros(sampleShape))
        self.epsilon = epsilon
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
        guard input.rank == gamma.value.rank + 1, Array(input.shape.dropFirst()) == gamma.value.shape else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N] + \(gamma.value.shape)", got: input.shape)
        }
        let (n, d) = (input.shape[0], gamma.value.count)
        var xhat = input
        var y = input
        inverseDeviation = [Float](repeating: 0, count: n)
        let (g, b) = (gamma.value.scalars, beta.value.scalars)
        xhat.withUnsafeMutableBufferPointer { xh in
            y.withUnsafeMutableBufferPointer { out in
                for s in 0..<n {
                    let row = xh.baseAddress! + s * d
                    var sum = 0.0
                    for i in 0..<d { sum += Double(row[i]) }
                    let mu = sum / Double(d)
                    var squares = 0.0
                    for i in 0..<d { squares += (Double(row[i]) - mu) * (Double(row[i]) - mu) }
                    let inverse = Float(1 / (squares / Double(d) + Double(epsilon)).squareRoot())
                    inverseDeviation[s] = inverse
                    for i in 0..<d {
                        row[i] = (row[i] - Float(mu)) * inverse
                        out[s * d + i] = g[i] * row[i] + b[i]
                    }
                }
            }
        }
        normalized = xhat
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let xhat = try checkGradient(outputGradient, matches: normalized, layer: Self.typeName)
        let (n, d) = (xhat.shape[0], gamma.value.count)
        let gv = gamma.value.scalars
        var dGamma = [Double](repeating: 0, count: d), dBeta = [Double](repeating: 0, count: d)
        var dx = outputGradient
        xhat.withUnsafeBufferPointer { xh in
            dx.withUnsafeMutableBufferPointer { dxs in
                for s in 0..<n {
                    var sumG = 0.0, sumGX = 0.0
                    for i in 0..<d {
                        let dy = dxs[s * d + i], x = xh[s * d + i]
                        dBeta[i] += Double(dy)
                        dGamma[i] += Double(dy) * Double(x)
                        let g = Double(gv[i] * dy)
                        sumG += g
                        sumGX += g * Double(x)
                    }
                    let scale = inverseDeviation[s] / Float(d)
                    for i in 0..<d {
                        let g = gv[i] * dxs[s * d + i]
                        dxs[s * d + i] = scale * (Float(d) * g - Float(sumG) - xh[s * d + i] * Float(sumGX))
                    }
                }
            }
        }
        gamma.gradient = try Tensor(shape: gamma.value.shape, scalars: dGamma.map(Float.init))
        beta.gradient = try Tensor(shape: beta.value.shape, scalars: dBeta.map(Float.init))
        return dx
    }
}
