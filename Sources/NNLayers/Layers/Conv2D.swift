/// 2-D convolution over NCHW batches, by im2col and the GEMM kernel.
///
/// Shapes: input `[N, C, H, W]`, weight `[F, C/groups, KH, KW]`, bias `[F]`, output `[N, F, OH, OW]` with
/// `OH = ⌊(H + 2p − d(KH − 1) − 1)/s⌋ + 1` (likewise `OW`).
///
/// With the column matrix `X̂ = im2col(x)` (`[C·KH·KW, N·OH·OW]`) and `Ŷ = W·X̂ + b` per group, the gradients
/// are those of `Linear`: `∂L/∂W = ∂L/∂Ŷ · X̂ᵀ`, `∂L/∂b = Σ ∂L/∂Ŷ`, and `∂L/∂x = col2im(Wᵀ · ∂L/∂Ŷ)`.
public final class Conv2D: RegistrableLayer {
    public static let typeName = "Conv2D"
    public static let aliases = ["Convolution"]
    public static let summary = "2-D convolution, NCHW; kernel, stride, padding, dilation, groups"
    public static let options = [
        LayerOption("filters", .int, required: true, "output channels F"),
        LayerOption("kernel", .intList, required: true, "window size, k or [kh, kw]"),
        LayerOption("stride", .intList, default: "1", "step, s or [sh, sw]"),
        LayerOption("padding", .padding, default: "0", "zeros on each side, p, [ph, pw] or same (output H × W at stride 1)"),
        LayerOption("dilation", .intList, default: "1", "tap spacing, d or [dh, dw]"),
        LayerOption("groups", .int, default: "1", "channel groups; C and F must be divisible by it"),
        LayerOption("bias", .bool, default: "true", "whether to learn a bias"),
        LayerOption("init", .string, default: "he", "weight initialiser: " + WeightInitializer.allCases.map(\.rawValue).joined(separator: ", ")),
    ]

    /// The weight `[F, C/groups, KH, KW]`.
    public let weight: Parameter
    /// The bias `[F]`, if any.
    public let bias: Parameter?
    /// The window geometry for one input sample.
    public let geometry: ConvolutionGeometry
    /// Output channels.
    public let filters: Int
    /// Channel groups.
    public let groups: Int

    private var columns = Tensor(scalar: 0)
    private let inputSampleShape: [Int]
    private let outputSampleShape: [Int]
    // Per-batch work tensors, kept so that training allocates only for the first batch.
    private var product: Tensor?
    private var output: Tensor?
    private var reorderedGradient: Tensor?
    private var columnGradient: Tensor?
    private var inputGradient: Tensor?
    private var batch = 0

    /// Creates a convolution for inputs `[C, H, W]`.
    public init(
        inputShape: [Int], filters: Int, kernel: [Int], stride: [Int] = [1, 1], padding: [Int] = [0, 0], dilation: [Int] = [1, 1],
        groups: Int = 1, bias: Bool = true, initializer: WeightInitializer = .he, seed: UInt64 = 0
    ) throws {
        guard inputShape.count == 3 else { throw ConfigurationError.inputShape(layer: Self.typeName, expected: "[C, H, W]", got: inputShape) }
        for (name, values, minimum) in [("kernel", kernel, 1), ("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)] {
            guard values.count == 2, values.allSatisfy({ $0 >= minimum && $0 <= 4096 }) else {
                throw ConfigurationError.invalidValue(key: name, value: "\(values)", requirement: "it needs two values from \(minimum) to 4096")
            }
        }
        guard filters >= 1, groups >= 1, inputShape[0] % groups == 0, filters % groups == 0 else {
            throw ConfigurationError.invalidValue(key: "groups", value: "\(groups)", requirement: "input channels \(inputShape[0]) and filters \(filters) must be divisible by it")
        }
        let geometry = ConvolutionGeometry(channels: inputShape[0], height: inputShape[1], width: inputShape[2], kernel: kernel, stride: stride, padding: padding, dilation: dilation)
        guard geometry.outputHeight >= 1, geometry.outputWidth >= 1 else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "a [C, H, W] input at least as large as the \(kernel) window (after padding and dilation)", got: inputShape)
        }
        self.geometry = geometry
        self.filters = filters
        self.groups = groups
        inputSampleShape = [geometry.channels, geometry.height, geometry.width]
        outputSampleShape = [filters, geometry.outputHeight, geometry.outputWidth]
        let fanIn = inputShape[0] / groups * kernel[0] * kernel[1]
        weight = Parameter(try initializer.makeWeight(shape: [filters, inputShape[0] / groups, kernel[0], kernel[1]], fanIn: fanIn, fanOut: filters * kernel[0] * kernel[1] / groups, seed: seed))
        self.bias = bias ? Parameter(try .zeros([filters])) : nil
    }

    public convenience init(configuration c: LayerConfiguration) throws {
        let kernel = try c.intList("kernel", count: 2)
        let groups = try c.positiveInt("groups", default: 1)
        try c.checkParameterSize([try c.positiveInt("filters"), (c.inputShape.first ?? 1) / groups, kernel[0], kernel[1]], key: "filters", layer: Self.typeName)
        let stride = try c.intList("stride", count: 2, default: [1, 1]), dilation = try c.intList("dilation", count: 2, default: [1, 1])
        try self.init(
            inputShape: c.inputShape, filters: try c.positiveInt("filters"), kernel: kernel,
            stride: stride, padding: try c.padding(kernel: kernel, stride: stride, dilation: dilation),
            dilation: dilation, groups: groups,
            bias: try c.bool("bias", default: true),
            initializer: WeightInitializer(rawValue: try c.string("init", default: "he", allowed: WeightInitializer.allCases.map(\.rawValue))) ?? .he,
            seed: c.seed)
    }

    /// The column matrix and its gradient, `C/groups·KH·KW × N·OH·OW` each, and the product before reordering.
    public func workspaceSize(forBatch batch: Int) -> Int {
        let positions = geometry.outputHeight * geometry.outputWidth
        let columns = geometry.columnRows.multipliedReportingOverflow(by: positions).partialValue
        return (2 * columns + filters * positions).multipliedReportingOverflow(by: batch).partialValue
    }

    public var parameters: [NamedParameter] {
        [NamedParameter("weight", weight)] + (bias.map { [NamedParameter("bias", $0)] } ?? [])
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape == [geometry.channels, geometry.height, geometry.width] else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[\(geometry.channels), \(geometry.height), \(geometry.width)]", got: shape)
        }
        return [filters, geometry.outputHeight, geometry.outputWidth]
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        let g = geometry
        guard input.rank == 4, Array(input.shape.dropFirst()) == [g.channels, g.height, g.width] else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N, \(g.channels), \(g.height), \(g.width)]", got: input.shape)
        }
        let n = input.shape[0]
        batch = n
        let positions = g.outputHeight * g.outputWidth
        let columnCount = n * positions
        columns.resize(to: [g.columnRows, columnCount])
        input.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { Kernels.im2col(x.baseAddress!, batch: n, geometry: g, into: $0.baseAddress!) }
        }
        // Ŷ [F, N·P] per group, then reordered to [N, F, P].
        var product = self.product.takeBuffer()
        product.resize(to: [filters, columnCount])
        let (groupFilters, groupRows) = (filters / groups, g.columnRows / groups)
        columns.withUnsafeBufferPointer { col in
            weight.value.withUnsafeBufferPointer { w in
                product.withUnsafeMutableBufferPointer { y in
                    for group in 0..<groups {
                        GEMM.multiply(
                            m: groupFilters, n: columnCount, k: groupRows, a: w.baseAddress! + group * groupFilters * groupRows, lda: groupRows,
                            b: col.baseAddress! + group * groupRows * columnCount, ldb: columnCount,
                            c: y.baseAddress! + group * groupFilters * columnCount, ldc: columnCount)
                    }
                }
            }
        }
        let filters = self.filters
        let biasValues = bias?.value
        var output = self.output.takeBuffer()
        output.resize(batch: n, sampleShape: outputSampleShape)
        product.withUnsafeBufferPointer { y in
            output.withUnsafeMutableBufferPointer { out in
                for f in 0..<filters {
                    let b = biasValues?.scalars[f] ?? 0
                    for s in 0..<n {
                        let source = y.baseAddress! + f * columnCount + s * positions
                        let target = out.baseAddress! + (s * filters + f) * positions
                        for p in 0..<positions { target[p] = source[p] + b }
                    }
                }
            }
        }
        self.product = product
        self.output = output
        return output
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try backward(outputGradient, needsInputGradient: true)
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor {
        let g = geometry
        let n = batch
        guard n > 0, columns.shape == [g.columnRows, n * g.outputHeight * g.outputWidth] else {
            throw LayerError.backwardWithoutForward(layer: Self.typeName)
        }
        let expected = [n, filters, g.outputHeight, g.outputWidth]
        guard outputGradient.shape == expected else { throw LayerError.gradientShape(layer: Self.typeName, expected: expected, got: outputGradient.shape) }
        let positions = g.outputHeight * g.outputWidth
        let columnCount = n * positions
        let filters = self.filters
        // ∂L/∂Ŷ as [F, N·P].
        var dy = reorderedGradient.takeBuffer()
        dy.resize(to: [filters, columnCount])
        outputGradient.withUnsafeBufferPointer { source in
            dy.withUnsafeMutableBufferPointer { out in
                for s in 0..<n {
                    for f in 0..<filters {
                        (out.baseAddress! + f * columnCount + s * positions).update(from: source.baseAddress! + (s * filters + f) * positions, count: positions)
                    }
                }
            }
        }
        defer { reorderedGradient = dy }
        if let bias {
            dy.withUnsafeBufferPointer { d in
                bias.gradient.withUnsafeMutableBufferPointer { out in
                    for f in 0..<filters { out[f] = Float(Kernels.sum(d.baseAddress! + f * columnCount, count: columnCount)) }
                }
            }
        }
        let (groupFilters, groupRows) = (filters / groups, g.columnRows / groups)
        dy.withUnsafeBufferPointer { d in
            columns.withUnsafeBufferPointer { col in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    for group in 0..<groups {
                        GEMM.multiply(
                            m: groupFilters, n: groupRows, k: columnCount, a: d.baseAddress! + group * groupFilters * columnCount, lda: columnCount,
                            b: col.baseAddress! + group * groupRows * columnCount, ldb: columnCount, transposeB: true,
                            c: dw.baseAddress! + group * groupFilters * groupRows, ldc: groupRows)
                    }
                }
            }
        }
        guard needsInputGradient else { return outputGradient }
        var dColumns = columnGradient.takeBuffer()
        dColumns.resize(to: [g.columnRows, columnCount])
        dy.withUnsafeBufferPointer { d in
            weight.value.withUnsafeBufferPointer { w in
                dColumns.withUnsafeMutableBufferPointer { dc in
                    for group in 0..<groups {
                        GEMM.multiply(
                            m: groupRows, n: columnCount, k: groupFilters, a: w.baseAddress! + group * groupFilters * groupRows, lda: groupRows, transposeA: true,
                            b: d.baseAddress! + group * groupFilters * columnCount, ldb: columnCount,
                            c: dc.baseAddress! + group * groupRows * columnCount, ldc: columnCount)
                    }
                }
            }
        }
        var dx = inputGradient.takeBuffer()
        dx.resize(batch: n, sampleShape: inputSampleShape)
        dColumns.withUnsafeBufferPointer { dc in
            dx.withUnsafeMutableBufferPointer { out in
                out.initialize(repeating: 0)
                Kernels.col2im(dc.baseAddress!, batch: n, geometry: g, into: out.baseAddress!)
            }
        }
        columnGradient = dColumns
        inputGradient = dx
        return dx
    }
}
