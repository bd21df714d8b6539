import NNCore

/// `y = max(x, 0)`, by the `ReLU` layer's kernel. Gradient: `gy` where `x > 0`, else 0 (the mask is a constant,
/// so that the gradient stays differentiable in `gy`).
public final class RectifiedLinear: Function {
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [x[0].applying(Kernels.relu)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        [try gy[0] * Variable(inputs[0].data.map { $0 > 0 ? 1 : 0 })]
    }
}
