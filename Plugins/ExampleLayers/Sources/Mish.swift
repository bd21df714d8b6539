import Foundation
import NNLayers

/// Mish, `y = x · tanh(softplus(x))` with `softplus(x) = ln(1 + eˣ)` (Misra, 2019).
///
/// Shapes: any; output has the input's shape. Gradient, with `t = tanh(softplus(x))`:
/// `∂y/∂x = t + x·(1 − t²)·σ(x)`.
public final class Mish: RegistrableLayer {
    public static let typeName = "Mish"
    public static let summary = "x · tanh(softplus(x)) (example plugin)"

    private var input: Tensor?

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) -> [Int] { shape }

    public func forward(_ x: Tensor, training: Bool) throws -> Tensor {
        input = x
        return x.map { $0 * tanh(softplus($0)) }
    }

    public func backward(_ dy: Tensor) throws -> Tensor {
        guard let x = input else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        guard dy.shape == x.shape else { throw LayerError.gradientShape(layer: Self.typeName, expected: x.shape, got: dy.shape) }
        return try Tensor(shape: x.shape, scalars: zip(x.scalars, dy.scalars).map { v, g in
            let t = tanh(softplus(v))
            return g * (t + v * (1 - t * t) * sigmoid(v))
        })
    }
}

/// `ln(1 + eˣ)`, without overflow for large `x`.
func softplus(_ x: Float) -> Float { x > 20 ? x : log1p(exp(x)) }
