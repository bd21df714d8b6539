/// A layer that combines two or more tensors into one: the texts' addition and multiplication nodes, and
/// concatenation. A network node of such a type takes several inputs (`inputs:` in a model file).
///
/// `forward` receives the inputs in order; `inputGradients(for:)` returns ∂L/∂inputᵢ for each of them, in the
/// same order and with the inputs' shapes. Shapes are per batch (`[N, …]`), as for every layer; the one-input
/// `Layer` requirements treat the layer as a merge of a single input.
public protocol MergeLayer: Layer {
    /// The shape of one output sample for the per-sample shapes of the inputs, or an error naming them.
    func outputShape(forInputs shapes: [[Int]]) throws -> [Int]
    /// Computes the output for a batch of each input.
    func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor
    /// Propagates ∂L/∂output back to every input: one gradient per input of the last `forward`.
    func inputGradients(for outputGradient: Tensor) throws -> [Tensor]
}

extension MergeLayer {
    public func outputShape(forInput shape: [Int]) throws -> [Int] { try outputShape(forInputs: [shape]) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor { try forward([input], training: training) }

    public func backward(_ outputGradient: Tensor) throws -> Tensor { try inputGradients(for: outputGradient)[0] }
}
