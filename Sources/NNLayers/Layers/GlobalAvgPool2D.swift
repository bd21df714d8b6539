/// The mean of each channel: `[N, C, H, W]` → `[N, C]`. Gradient: `∂L/∂y / (H·W)` to every position.
public final class GlobalAvgPool2D: RegistrableLayer {
    public static let typeName = "GlobalAvgPool2D"
    public static let summary = "Mean over each channel's H×W plane, [N, C, H, W] → [N, C]"

    private var inputShape: [Int] = []

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws {
        guard configuration.inputShape.count == 3 else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "[C, H, W]", got: configuration.inputShape)
        }
        self.init()
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 3 else { throw LayerError.inputShape(layer: Self.typeName, expected: "[C, H, W]", got: shape) }
        return [shape[0]]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank == 4 else { throw LayerError.inputShape(layer: Self.typeName, expected: "[N, C, H, W]", got: input.shape) }
        inputShape = input.shape
        let plane = input.shape[2] * input.shape[3]
        return try input.reshaped([input.shape[0] * input.shape[1], plane]).sum(alongAxis: 1).reshaped([input.shape[0], input.shape[1]]) * (1 / Float(plane))
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard inputShape.count == 4 else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        guard outputGradient.shape == Array(inputShape.prefix(2)) else {
            throw LayerError.gradientShape(layer: Self.typeName, expected: Array(inputShape.prefix(2)), got: outputGradient.shape)
        }
        let plane = inputShape[2] * inputShape[3]
        let spread = try Tensor.zeros([inputShape[0] * inputShape[1], plane]) + (try outputGradient.reshaped([-1, 1]) * (1 / Float(plane)))
        return try spread.reshaped(inputShape)
    }
}
