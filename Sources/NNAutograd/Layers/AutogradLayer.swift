import NNCore
import NNLayers

/// A layer whose forward pass is composed of variable operations; its backward, including the gradients of
/// its parameters, is derived automatically by back-propagating through the recorded graph.
///
/// Subclass, declare parameters as `Parameter`s, list them in `parameters`, and write `forward(_:)` with
/// `variable(for:)` to use a parameter:
/// ```swift
/// final class Swish: AutogradLayer, RegistrableLayer {
///     static let typeName = "Swish"
///     static let summary = "x · sigmoid(βx) with a learnable β"
///     let beta = Parameter(Tensor([1]))
///     init(configuration: LayerConfiguration) throws { super.init() }
///     override var parameters: [NamedParameter] { [NamedParameter("beta", beta)] }
///     override func forward(_ x: Variable) throws -> Variable { try x * sigmoid(x * variable(for: beta)) }
/// }
/// ```
open class AutogradLayer: Layer {
    private var input: Variable?
    private var output: Variable?
    private var bound: [(Parameter, Variable)] = []

    /// Creates the layer.
    public init() {}

    /// The learnable parameters; override to list yours.
    open var parameters: [NamedParameter] { [] }

    /// The per-sample output shape; the default keeps the shape (override for layers that change it).
    open func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    /// The layer's computation on a batch variable; override this.
    open func forward(_ x: Variable) throws -> Variable {
        preconditionFailure("internal: \(type(of: self)) must override forward(_: Variable)")
    }

    /// Whether the latest forward was in training mode (for dropout-like behaviour in `forward`).
    public private(set) var isTraining = false

    /// The variable standing for `parameter` in the current forward pass (created on first use).
    public func variable(for parameter: Parameter) -> Variable {
        if let found = bound.first(where: { $0.0 === parameter }) { return found.1 }
        let variable = Variable(parameter.value)
        bound.append((parameter, variable))
        return variable
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        bound.removeAll(keepingCapacity: true)
        isTraining = training
        guard training else {
            self.input = nil
            self.output = nil
            defer { bound.removeAll(keepingCapacity: true) }
            return try withNoGrad { try forward(Variable(input)).data }
        }
        let x = Variable(input)
        let y = try forward(x)
        self.input = x
        self.output = y
        return y.data
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let input, let output else { throw LayerError.backwardWithoutForward(layer: String(describing: type(of: self))) }
        guard outputGradient.shape == output.shape else {
            throw LayerError.gradientShape(layer: String(describing: type(of: self)), expected: output.shape, got: outputGradient.shape)
        }
        input.clearGradient()
        for (_, variable) in bound { variable.clearGradient() }
        try output.backward(gradient: outputGradient)
        for named in parameters {
            let variable = bound.first { $0.0 === named.parameter }?.1
            named.parameter.gradient = variable?.grad?.data ?? Tensor(uncheckedZerosLike: named.parameter.value)
        }
        let inputGradient = input.grad?.data ?? Tensor(uncheckedZerosLike: input.data)
        self.input = nil
        self.output = nil
        bound.removeAll(keepingCapacity: true)
        return inputGradient
    }
}
