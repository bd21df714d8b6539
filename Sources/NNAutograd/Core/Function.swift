import NNCore

/// An operation in a define-by-run graph (DeZero's `Function`): `forward` on tensors, `backward` on variables.
///
/// Subclasses override `forward(_:)` and `backward(_:)`; calling `apply(_:)` runs forward and, unless in a
/// no-grad scope, records inputs and outputs. `backward` is written with variable operations so that, when
/// `createGraph` is set, the gradient computation is itself recorded (higher-order derivatives).
open class Function {
    /// The inputs of the recorded call.
    public private(set) var inputs: [Variable] = []
    /// The outputs, held weakly so that a graph is released with its results.
    public private(set) var outputs: [WeakVariable] = []
    /// One more than… the deepest input's generation.
    public private(set) var generation = 0

    /// Creates the function.
    public init() {}

    /// Computes the outputs from the inputs' data.
    open func forward(_ inputs: [Tensor]) throws -> [Tensor] {
        preconditionFailure("internal: \(type(of: self)) must override forward")
    }

    /// ∂L/∂inputs from ∂L/∂outputs, one gradient per input with the input's shape.
    open func backward(_ outputGradients: [Variable]) throws -> [Variable] {
        preconditionFailure("internal: \(type(of: self)) must override backward")
    }

    /// Runs the function on variables, recording the graph when gradients are enabled.
    public func apply(_ inputs: [Variable]) throws -> [Variable] {
        let results = try forward(inputs.map(\.data)).map { Variable($0) }
        if GradientMode.isEnabled {
            generation = inputs.map(\.generation).max() ?? 0
            self.inputs = inputs
            for output in results { output.setCreator(self) }
            outputs = results.map(WeakVariable.init)
        }
        return results
    }

    /// Runs a one-input, one-output function.
    public func callAsFunction(_ input: Variable) throws -> Variable {
        try apply([input])[0]
    }

    /// Runs a two-input, one-output function.
    public func callAsFunction(_ a: Variable, _ b: Variable) throws -> Variable {
        try apply([a, b])[0]
    }

    /// The (first) output variable, for backward formulas that use the result (`exp`, `tanh`, `sigmoid`).
    public var output: Variable {
        guard let output = outputs.first?.value else { preconditionFailure("internal: output released during backward") }
        return output
    }
}

/// A weak reference to a variable.
public struct WeakVariable {
    /// The variable, if still alive.
    public weak var value: Variable?
    init(_ value: Variable) { self.value = value }
}
