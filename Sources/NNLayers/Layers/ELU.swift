import Foundation

/// Exponential linear unit: `y = x` for `x > 0`, else `α(eˣ − 1)`. Gradient: 1, or `y + α` for `x ≤ 0`.
public final class ELU: RegistrableLayer {
    public static let typeName = "ELU"
    public static let summary = "x if x > 0 else α(eˣ − 1)"
    public static let options = [LayerOption("alpha", .double, default: "1", "scale for x ≤ 0, > 0")]

    /// α.
    public let alpha: Float
    private var input: Tensor?

    /// Creates the layer.
    public init(alpha: Float = 1) { self.alpha = alpha }
    public convenience init(configuration: LayerConfiguration) throws {
        let alpha = try configuration.double("alpha", default: 1)
        guard alpha > 0 else { throw ConfigurationError.invalidValue(key: "alpha", value: "\(alpha)", requirement: "it must be > 0") }
        self.init(alpha: Float(alpha))
    }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        self.input = input
        let a = alpha
        return input.map { $0 > 0 ? $0 : a * (exp($0) - 1) }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let x = try checkGradient(outputGradient, matches: input, layer: Self.typeName)
        let a = alpha
        return try Tensor(shape: x.shape, scalars: zip(x.scalars, outputGradient.scalars).map { $0 > 0 ? $1 : $1 * a * exp($0) })
    }
}
