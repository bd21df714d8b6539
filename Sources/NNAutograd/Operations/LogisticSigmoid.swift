import NNCore
import NNLayers

/// `y = 1 / (1 + e⁻ˣ)`. Gradient: `gy · y(1 − y)`.
public final class LogisticSigmoid: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].applying(Kernels.sigmoid)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        let y = output
        return [try gy[0] * y * (1 - y)]
    }
}
