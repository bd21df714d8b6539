/// Rectified linear unit, `y = max(x, 0)`.
///
/// Shapes: any; output has the input's shape. Gradient: `∂L/∂x = ∂L/∂y` where `y > 0`, else 0
/// (the texts' mask).
public final class ReLU: RegistrableLayer, FusibleActivation {
    public static let typeName = "ReLU"
    public static let summary = "max(x, 0); backward masks where x ≤ 0"

    private var output: Tensor?
    private var inputGradient: Tensor?
    /// Whether `output` is the previous layer's tensor (see `forward(activated:training:)`).
    private var outputIsBorrowed = false

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { shape }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        var y = output.takeBuffer()
        input.map(into: &y, by: Kernels.relu)
        output = y
        outputIsBorrowed = false
        return y
    }

    public var fusedActivation: FusedActivation { .relu }

    /// Takes `output`, already `max(x, 0)` because the layer before applied it as it wrote its own output
    /// (`ActivationFusing`), as this layer's output without another pass over it.
    ///
    /// The tensor belongs to the layer before: only a training pass keeps it (for the backward mask), and
    /// backward releases it, so that layer can write its next batch in place.
    public func forward(activated output: Tensor, training: Bool) -> Tensor {
        self.output = training ? output : nil
        outputIsBorrowed = true
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        let y = try checkGradient(outputGradient, matches: output, layer: Self.typeName)
        var dx = inputGradient.takeBuffer()
        y.zip(with: outputGradient, into: &dx, by: Kernels.reluBackward)
        inputGradient = dx
        if outputIsBorrowed { output = nil }
        return dx
    }
}
