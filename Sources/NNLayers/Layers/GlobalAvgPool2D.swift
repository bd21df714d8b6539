/// The mean of each channel: `[N, C, H, W]` → `[N, C]`. Gradient: `∂L/∂y / (H·W)` to every position.
public final class GlobalAvgPool2D: RegistrableLayer {
    public static let typeName = "GlobalAvgPool2D"
    public static let summary = "Mean over each channel's H×W plane, [N, C, H, W] → [N, C]"

    private var inputShape: [Int] = []
    private var outputSampleShape: [Int] = []
    private var output: Tensor?
    private var inputGradient: Tensor?

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
        let (planes, plane) = (input.shape[0] * input.shape[1], input.shape[2] * input.shape[3])
        var y = output.takeBuffer()
        if outputSampleShape.first != input.shape[1] { outputSampleShape = [input.shape[1]] }
        y.resize(batch: input.shape[0], sampleShape: outputSampleShape)
        input.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                for p in 0..<planes { y[p] = Float(Kernels.sum(x.baseAddress! + p * plane, count: plane) / Double(plane)) }
            }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard inputShape.count == 4 else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        guard outputGradient.shape.elementsEqual(inputShape.prefix(2)) else {
            throw LayerError.gradientShape(layer: Self.typeName, expected: Array(inputShape.prefix(2)), got: outputGradient.shape)
        }
        let (planes, plane) = (inputShape[0] * inputShape[1], inputShape[2] * inputShape[3])
        var dx = inputGradient.takeBuffer()
        dx.resize(to: inputShape)
        outputGradient.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { dx in
                for p in 0..<planes { (dx.baseAddress! + p * plane).update(repeating: dy[p] / Float(plane), count: plane) }
            }
        }
        inputGradient = dx
        return dx
    }
}
