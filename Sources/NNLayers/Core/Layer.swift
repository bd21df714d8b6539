@_exported import NNCore

/// A node of a sequential network: a differentiable function of one tensor, with named parameters.
///
/// The contract is the source texts': `forward` computes the output and caches what `backward` needs;
/// `backward` receives ∂L/∂output, stores ∂L/∂parameter in each parameter's `gradient` (overwriting it),
/// and returns ∂L/∂input. Shapes include the batch dimension first (`[N, …]`); `outputShape(forInput:)`
/// works on the shape of one sample (without `N`) and is what shape inference and `nnrun inspect` use.
///
/// Layers are classes because they hold caches and parameters that optimisers update in place. A layer
/// may keep its output and input-gradient tensors and write the next batch into the same storage (tensors
/// are copy-on-write, so results a caller still holds never change), and may release what `backward` needed
/// once `backward` has run: call `forward(_:training: true)` before each `backward`. `parameters` returns
/// the same `Parameter` objects on every call.
public protocol Layer: AnyObject {
    /// The shape of one output sample for one input sample of `shape`, or an error naming both shapes.
    func outputShape(forInput shape: [Int]) throws -> [Int]
    /// Computes the output for a batch; `training` selects training behaviour (dropout, batch statistics).
    func forward(_ input: Tensor, training: Bool) throws -> Tensor
    /// Propagates ∂L/∂output back to ∂L/∂input, filling the parameters' gradients.
    func backward(_ outputGradient: Tensor) throws -> Tensor
    /// The learnable parameters by local name (`weight`, `bias`, …), in a stable order.
    var parameters: [NamedParameter] { get }
    /// State that is not learned but must be saved and restored (BatchNorm's running statistics, Dropout's
    /// call count), by local name; optimisers never touch it.
    var buffers: [NamedParameter] { get }
    /// Like `backward`, but when `needsInputGradient` is false the layer may skip computing ∂L/∂input
    /// (a network's first layer) and return any tensor; parameter gradients are always filled.
    func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor
    /// How many values of working memory beyond its output and gradient the layer holds for a batch of `batch`
    /// (a convolution's column matrix), for the model's memory estimate.
    func workspaceSize(forBatch batch: Int) -> Int
}

extension Layer {
    /// Layers without parameters.
    public var parameters: [NamedParameter] { [] }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor {
        try backward(outputGradient)
    }

    /// Layers without buffers.
    public var buffers: [NamedParameter] { [] }

    /// Layers without working memory of their own.
    public func workspaceSize(forBatch batch: Int) -> Int { 0 }

    /// Forward in inference mode.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forward(input, training: false)
    }
}

/// A learnable tensor and its gradient, shared by reference between a layer and the optimiser.
public final class Parameter {
    /// The current value.
    public var value: Tensor {
        didSet { version &+= 1 }
    }
    /// ∂L/∂value from the latest backward pass; same shape as `value`.
    public var gradient: Tensor
    /// Changes whenever `value` is assigned or mutated in place (by an optimiser, a checkpoint load, user
    /// code): a layer compares it to know whether something it derived from the value, such as packed
    /// weights for inference, is still current.
    public private(set) var version = 0

    /// Creates a parameter with a zero gradient.
    public init(_ value: Tensor) {
        self.value = value
        self.gradient = Tensor(uncheckedZerosLike: value)
    }
}

/// A parameter with its name: local (`weight`) inside a layer, dotted (`hidden.weight`) in a network.
public struct NamedParameter {
    /// The name, e.g. `weight` or `layers.0.weight`.
    public let name: String
    /// The parameter.
    public let parameter: Parameter

    /// Pairs a name with a parameter.
    public init(_ name: String, _ parameter: Parameter) {
        self.name = name
        self.parameter = parameter
    }
}
