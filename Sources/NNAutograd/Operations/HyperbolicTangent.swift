import NNCore
import NNLayers

/// `y = tanh x`. Gradient: `gy · (1 − y²)`.
public final class HyperbolicTangent: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].applying(Kernels.tanh)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let y = output
        return [try gy[0] * (1 - y * y)]
    }
}
