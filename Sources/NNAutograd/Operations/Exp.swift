import NNCore
import NNLayers

/// `y = eˣ`. Gradient: `y · gy`.
public final class Exp: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].applying(Kernels.exp)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try output * gy[0]] }
}
