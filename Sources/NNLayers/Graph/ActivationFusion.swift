/// An activation that a producing layer can apply as it writes its own output (a GEMM epilogue).
public enum FusedActivation: String, Sendable, CaseIterable {
    /// `max(x, 0)`.
    case relu
}

/// A layer that can apply an activation as it writes its output, so that the activation needs no pass of its
/// own over the tensor. Its gradients stay those of the layer alone: the activation's layer masks them.
public protocol ActivationFusing: Layer {
    /// Whether `forward(_:training:applying:)` can apply `activation` (a layer that already applies one cannot).
    func canApply(_ activation: FusedActivation) -> Bool
    /// The forward pass followed by `activation`, in one pass.
    func forward(_ input: Tensor, training: Bool, applying activation: FusedActivation) throws -> Tensor
}

/// A merge layer that can apply an activation as it writes its output (a residual block's `Add` and its ReLU).
/// Its input gradients stay those of the merge alone: the activation's layer masks them.
public protocol MergeActivationFusing: MergeLayer {
    /// Whether `forward(_:training:applying:)` can apply `activation`.
    func canApply(_ activation: FusedActivation) -> Bool
    /// The merge followed by `activation`, in one pass.
    func forward(_ inputs: [Tensor], training: Bool, applying activation: FusedActivation) throws -> Tensor
}

/// An activation layer that can take the already-activated output of the layer before as its own.
public protocol FusibleActivation: Layer {
    /// The activation it computes.
    var fusedActivation: FusedActivation { get }
    /// Takes `output`, which the layer before has already activated, as this layer's output. The tensor belongs
    /// to that layer: a training pass keeps it for the backward pass and releases it there.
    func forward(activated output: Tensor, training: Bool) -> Tensor
}

/// The fusion pass over a network: which nodes run together with a neighbour.
enum ActivationFusionPlan {
    /// How one node runs.
    enum Step {
        case alone
        /// A producer that applies the activation of its only consumer as it writes its output.
        case applying(any ActivationFusing, FusedActivation)
        /// A merge that applies the activation of its only consumer as it writes its output.
        case mergeApplying(any MergeActivationFusing, FusedActivation)
        /// An activation whose input the producer before it has already activated.
        case activated(any FusibleActivation)
        /// At inference: a producer that applies the map of the node after it (its only consumer), then maybe
        /// that node's only consumer's activation.
        case folding(any NormalizationFolding, any ChannelAffineFoldable, FusedActivation?)
        /// At inference: a node whose map the producer before it has already applied.
        case folded(any ChannelAffineFoldable)
    }

    /// Pairs each `ActivationFusing` or `MergeActivationFusing` node whose only consumer is a `FusibleActivation`
    /// it can apply with that activation. The results and gradients are those of the two layers run apart.
    ///
    /// With `foldingNormalization` (the plan for inference), first each `NormalizationFolding` node whose only
    /// consumer is a `ChannelAffineFoldable` takes that node's map, and the activation after the pair if it is the
    /// pair's only consumer.
    static func plan(layers: [any Layer], inputs: [[Network.Source]], consumers: [Int], foldingNormalization: Bool = false) -> [Step] {
        var plan = Array(repeating: Step.alone, count: layers.count)
        /// The node `index` reads when it has one input, the output of a node read by nothing else.
        func onlySource(of index: Int) -> Int? {
            guard inputs[index].count == 1, case .node(let source) = inputs[index][0], consumers[source] == 1 else { return nil }
            return source
        }
        if foldingNormalization {
            for (index, layer) in layers.enumerated() {
                guard let foldable = layer as? any ChannelAffineFoldable, let source = onlySource(of: index),
                      let producer = layers[source] as? any NormalizationFolding, case .alone = plan[source],
                      foldable.inferenceMap(channels: producer.outputChannels) != nil else { continue }
                plan[source] = .folding(producer, foldable, nil)
                plan[index] = .folded(foldable)
            }
        }
        for (index, layer) in layers.enumerated() {
            guard let activation = layer as? any FusibleActivation, let source = onlySource(of: index) else { continue }
            switch plan[source] {
            case .alone:
                if let merge = layers[source] as? any MergeActivationFusing, merge.canApply(activation.fusedActivation) {
                    plan[source] = .mergeApplying(merge, activation.fusedActivation)
                } else if let producer = layers[source] as? any ActivationFusing, producer.canApply(activation.fusedActivation) {
                    plan[source] = .applying(producer, activation.fusedActivation)
                } else {
                    continue
                }
            case .folded:
                guard let producerIndex = onlySource(of: source), case .folding(let producer, let foldable, nil) = plan[producerIndex],
                      producer.canApply(activation.fusedActivation) else { continue }
                plan[producerIndex] = .folding(producer, foldable, activation.fusedActivation)
            default:
                continue
            }
            plan[index] = .activated(activation)
        }
        return plan
    }
}
