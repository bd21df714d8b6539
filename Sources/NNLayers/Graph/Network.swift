/// A network as a directed acyclic graph of layers: each node takes the network's input or earlier nodes'
/// outputs, and the last node's output is the network's. Forward runs the nodes in order; backward runs them
/// in reverse, summing the gradients of an output that feeds several nodes (the texts' branch, or Repeat, node).
///
/// A chain, where every node takes the one before, is the common case (`Sequential`). Parameters get dotted
/// names from the node's name (`hidden.weight`, `block1.c1.weight`) or, for unnamed nodes, its position
/// (`layers.2.weight`).
public final class Network {
    /// Where a node's input comes from.
    public enum Source: Hashable, Sendable {
        /// The network's input.
        case input
        /// The output of the node at this index (always an earlier one).
        case node(Int)
    }

    /// The layers, one per node, in execution order.
    public let layers: [any Layer]
    /// Each node's name: given, or `layers.<index>`.
    public let names: [String]
    /// Each node's inputs, in the order its layer takes them.
    public let inputs: [[Source]]
    /// Every parameter with its dotted name, in node order (collected once: layers keep their parameters).
    public let parameters: [NamedParameter]
    /// Whether some node at or before each index (through its inputs) has parameters: only those run backward in training.
    private let reachesParameters: [Bool]
    /// For each node, the index of its last consumer (or `layers.count` for the output): its value is released after it.
    private let lastUse: [Int]
    /// How many nodes read each node's output (the network's output counts as one).
    private let consumerCount: [Int]
    /// The fusion plan: per node, whether it runs together with a neighbour (`ActivationFusionPlan`).
    private let fusion: [ActivationFusionPlan.Step]
    /// The plan for inference, which also folds normalisations into the layers before them.
    private let inferenceFusion: [ActivationFusionPlan.Step]
    /// Outputs of the current forward pass, released after their last consumer.
    private var values: [Tensor?]
    /// The gradient of each node's output (and, last, of the input) during backward.
    private var gradients: [Tensor?]
    /// Buffers in which gradients of a branched output are summed, kept between batches.
    private var gradientSums: [Tensor?]
    /// Whether `gradients[i]` is the network's own sum buffer (and may be added to in place).
    private var ownsGradient: [Bool]


    /// Chains unnamed layers.
    public convenience init(_ layers: [any Layer]) {
        self.init(named: layers.map { (name: nil, layer: $0) })
    }

    /// Chains layers with optional names (`nil` means `layers.<index>`).
    public convenience init(named layers: [(name: String?, layer: any Layer)]) {
        self.init(validated: layers.enumerated().map { index, entry in
            (entry.name, entry.layer, [index == 0 ? Source.input : .node(index - 1)])
        })
    }

    /// Builds a graph from nodes in execution order: each with an optional name, its layer and its inputs.
    /// - Throws: `LayerError.graph` when an input refers to the node itself or a later one, or when the number of
    ///   inputs does not suit the layer (one for a `Layer`, at least one for a `MergeLayer`).
    public convenience init(nodes: [(name: String?, layer: any Layer, inputs: [Source])]) throws {
        for (index, node) in nodes.enumerated() {
            let label = node.name ?? "layers.\(index)"
            guard !node.inputs.isEmpty, node.layer is any MergeLayer || node.inputs.count == 1 else {
                throw LayerError.graph("node \(index) ('\(label)') has \(node.inputs.count) inputs; only merge layers take more than one, and every layer takes one")
            }
            for case .node(let source) in node.inputs where source < 0 || source >= index {
                throw LayerError.graph("node \(index) ('\(label)') takes the output of node \(source); a node can only take earlier nodes' outputs")
            }
        }
        self.init(validated: nodes)
    }

    private init(validated nodes: [(name: String?, layer: any Layer, inputs: [Source])]) {
        layers = nodes.map(\.layer)
        names = nodes.enumerated().map { $0.element.name ?? "layers.\($0.offset)" }
        inputs = nodes.map(\.inputs)
        parameters = zip(names, layers).flatMap { name, layer in
            layer.parameters.map { NamedParameter(name + "." + $0.name, $0.parameter) }
        }
        var reaches: [Bool] = []
        var lastUse = Array(nodes.indices)
        var consumers = Array(repeating: 0, count: nodes.count)
        for (index, node) in nodes.enumerated() {
            var reached = !node.layer.parameters.isEmpty
            for case .node(let source) in node.inputs {
                reached = reached || reaches[source]
                lastUse[source] = index
                consumers[source] += 1
            }
            reaches.append(reached)
        }
        if !nodes.isEmpty {
            lastUse[nodes.count - 1] = nodes.count
            consumers[nodes.count - 1] += 1
        }
        reachesParameters = reaches
        self.lastUse = lastUse
        consumerCount = consumers
        fusion = ActivationFusionPlan.plan(layers: layers, inputs: inputs, consumers: consumers)
        inferenceFusion = ActivationFusionPlan.plan(layers: layers, inputs: inputs, consumers: consumers, foldingNormalization: true)
        values = Array(repeating: nil, count: nodes.count)
        gradients = Array(repeating: nil, count: nodes.count + 1)
        gradientSums = Array(repeating: nil, count: nodes.count + 1)
        ownsGradient = Array(repeating: false, count: nodes.count + 1)
    }

    /// The index of the output node (-1 for an empty network, which passes its input through).
    public var outputNode: Int { layers.count - 1 }

    /// Whether every node takes the output of the one before (the network is a chain).
    public var isChain: Bool {
        inputs.enumerated().allSatisfy { $0.element == [$0.offset == 0 ? .input : .node($0.offset - 1)] }
    }

    /// Runs every node's forward pass in order and returns the last node's output.
    ///
    /// A node whose only consumer is an activation it can apply (`ActivationFusing`, e.g. a `Linear` followed by a
    /// `ReLU`) runs as one pass with it: it applies the activation as it writes its output and the activation
    /// takes that output as its own. Results and gradients are those of the two layers run apart. At inference, a
    /// `BatchNorm` after a convolution is folded into it too (`NormalizationFolding`): a few units in the last
    /// place from the layers run apart.
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard !layers.isEmpty else { return input }
        defer { for index in values.indices { values[index] = nil } }
        let fusion = training ? self.fusion : inferenceFusion
        for index in layers.indices {
            let value: Tensor
            switch fusion[index] {
            case .folding(let producer, let foldable, let activation):
                guard let map = foldable.inferenceMap(channels: producer.outputChannels) else {
                    throw LayerError.graph("internal: node \(index + 1) can no longer be folded into node \(index)")
                }
                value = try producer.forwardFolding(map, input: try self.input(index, 0, input), applying: activation)
            case .folded(let foldable):
                value = foldable.forward(folded: try self.input(index, 0, input))
            case .applying(let producer, let activation):
                value = try producer.forward(try self.input(index, 0, input), training: training, applying: activation)
            case .mergeApplying(let merge, let activation):
                value = try merge.forward(try inputs[index].indices.map { try self.input(index, $0, input) }, training: training, applying: activation)
            case .activated(let activation):
                value = activation.forward(activated: try self.input(index, 0, input), training: training)
            case .alone:
                if let merge = layers[index] as? any MergeLayer {
                    value = try merge.forward(try inputs[index].indices.map { try self.input(index, $0, input) }, training: training)
                } else {
                    value = try layers[index].forward(try self.input(index, 0, input), training: training)
                }
            }
            release(inputsOf: index)
            values[index] = value
        }
        return values[outputNode]!
    }

    /// The value of input `slot` of node `index`.
    private func input(_ index: Int, _ slot: Int, _ input: Tensor) throws -> Tensor {
        switch inputs[index][slot] {
        case .input: return input
        case .node(let source):
            guard let value = values[source] else { throw LayerError.graph("internal: node \(source)'s output was released before node \(index) ran") }
            return value
        }
    }

    /// Drops the outputs whose last consumer is node `index`, so their layers can write the next batch in place.
    private func release(inputsOf index: Int) {
        for case .node(let source) in inputs[index] where lastUse[source] == index { values[source] = nil }
    }

    /// Inference: forward with `training: false`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try forward(input, training: false)
    }

    /// Runs every node's backward pass in reverse order, filling all parameter gradients; returns ∂L/∂input.
    ///
    /// An output read by several nodes receives the sum of their gradients. With `needsInputGradient: false`
    /// (training), nodes with no parameters at or before them are skipped and no gradient flows to the network's
    /// input; the returned tensor is then meaningless.
    @discardableResult
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool = true) throws -> Tensor {
        guard !layers.isEmpty else { return outputGradient }
        let inputSlot = layers.count
        defer { for index in gradients.indices { gradients[index] = nil } }
        gradients[outputNode] = outputGradient
        var last = outputGradient
        for index in layers.indices.reversed() {
            guard let gradient = gradients[index] else { continue }
            gradients[index] = nil
            defer { recycle(gradient, of: index) }
            guard needsInputGradient || reachesParameters[index] else { continue }
            let slots = inputs[index].map { source -> Int? in
                switch source {
                case .input: needsInputGradient ? inputSlot : nil
                case .node(let node): needsInputGradient || reachesParameters[node] ? node : nil
                }
            }
            if let merge = layers[index] as? any MergeLayer {
                for (slot, inputGradient) in zip(slots, try merge.inputGradients(for: gradient)) {
                    if let slot { accumulate(inputGradient, into: slot) }
                }
            } else {
                last = try layers[index].backward(gradient, needsInputGradient: slots[0] != nil)
                if let slot = slots[0] { accumulate(last, into: slot) }
            }
        }
        return gradients[inputSlot] ?? last
    }

    /// Adds a gradient to what slot `slot` (a node, or `layers.count` for the input) has received in this pass.
    ///
    /// The first gradient is kept as it is; the second is summed with it into the slot's own buffer, and later
    /// ones are added to that buffer in place.
    private func accumulate(_ gradient: Tensor, into slot: Int) {
        guard var sum = gradients[slot] else {
            gradients[slot] = gradient
            return
        }
        gradients[slot] = nil
        if ownsGradient[slot] {
            let count = sum.count
            sum.withUnsafeMutableBufferPointer { s in
                gradient.withUnsafeBufferPointer { Kernels.binary(.add, s.baseAddress!, $0.baseAddress!, s.baseAddress!, count: count) }
            }
            gradients[slot] = sum
        } else {
            var total = gradientSums[slot].takeBuffer()
            sum.zip(with: gradient, into: &total) { Kernels.binary(.add, $0, $1, $2, count: $3) }
            ownsGradient[slot] = true
            gradients[slot] = total
        }
    }

    /// Keeps a summed gradient's buffer for the next batch once its node has used it.
    private func recycle(_ gradient: Tensor, of slot: Int) {
        guard ownsGradient[slot] else { return }
        ownsGradient[slot] = false
        gradientSums[slot] = gradient
    }

    /// Every buffer (non-learned state) with its dotted name, in node order.
    public var buffers: [NamedParameter] {
        zip(names, layers).flatMap { name, layer in
            layer.buffers.map { NamedParameter(name + "." + $0.name, $0.parameter) }
        }
    }

    /// The per-sample shape of every node's output for a per-sample input shape.
    public func outputShapes(forInput shape: [Int]) throws -> [[Int]] {
        var shapes: [[Int]] = []
        for (layer, sources) in zip(layers, inputs) {
            let inputShapes = sources.map { source -> [Int] in
                switch source {
                case .input: shape
                case .node(let node): shapes[node]
                }
            }
            if let merge = layer as? any MergeLayer {
                shapes.append(try merge.outputShape(forInputs: inputShapes))
            } else {
                shapes.append(try layer.outputShape(forInput: inputShapes[0]))
            }
        }
        return shapes
    }

    /// The per-sample output shape for a per-sample input shape, through every node.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        try outputShapes(forInput: shape).last ?? shape
    }
}

/// A network whose nodes form a chain: each takes the previous node's output. The same type as `Network`.
public typealias Sequential = Network

/// A network is itself a layer, so it can be gradient-checked whole or used as one node of another network.
extension Network: Layer {
    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try backward(outputGradient, needsInputGradient: true)
    }
}
