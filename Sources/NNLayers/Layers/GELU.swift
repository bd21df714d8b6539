import Foundation

/// Gaussian error linear unit, exact form: `y = x·Φ(x)` with `Φ(x) = ½(1 + erf(x/√2))`.
/// Gradient: `Φ(x) + x·φ(x)` with `φ(x) = e^(−x²/2)/√(2π)`.
public final class GELU: RegistrableLayer {
    public static let typeName = "GELU"
    public static let summary = "x·Φ(x), Φ the standard normal CDF"

    private var input: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        self.input = input
        return input.map { $0 * 0.5 * (1 + erf($0 / Float(2).squareRoot())) }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let x = try checkGradient(outputGradient, matches: input, layer: Self.typeName)
        return try Tensor(shape: x.shape, scalars: zip(x.scalars, outputGradient.scalars).map { v, g in
            let cdf = 0.5 * (1 + erf(v / Float(2).squareRoot()))
            let pdf = exp(-v * v / 2) / (2 * Float.pi).squareRoot()
            return g * (cdf + v * pdf)
        })
    }
}
