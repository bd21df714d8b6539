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
    /// For each layer index, the `Linear` there and the `ReLU` right after it, run as one fused pass.
    private let fusedReLU: [(linear: Linear, relu: ReLU)?]

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
        let chain = self.layers
        self.fusedReLU = chain.indices.map { index in
            guard index + 1 < chain.count, let linear = chain[index] as? Linear, let relu = chain[index + 1] as? ReLU else { return nil }
            return (linear, relu)
        }
    }

    /// Runs every layer's forward pass in order.
    ///
    /// A `Linear` followed by a `ReLU` runs as one pass: the linear layer applies `max(·, 0)` as it writes its
    /// output and the ReLU takes that output as its own. Results and gradients are those of the two layers.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var x = input
        var index = 0
        while index < layers.count {
            if let (linear, relu) = fusedReLU[index] {
                x = relu.forward(rectified: try linear.forward(x, training: training, applyingReLU: true), training: training)
                index += 2
            } else {
                x = try layers[index].forward(x, training: training)
                index += 1
            }
        }
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
