/// The affine layer of the source texts, `y = x · W + b` (also registered as `Affine` and `Dense`).
///
/// Shapes: input `[N, …]` is flattened to rows `[N, D]`; `W` is `[D, units]`, `b` is `[units]`,
/// output `[N, units]`.
///
/// Gradients: `∂L/∂x = ∂L/∂y · Wᵀ` (reshaped to the input's shape), `∂L/∂W = xᵀ · ∂L/∂y`,
/// `∂L/∂b = Σₙ ∂L/∂yₙ`. With `activation: relu` the output is `max(x · W + b, 0)`, applied as the product is
/// written, and `∂L/∂y` is first masked where the output is 0.
///
/// Inference on more than four rows keeps a copy of `W` packed for the GEMM (as large as `W`), rebuilt
/// whenever `weight.version` changes, so batches after the first skip packing it. Inference on a single sample
/// does not read the rows of `W` that meet a zero input (a ReLU's zeros, an image's background) when every
/// weight is finite, which is checked once per `weight.version`. A batch's weight gradient `xᵀ · ∂L/∂y` skips
/// the samples in which six inputs in a row are all zero (an image's background), and its forward pass the
/// inputs that are zero in all six samples of a register tile, the GEMM grouping samples by where their zeros are
/// (`GEMM.orderRowsByZeros`), when a sample of the batch shows enough of them
/// (`GEMM.skippableDepthFraction` every `zeroCheckInterval` batches, `gradientZeroSkippingThreshold`,
/// `forwardZeroSkippingThreshold`); `GEMM` keeps every term where the other operand is not finite. Either way the
/// output is the same bit for bit.
public final class Linear: RegistrableLayer, ActivationFusing {
    public static let typeName = "Linear"
    public static let aliases = ["Affine", "Dense"]
    public static let summary = "Fully connected layer y = x·W + b; input flattened to [N, D]"
    public static let options = [
        LayerOption("units", .int, required: true, "number of outputs"),
        LayerOption("init", .string, default: "he", "weight initialiser: " + WeightInitializer.allCases.map(\.rawValue).joined(separator: ", ")),
        LayerOption("bias", .bool, default: "true", "whether to learn a bias"),
        LayerOption("activation", .string, default: "none", "none or relu, applied as the output is written"),
    ]

    /// The weight `[inputSize, outputSize]`.
    public let weight: Parameter
    /// The bias `[outputSize]`, or `nil` for a layer without bias.
    public let bias: Parameter?
    /// Inputs per sample, `D`.
    public let inputSize: Int
    /// The smallest fraction of skippable depth steps (`GEMM.skippableDepthFraction` of `xᵀ`) for which the weight
    /// gradient skips the zeros of the input: below it, listing the steps costs more than skipping saves.
    public static let gradientZeroSkippingThreshold = 0.1
    /// The smallest fraction of skippable depth steps (`GEMM.skippableDepthFraction` of `x`) for which the forward
    /// pass skips the zeros of the input. `x` stays in place: its rows are grouped by where their zeros are and
    /// only the list of each tile's nonzero steps is built.
    public static let forwardZeroSkippingThreshold = 0.1
    /// Batches between two measurements of the input's zeros (`GEMM.skippableDepthFraction` reads `3 · 6 · D`
    /// scattered values, too many to read on every batch). The decision only changes speed.
    public static let zeroCheckInterval = 32
    /// Outputs per sample.
    public let outputSize: Int
    /// The activation applied to the output as it is written (`activation:`), if any.
    public var activation: FusedActivation?
    /// Whether products may leave out the terms of zero inputs where that pays (see the type's notes). The results
    /// are the same either way; turn it off to compare speeds, or for inputs known to be dense.
    public var skipsZeroInputs = true

    private var input: Tensor?
    private let outputSampleShape: [Int]
    private var output: Tensor?
    private var inputGradient: Tensor?
    /// `∂L/∂y` masked by the activation (`activation: relu`).
    private var maskedGradient: Tensor?
    /// The weight packed for `GEMM` at inference, and the `weight.version` it was packed from.
    private var packedWeight = GEMM.PackedMatrix()
    private var packedWeightVersion: Int?
    /// Whether every weight is finite, and the `weight.version` that was checked.
    private var weightIsFinite = false
    private var finiteCheckVersion: Int?
    /// The direction a single-sample forward pass reads the weight in; it alternates from call to call.
    private var streamWeightBackward = false
    /// Whether batches skip zero inputs in the forward product and in the weight gradient, and how many more
    /// batches use that decision before it is measured again.
    private var batchesSkipZeroInputs = (forward: false, gradient: false)
    private var batchesUntilZeroCheck = 0

    /// Creates a layer with initialised weights and a zero bias.
    public init(inputSize: Int, outputSize: Int, initializer: WeightInitializer = .he, bias: Bool = true, seed: UInt64 = 0) throws {
        self.inputSize = inputSize
        self.outputSize = outputSize
        outputSampleShape = [outputSize]
        weight = Parameter(try initializer.makeWeight(shape: [inputSize, outputSize], fanIn: inputSize, fanOut: outputSize, seed: seed))
        self.bias = bias ? Parameter(try .zeros([outputSize])) : nil
    }

    /// Creates a layer from given weight `[D, units]` and bias `[units]` values.
    public init(weight: Tensor, bias: Tensor?) throws {
        guard weight.rank == 2 else { throw LayerError.inputShape(layer: "Linear weight", expected: "[D, units]", got: weight.shape) }
        if let bias, bias.shape != [weight.shape[1]] {
            throw LayerError.inputShape(layer: "Linear bias", expected: "[\(weight.shape[1])]", got: bias.shape)
        }
        inputSize = weight.shape[0]
        outputSize = weight.shape[1]
        outputSampleShape = [outputSize]
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
    }

    public convenience init(configuration: LayerConfiguration) throws {
        let units = try configuration.positiveInt("units")
        let name = try configuration.string("init", default: "he", allowed: WeightInitializer.allCases.map(\.rawValue))
        let inputSize = configuration.inputShape.reduce(1, *)
        guard inputSize > 0 else {
            throw ConfigurationError.inputShape(layer: Self.typeName, expected: "a non-empty sample", got: configuration.inputShape)
        }
        try configuration.checkParameterSize([inputSize, units], key: "units", layer: Self.typeName)
        let activation = try configuration.string("activation", default: "none", allowed: ["none"] + FusedActivation.allCases.map(\.rawValue))
        try self.init(
            inputSize: inputSize, outputSize: units, initializer: WeightInitializer(rawValue: name) ?? .he,
            bias: try configuration.bool("bias", default: true), seed: configuration.seed)
        self.activation = FusedActivation(rawValue: activation)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.reduce(1, *) == inputSize else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "\(inputSize) features", got: shape)
        }
        return [outputSize]
    }

    public var parameters: [NamedParameter] {
        [NamedParameter("weight", weight)] + (bias.map { [NamedParameter("bias", $0)] } ?? [])
    }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        try forward(input, training: training, applyingReLU: activation == .relu)
    }

    public func canApply(_ activation: FusedActivation) -> Bool { self.activation == nil }

    /// The forward pass followed by `activation` as the product is written (no second pass over the output). The
    /// gradients of `backward` stay those of the layer alone: the activation's own layer masks them.
    public func forward(_ input: Tensor, training: Bool, applying activation: FusedActivation) throws -> Tensor {
        try forward(input, training: training, applyingReLU: activation == .relu)
    }

    private func forward(_ input: Tensor, training: Bool, applyingReLU: Bool) throws -> Tensor {
        let rows = input.shape.first ?? 0
        guard input.rank >= 2, rows * inputSize == input.count else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N, \(inputSize)]", got: input.shape)
        }
        // Only training needs the input again; not holding it lets the previous layer reuse its buffer.
        self.input = training ? input : nil
        let (inputSize, outputSize) = (self.inputSize, self.outputSize)
        var y = output.takeBuffer()
        y.resize(batch: rows, sampleShape: outputSampleShape)
        // At inference the weight stays the same from batch to batch: pack it once, not on every product.
        // Training changes it every step, so there it is packed inside each product as usual.
        let usesPackedWeight = !training && rows > GEMM.fewRowLimit
        if usesPackedWeight && packedWeightVersion != weight.version {
            weight.value.withUnsafeBufferPointer { w in
                GEMM.pack(k: inputSize, n: outputSize, b: w.baseAddress!, ldb: outputSize, into: &packedWeight)
            }
            packedWeightVersion = weight.version
        }
        // A single sample streams the weight from memory. Reading it in alternate directions on alternate calls
        // starts each call with what the last one read last, which is still in L2 (the result is the same).
        let streamBackward = rows == 1 && streamWeightBackward
        if rows == 1 { streamWeightBackward.toggle() }
        // Skipping a zero input's row of W is exact only if that row holds no infinity or NaN (0 · ∞ is NaN).
        if rows == 1 && !training && finiteCheckVersion != weight.version {
            weightIsFinite = weight.value.withUnsafeBufferPointer { Kernels.allFinite($0) }
            finiteCheckVersion = weight.version
        }
        if rows > GEMM.fewRowLimit && skipsZeroInputs {
            if batchesUntilZeroCheck == 0 {
                batchesSkipZeroInputs = input.withUnsafeBufferPointer { x in
                    (forward: GEMM.skippableDepthFraction(m: rows, k: inputSize, a: x.baseAddress!, lda: inputSize)
                        >= Self.forwardZeroSkippingThreshold,
                     gradient: GEMM.skippableDepthFraction(m: inputSize, k: rows, a: x.baseAddress!, lda: inputSize, transposeA: true)
                        >= Self.gradientZeroSkippingThreshold)
                }
                batchesUntilZeroCheck = Self.zeroCheckInterval
            }
            batchesUntilZeroCheck -= 1
        }
        let skipZeroInputs = skipsZeroInputs
            && (rows == 1 ? !training && weightIsFinite : rows > GEMM.fewRowLimit && batchesSkipZeroInputs.forward)
        input.withUnsafeBufferPointer { x in
            weight.value.withUnsafeBufferPointer { w in
                y.withUnsafeMutableBufferPointer { y in
                    (bias?.value ?? weight.value).withUnsafeBufferPointer { b in
                        GEMM.multiply(
                            m: rows, n: outputSize, k: inputSize, a: x.baseAddress!, lda: inputSize,
                            b: w.baseAddress!, ldb: outputSize, c: y.baseAddress!, ldc: outputSize,
                            options: .init(
                                epilogue: bias == nil ? (applyingReLU ? .relu : .none) : (applyingReLU ? .biasReLU(b.baseAddress!) : .bias(b.baseAddress!)),
                                packedB: usesPackedWeight ? packedWeight : nil, streamBackward: streamBackward, skipZerosInA: skipZeroInputs))
                    }
                }
            }
        }
        output = y
        return y
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try backward(outputGradient, needsInputGradient: true)
    }

    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor {
        guard let input else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let rows = input.shape[0]
        guard outputGradient.shape == [rows, outputSize] else {
            throw LayerError.gradientShape(layer: Self.typeName, expected: [rows, outputSize], got: outputGradient.shape)
        }
        let (inputSize, outputSize) = (self.inputSize, self.outputSize)
        var outputGradient = outputGradient
        if activation == .relu, let output {
            var masked = maskedGradient.takeBuffer()
            output.zip(with: outputGradient, into: &masked, by: Kernels.reluBackward)
            maskedGradient = masked
            outputGradient = masked
        }
        outputGradient.withUnsafeBufferPointer { dy in
            input.withUnsafeBufferPointer { x in
                let skipZeroInputs = skipsZeroInputs && rows > GEMM.fewRowLimit && batchesSkipZeroInputs.gradient
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    GEMM.multiply(
                        m: inputSize, n: outputSize, k: rows, a: x.baseAddress!, lda: inputSize, transposeA: true,
                        b: dy.baseAddress!, ldb: outputSize, c: dw.baseAddress!, ldc: outputSize, options: .init(skipZerosInA: skipZeroInputs))
                }
            }
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                Kernels.sumRows(dy.baseAddress!, rows: rows, columns: outputSize, into: db.baseAddress!)
            }
        }
        // The input is not needed again: releasing it lets the layer before reuse its output buffer.
        self.input = nil
        guard needsInputGradient else { return outputGradient }
        var dx = inputGradient.takeBuffer()
        dx.resize(to: input.shape)
        outputGradient.withUnsafeBufferPointer { dy in
            weight.value.withUnsafeBufferPointer { w in
                dx.withUnsafeMutableBufferPointer { dx in
                    GEMM.multiply(
                        m: rows, n: inputSize, k: outputSize, a: dy.baseAddress!, lda: outputSize,
                        b: w.baseAddress!, ldb: outputSize, transposeB: true, c: dx.baseAddress!, ldc: inputSize)
                }
            }
        }
        inputGradient = dx
        return dx
    }
}
