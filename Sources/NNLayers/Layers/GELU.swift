import Foundation

/// Gaussian error linear unit, exact form: `y = x·Φ(x)` with `Φ(x) = ½(1 + erf(x/√2))`.
/// Gradient: `Φ(x) + x·φ(x)` with `φ(x) = e^(−x²/2)/√(2π)`.
public final class GELU: RegistrableLayer {
    public static let typeName = "GELU"
    public static let summary = "x·Φ(x), Φ the standard normal CDF"

    private var input: Tensor?
    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        // Only training needs the input again; it is released after backward so the layer before can reuse it.
        self.input = training ? input : nil
        var y = output.takeBuffer()
        input.map(into: &y) { x, y, count in
            for i in 0..<count { y[i] = x[i] * 0.5 * (1 + erf(x[i] / Float(2).squareRoot())) }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let x = try checkGradient(outputGradient, matches: input, layer: Self.typeName)
        var dx = inputGradient.takeBuffer()
        x.zip(with: outputGradient, into: &dx) { x, dy, dx, count in
            for i in 0..<count {
                let cdf = 0.5 * (1 + erf(x[i] / Float(2).squareRoot()))
                let pdf = exp(-x[i] * x[i] / 2) / (2 * Float.pi).squareRoot()
                dx[i] = dy[i] * (cdf + x[i] * pdf)
            }
        }
        input = nil
        inputGradient = dx
        return dx
    }
}
