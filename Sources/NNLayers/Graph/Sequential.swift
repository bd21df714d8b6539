/// A network as a chain of layers: forward left to right, backward right to left.
///
/// Parameters get dotted names from the layer's name (`hidden.weight`) or, for unnamed layers,
/// its position (`layers.2.weight`).
public final class Sequential {
    /// The layers in order.
    public let layers: [any Layer]
    /// Each layer's name: given, or `layers.<index>`.
    public let names: [String]
    /// Every parameter with its dotted name, in layer order (collected once: layers keep their parameters).
    public let parameters: [NamedParameter]
    /// The index of the first layer with parameters (`layers.count` when none has any).
    private let firstTrainable: Int

    /// Chains unnamed layers.
    public convenience init(_ layers: [any Layer]) {
        self.init(named: layers.map { (name: nil, layer: $0) })
    }

    /// Chains layers with optional names (`nil` means `layers.<index>`).
    public init(named layers: [(name: String?, layer: any Layer)]) {
        self.layers = layers.map(\.layer)
        self.names = layers.enumerated().map { $0.element.name ?? "layers.\($0.offset)" }
        self.parameters = zip(names, self.layers).flatMap { name, layer in
            layer.parameters.map { NamedParameter(name + "." + $0.name, $0.parameter) }
        }
        self.firstTrainable = self.layers.firstIndex { !$0.parameters.isEmpty } ?? self.layers.count
    }

    /// Runs every layer's forward pass in order.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var x = input
        for layer in layers { x = try layer.forward(x, training: training) }
        return x
    }

    /// Inference: forward with `training: false`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forward(input, training: false)
    }

    /// Runs every layer's backward pass in reverse order, filling all gradients; returns ∂L/∂input.
    ///
    /// With `needsInputGradient: false` (training), layers before the first one with parameters are skipped
    /// and that layer does not compute its input gradient; the returned tensor is then meaningless.
    @discardableResult
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool = true) throws -> Tensor {
        let firstTrainable = needsInputGradient ? 0 : self.firstTrainable
        var gradient = outputGradient
        for index in layers.indices.reversed() where index >= firstTrainable {
            gradient = try layers[index].backward(gradient, needsInputGradient: index > firstTrainable || needsInputGradient)
        }
        return gradient
    }

    /// Every buffer (non-learned state) with its dotted name, in layer order.
    public var buffers: [NamedParameter] {
        zip(names, layers).flatMap { name, layer in
            layer.buffers.map { NamedParameter(name + "." + $0.name, $0.parameter) }
        }
    }

    /// The per-sample output shape for a per-sample input shape, through every layer.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try layers.reduce(shape) { try $1.outputShape(forInput: $0) }
    }
}
