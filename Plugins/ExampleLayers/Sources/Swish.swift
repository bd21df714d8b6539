import Foundation
import NNLayers

/// Swish, `y = x · σ(βx)` with a learnable scalar β (Ramachandran et al., 2017).
///
/// Shapes: any; output has the input's shape; β has shape `[1]`.
/// Gradients, with `s = σ(βx)`: `∂y/∂x = s + βx·s(1 − s)`, `∂y/∂β = x²·s(1 − s)`.
public final class Swish: RegistrableLayer {
    public static let typeName = "Swish"
    public static let summary = "x · sigmoid(βx) with a learnable β (example plugin)"
    public static let options = [LayerOption("beta", .double, default: "1", "initial β")]

    /// β, shape `[1]`.
    public let beta: Parameter
    private var input: Tensor?

    /// Creates the layer with an initial β.
    public init(beta: Float = 1) {
        self.beta = Parameter(Tensor([beta]))
    }

    public convenience init(configuration: LayerConfiguration) throws {
        self.init(beta: Float(try configuration.double("beta", default: 1)))
    }

    public var parameters: [NamedParameter] { [NamedParameter("beta", beta)] }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        input = x
        let b = beta.value.scalars[0]
        return x.map { $0 * sigmoid(b * $0) }
    }

    public func backward(_ dy: Tensor) throws -> Tensor {
        guard let x = input else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        guard dy.shape == x.shape else { throw LayerError.gradientShape(layer: Self.typeName, expected: x.shape, got: dy.shape) }
        let b = beta.value.scalars[0]
        var dBeta = 0.0
        var dx = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let v = x.scalars[i], s = sigmoid(b * v), g = dy.scalars[i]
            dx[i] = g * (s + b * v * s * (1 - s))
            dBeta += Double(g * v * v * s * (1 - s))
        }
        beta.gradient = Tensor([Float(dBeta)])
        return try Tensor(shape: x.shape, scalars: dx)
    }
}

/// The logistic function.
func sigmoid(_ x: Float) -> Float { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
