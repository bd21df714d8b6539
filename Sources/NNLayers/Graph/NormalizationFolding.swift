/// A per-channel affine map `y·scale[c] + shift[c]`: what a `BatchNorm` computes at inference, with
/// `scale = γ/√(σ² + ε)` and `shift = β − μ·scale` from its running statistics.
public struct ChannelAffineMap: Sendable, Equatable {
    /// The factor of each channel.
    public var scale: [Float]
    /// The term added to each channel after scaling.
    public var shift: [Float]

    /// A map with one scale and one shift per channel.
    public init(scale: [Float], shift: [Float]) {
        self.scale = scale
        self.shift = shift
    }
}

/// A layer that at inference maps each channel by a fixed affine map, which the layer before it can apply as it
/// writes its own output (a `BatchNorm` after a convolution).
public protocol ChannelAffineFoldable: Layer {
    /// The map this layer computes at inference over `channels` image channels (`[N, C, H, W]`), or `nil` when its
    /// input is not such an image.
    func inferenceMap(channels: Int) -> ChannelAffineMap?
    /// Takes `output`, which the layer before has already mapped, as this layer's inference output; there is no
    /// backward pass after it.
    func forward(folded output: Tensor) -> Tensor
}

/// A layer that can apply the inference map of a following `ChannelAffineFoldable` (and then an activation) as it
/// writes its output, so that an inference pass through `Conv2D → BatchNorm → ReLU` is one pass over the output.
/// The rounding differs from the layers run apart (`(Wx + b)·s + t` instead of `γ·(Wx + b − μ)/√(σ² + ε) + β`),
/// by a few units in the last place, as in every framework that folds BatchNorm.
public protocol NormalizationFolding: ActivationFusing {
    /// The channels of its output `[N, C, H, W]`.
    var outputChannels: Int { get }
    /// The inference forward pass followed by `normalization` per output channel and then `activation`.
    func forwardFolding(_ normalization: ChannelAffineMap, input: Tensor, applying activation: FusedActivation?) throws -> Tensor
}
