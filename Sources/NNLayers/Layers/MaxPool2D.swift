/// Max pooling over NCHW windows.
///
/// Shapes: `[N, C, H, W]` → `[N, C, OH, OW]` (same window arithmetic as `Conv2D`; padding never wins).
/// Gradient: each output's gradient goes to the input position that held the maximum (ties: the first).
public final class MaxPool2D: RegistrableLayer {
    public static let typeName = "MaxPool2D"
    public static let summary = "Max over k×k windows (stride defaults to the kernel)"
    public static let options = [
        LayerOption("kernel", .intList, required: true, "window size, k or [kh, kw]"),
        LayerOption("stride", .intList, default: "kernel", "step, s or [sh, sw]"),
        LayerOption("padding", .padding, default: "0", "padding on each side (ignored by the max), or same"),
        LayerOption("dilation", .intList, default: "1", "tap spacing"),
    ]

    /// The window geometry.
    public let geometry: ConvolutionGeometry
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []
    private var output: Tensor?
    private var inputGradient: Tensor?
    private let outputSampleShape: [Int]

    /// Creates the layer for inputs `[C, H, W]`.
    public init(inputShape: [Int], kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0], dilation: [Int] = [1, 1]) throws {
        geometry = try PoolingGeometry.make(layer: Self.typeName, inputShape: inputShape, kernel: kernel, stride: stride ?? kernel, padding: padding, dilation: dilation)
        outputSampleShape = [geometry.channels, geometry.outputHeight, geometry.outputWidth]
    }

    public convenience init(configuration c: LayerConfiguration) throws {
        let kernel = try c.intList("kernel", count: 2)
        let stride = try c.intList("stride", count: 2, default: kernel), dilation = try c.intList("dilation", count: 2, default: [1, 1])
        try self.init(inputShape: c.inputShape, kernel: kernel, stride: stride,
                      padding: try c.padding(kernel: kernel, stride: stride, dilation: dilation), dilation: dilation)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { try PoolingGeometry.outputShape(geometry, layer: Self.typeName, input: shape) }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let g = geometry
        let n = try PoolingGeometry.batch(g, layer: Self.typeName, input: input)
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        inputShape = input.shape
        // Every entry is written below.
        let outputs = n * g.channels * oh * ow
        if argmax.count != outputs { argmax = [Int32](repeating: -1, count: outputs) }
        let inside = g.paddingHeight == 0 && g.paddingWidth == 0 && g.dilationHeight == 1 && g.dilationWidth == 1
        var output = self.output.takeBuffer()
        output.resize(batch: n, sampleShape: outputSampleShape)
        argmax.withUnsafeMutableBufferPointer { arg in
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    if inside && g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideHeight == 2 && g.strideWidth == 2 {
                        Kernels.maxPool2x2(x.baseAddress!, planes: n * g.channels, height: g.height, width: g.width, into: y.baseAddress!, argmax: arg.baseAddress!)
                        return
                    }
                    if inside {
                        Self.poolInside(x.baseAddress!, planes: n * g.channels, geometry: g, into: y.baseAddress!, argmax: arg.baseAddress!)
                        return
                    }
                    for plane in 0..<(n * g.channels) {
                        let source = x.baseAddress! + plane * g.height * g.width
                        for i in 0..<oh {
                            let top = i * g.strideHeight - g.paddingHeight
                            for j in 0..<ow {
                                let left = j * g.strideWidth - g.paddingWidth
                                var best = -Float.infinity, at = -1
                                for kh in 0..<g.kernelHeight {
                                    let ih = top + kh * g.dilationHeight
                                    if ih < 0 || ih >= g.height { continue }
                                    let rowStart = ih * g.width
                                    for kw in 0..<g.kernelWidth {
                                        let iw = left + kw * g.dilationWidth
                                        if iw < 0 || iw >= g.width { continue }
                                        let v = source[rowStart + iw]
                                        if v > best || at < 0 { best = v; at = rowStart + iw }
                                    }
                                }
                                let o = (plane * oh + i) * ow + j
                                y[o] = best
                                arg[o] = Int32(at)
                            }
                        }
                    }
                }
            }
        }
        self.output = output
        return output
    }

    /// The common case without padding or dilation: every window lies inside the input, so the taps need no
    /// bounds checks and the comparison can compile to selects.
    private static func poolInside(
        _ x: UnsafePointer<Float>, planes: Int, geometry g: ConvolutionGeometry, into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    ) {
        let (oh, ow, width) = (g.outputHeight, g.outputWidth, g.width)
        for plane in 0..<planes {
            let source = x + plane * g.height * width
            for i in 0..<oh {
                for j in 0..<ow {
                    let corner = i * g.strideHeight * width + j * g.strideWidth
                    var best = source[corner], at = corner
                    for kh in 0..<g.kernelHeight {
                        let row = corner + kh * width
                        for kw in 0..<g.kernelWidth {
                            let v = source[row + kw]
                            let better = v > best
                            best = better ? v : best
                            at = better ? row + kw : at
                        }
                    }
                    let o = (plane * oh + i) * ow + j
                    y[o] = best
                    argmax[o] = Int32(at)
                }
            }
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard !inputShape.isEmpty else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let g = geometry
        let expected = [inputShape[0], g.channels, g.outputHeight, g.outputWidth]
        guard outputGradient.shape == expected else { throw LayerError.gradientShape(layer: Self.typeName, expected: expected, got: outputGradient.shape) }
        var dx = inputGradient.takeBuffer()
        dx.resize(to: inputShape)
        dx.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) }
        outputGradient.withUnsafeBufferPointer { dy in
            argmax.withUnsafeBufferPointer { index in
                dx.withUnsafeMutableBufferPointer { out in
                    Kernels.maxPoolBackward(dy.baseAddress!, argmax: index.baseAddress!, planes: inputShape[0] * g.channels,
                                            outputPlane: g.outputHeight * g.outputWidth, inputPlane: g.height * g.width, into: out.baseAddress!)
                }
            }
        }
        return dx
    }
}

/// Shared validation for pooling layers.
enum PoolingGeometry {
    static func make(layer: String, inputShape: [Int], kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]) throws -> ConvolutionGeometry {
        guard inputShape.count == 3 else { throw ConfigurationError.inputShape(layer: layer, expected: "[C, H, W]", got: inputShape) }
        for (name, values, minimum) in [("kernel", kernel, 1), ("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)] {
            guard values.count == 2, values.allSatisfy({ $0 >= minimum && $0 <= 4096 }) else {
                throw ConfigurationError.invalidValue(key: name, value: "\(values)", requirement: "it needs two values from \(minimum) to 4096")
            }
        }
        guard padding[0] * 2 <= kernel[0], padding[1] * 2 <= kernel[1] else {
            throw ConfigurationError.invalidValue(key: "padding", value: "\(padding)", requirement: "it must be at most half the kernel")
        }
        let g = ConvolutionGeometry(channels: inputShape[0], height: inputShape[1], width: inputShape[2], kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        guard g.outputHeight >= 1, g.outputWidth >= 1 else {
            throw ConfigurationError.inputShape(layer: layer, expected: "an input at least as large as the \(kernel) window", got: inputShape)
        }
        return g
    }

    static func outputShape(_ g: ConvolutionGeometry, layer: String, input shape: [Int]) throws -> [Int] {
        guard shape == [g.channels, g.height, g.width] else {
            throw LayerError.inputShape(layer: layer, expected: "[\(g.channels), \(g.height), \(g.width)]", got: shape)
        }
        return [g.channels, g.outputHeight, g.outputWidth]
    }

    static func batch(_ g: ConvolutionGeometry, layer: String, input: Tensor) throws -> Int {
        guard input.rank == 4, Array(input.shape.dropFirst()) == [g.channels, g.height, g.width] else {
            throw LayerError.inputShape(layer: layer, expected: "[N, \(g.channels), \(g.height), \(g.width)]", got: input.shape)
        }
        return input.shape[0]
    }
}
