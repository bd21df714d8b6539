/// Average pooling over NCHW windows; padded taps count as zeros (the window area is the divisor).
///
/// Shapes: `[N, C, H, W]` → `[N, C, OH, OW]`. Gradient: each output's gradient, divided by the window area,
/// goes to every input tap of its window.
public final class AvgPool2D: RegistrableLayer {
    public static let typeName = "AvgPool2D"
    public static let summary = "Mean over k×k windows (stride defaults to the kernel)"
    public static let options = [
        LayerOption("kernel", .intList, required: true, "window size, k or [kh, kw]"),
        LayerOption("stride", .intList, default: "kernel", "step, s or [sh, sw]"),
        LayerOption("padding", .padding, default: "0", "zeros on each side, or same"),
    ]

    /// The window geometry.
    public let geometry: ConvolutionGeometry
    private var inputShape: [Int] = []
    private let outputSampleShape: [Int]
    private var output: Tensor?
    private var inputGradient: Tensor?

    /// Creates the layer for inputs `[C, H, W]`.
    public init(inputShape: [Int], kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0]) throws {
        geometry = try PoolingGeometry.make(layer: Self.typeName, inputShape: inputShape, kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: [1, 1])
        outputSampleShape = [geometry.channels, geometry.outputHeight, geometry.outputWidth]
    }

    public convenience init(configuration c: LayerConfiguration) throws {
        let kernel = try c.intList("kernel", count: 2)
        let stride = try c.intList("stride", count: 2, default: kernel)
        try self.init(inputShape: c.inputShape, kernel: kernel, stride: stride, padding: try c.padding(kernel: kernel, stride: stride))
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { try PoolingGeometry.outputShape(geometry, layer: Self.typeName, input: shape) }

    /// Calls `body(outputIndex, inputIndexWithinPlane)` for every tap of every window of one plane.
    private func eachTap(_ body: (Int, Int) -> Void) {
        let g = geometry
        for i in 0..<g.outputHeight {
            for j in 0..<g.outputWidth {
                for kh in 0..<g.kernelHeight {
                    let ih = i * g.strideHeight - g.paddingHeight + kh
                    if ih < 0 || ih >= g.height { continue }
                    for kw in 0..<g.kernelWidth {
                        let iw = j * g.strideWidth - g.paddingWidth + kw
                        if iw >= 0 && iw < g.width { body(i * g.outputWidth + j, ih * g.width + iw) }
                    }
                }
            }
        }
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let g = geometry
        let n = try PoolingGeometry.batch(g, layer: Self.typeName, input: input)
        inputShape = input.shape
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        let (per, plane) = (g.outputHeight * g.outputWidth, g.height * g.width)
        var y = output.takeBuffer()
        y.resize(batch: n, sampleShape: outputSampleShape)
        input.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { out in
                out.update(repeating: 0)
                for p in 0..<(n * g.channels) {
                    eachTap { o, i in out[p * per + o] += x[p * plane + i] * scale }
                }
            }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard !inputShape.isEmpty else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let g = geometry
        let expected = [inputShape[0], g.channels, g.outputHeight, g.outputWidth]
        guard outputGradient.shape == expected else { throw LayerError.gradientShape(layer: Self.typeName, expected: expected, got: outputGradient.shape) }
        let scale = 1 / Float(g.kernelHeight * g.kernelWidth)
        let (per, plane) = (g.outputHeight * g.outputWidth, g.height * g.width)
        var dx = inputGradient.takeBuffer()
        dx.resize(to: inputShape)
        outputGradient.withUnsafeBufferPointer { dy in
            dx.withUnsafeMutableBufferPointer { out in
                out.update(repeating: 0)
                for p in 0..<(inputShape[0] * g.channels) {
                    eachTap { o, i in out[p * plane + i] += dy[p * per + o] * scale }
                }
            }
        }
        inputGradient = dx
        return dx
    }
}
