import NNCore
import NNLayers

/// `y = ln x`. Gradient: `gy / x`.
public final class Log: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].applying(Kernels.log)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try gy[0] / inputs[0]] }
}
