/// 2-D convolution over NCHW batches, by im2col and the GEMM kernel, one sample at a time on each thread.
///
/// Shapes: input `[N, C, H, W]`, weight `[F, C/groups, KH, KW]`, bias `[F]`, output `[N, F, OH, OW]` with
/// `OH = ⌊(H + 2p − d(KH − 1) − 1)/s⌋ + 1` (likewise `OW`).
///
/// With a sample's column matrix `X̂ = im2col(x)` (`[C·KH·KW, OH·OW]`) and `Ŷ = W·X̂ + b` per group, the gradients
/// are those of `Linear`, summed over the samples: `∂L/∂W = Σ ∂L/∂Ŷ · X̂ᵀ`, `∂L/∂b = Σ ∂L/∂Ŷ`, and
/// `∂L/∂x = col2im(Wᵀ · ∂L/∂Ŷ)`. At stride 1 the column matrix is wide (`ConvolutionGeometry.hasWideColumns`):
/// its extra columns are dropped from `Ŷ` and zero in `∂L/∂Ŷ`, so for finite inputs the results are those above.
/// A 3×3 convolution at stride 1 without dilation or groups, over multiples of 8 channels in and out, runs as
/// Winograd F(2×2, 3×3) instead (`WinogradGeometry`), for its output and for `∂L/∂x` alike, and `∂L/∂W` by the
/// adjoint of its transforms: the same function and gradients with fewer multiplications, equal to rounding. At
/// inference, a `BatchNorm` after it is applied as it writes its output (`NormalizationFolding`).
public final class Conv2D: RegistrableLayer, NormalizationFolding {
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

    private let inputSampleShape: [Int]
    private let outputSampleShape: [Int]
    // Work tensors, kept so that training allocates only for the first batch. Per thread: a sample's column
    // matrix and its gradient (`[C·KH·KW, columnCount]`, small enough to stay in the thread's cache, so the
    // backward pass unfolds the sample again rather than keeping the batch's), its zero-padded copy, a wide
    // product or output gradient (or the Winograd transforms of a chunk of samples), and a transposed weight
    // gradient (or its Winograd form).
    private var scratch = Tensor(scalar: 0)
    private var partialWeightGradients = Tensor(scalar: 0)
    private var input: Tensor?
    private var output: Tensor?
    private var inputGradient: Tensor?
    private let wideRowOffsets: [Int]
    private var channelMap: [Float] = []
    /// The input gradient as a convolution of the output gradient (`ConvolutionGeometry.inputGradientGeometry`):
    /// its geometry and wide row offsets, the flipped kernel `[C, F/groups, KH, KW]` and its per-thread scratch.
    private let gradientGeometry: ConvolutionGeometry?
    private let gradientRowOffsets: [Int]
    private var flippedWeight = Tensor(scalar: 0)
    private var gradientScratch = Tensor(scalar: 0)
    /// 3×3 convolutions at stride 1 run as Winograd F(2×2, 3×3) (`WinogradGeometry`), the forward one and the
    /// input gradient's alike: their geometries, and the transformed kernels `U` (the forward one kept while the
    /// weight's `version` stays `transformedVersion`).
    private let winograd: WinogradGeometry?
    private let gradientWinograd: WinogradGeometry?
    private var transformedWeight: [Float] = []
    private var transformedVersion = -1
    private var transformedFlippedWeight: [Float] = []
    /// The unpacked kernels `U_ξ` while `transform` packs them, kept so that a training step allocates nothing.
    private var unpackedKernels: [Float] = []

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
        wideRowOffsets = geometry.hasWideColumns ? geometry.wideRowOffsets : []
        gradientGeometry = geometry.inputGradientGeometry(filters: filters)
        gradientRowOffsets = gradientGeometry.map { $0.hasWideColumns ? $0.wideRowOffsets : [] } ?? []
        winograd = Self.winogradForm(of: geometry, filters: filters, groups: groups)
        gradientWinograd = gradientGeometry.flatMap { Self.winogradForm(of: $0, filters: geometry.channels, groups: groups) }
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

    /// Two column matrices (or a packed one, or the Winograd transforms), a padded sample and one weight gradient per
    /// thread (at most one thread per sample; counted for all processors).
    public func workspaceSize(forBatch batch: Int) -> Int {
        let columns = geometry.columnRows.multipliedReportingOverflow(by: geometry.columnCount).partialValue
        let weights = filters.multipliedReportingOverflow(by: geometry.columnRows / groups).partialValue
        let threads = Swift.max(1, Swift.min(batch, ThreadPool.processorCount))
        let wide = filters.multipliedReportingOverflow(by: geometry.columnCount).partialValue
        // One group's packed column matrix: at most NR − 1 padding columns per row.
        let packed = geometry.columnRows.multipliedReportingOverflow(by: geometry.columnCount + GEMM.nr).partialValue
        let columnSpace = Swift.max(2 * columns, packed)
        // The input gradient's convolution: its column matrix (packed or not), padded output gradient and wide product.
        let gradient = gradientGeometry.map { gg in
            let columns = gg.columnRows.multipliedReportingOverflow(by: gg.columnCount + GEMM.nr).partialValue
            let wide = geometry.channels.multipliedReportingOverflow(by: gg.columnCount).partialValue
            let scratch = Swift.max(columns + gg.paddedSampleSize + wide, gradientWinograd.map { Self.winogradScratch($0, filters: geometry.channels) } ?? 0)
            return scratch + geometry.channels * filters / groups * gg.kernelHeight * gg.kernelWidth
        } ?? 0
        let forward = Swift.max(columnSpace + geometry.paddedSampleSize + wide, winograd.map { Self.winogradScratch($0, filters: filters) } ?? 0,
                                winograd.map { Self.winogradWeightGradientScratch($0, filters: filters) } ?? 0)
        let weightGradient = Swift.max(weights, winograd.map { 16 * filters * $0.channels } ?? 0)
        return (forward + weightGradient + gradient).multipliedReportingOverflow(by: threads).partialValue
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
        try forward(input, training: training, activation: nil)
    }

    public func canApply(_ activation: FusedActivation) -> Bool { true }

    public func forward(_ input: Tensor, training: Bool, applying activation: FusedActivation) throws -> Tensor {
        try forward(input, training: training, activation: activation)
    }

    public var outputChannels: Int { filters }

    public func forwardFolding(_ normalization: ChannelAffineMap, input: Tensor, applying activation: FusedActivation?) throws -> Tensor {
        guard normalization.scale.count == filters, normalization.shift.count == filters else {
            throw LayerError.graph("\(Self.typeName): a folded normalisation has \(normalization.scale.count) channels, not \(filters)")
        }
        return try forward(input, training: false, activation: activation, normalization: normalization)
    }

    /// The per-channel map applied as the output is written, into `channelMap` (`[scale, shift]`): the bias alone,
    /// or with a folded normalisation `y·s + t` the scale `s` and the shift `b·s + t`.
    private func prepareChannelMap(folding normalization: ChannelAffineMap?) -> (hasScale: Bool, hasShift: Bool) {
        guard normalization != nil || bias != nil else { return (false, false) }
        if channelMap.count != 2 * filters { channelMap = [Float](repeating: 0, count: 2 * filters) }
        let filters = self.filters
        let biasValues = bias?.value.scalars
        channelMap.withUnsafeMutableBufferPointer { map in
            for f in 0..<filters {
                let b = biasValues?[f] ?? 0
                if let normalization {
                    map[f] = normalization.scale[f]
                    map[filters + f] = b * normalization.scale[f] + normalization.shift[f]
                } else {
                    map[filters + f] = b
                }
            }
        }
        return (normalization != nil, true)
    }

    /// Each sample on its own: its column matrix (wide ones packed for the GEMM straight from the padded sample),
    /// `Ŷ = W·X̂` per group into its `[F, OH·OW]` block of the output, then in one pass while the block is in cache
    /// the compaction of a wide product, the bias (or a folded normalisation) and the activation. The samples are
    /// shared out over the threads (`ThreadPool.forEachShare`), so each thread's column matrix stays in its own cache.
    private func forward(_ input: Tensor, training: Bool, activation: FusedActivation?, normalization: ChannelAffineMap? = nil) throws -> Tensor {
        let g = geometry
        guard input.rank == 4, Array(input.shape.dropFirst()) == [g.channels, g.height, g.width] else {
            throw LayerError.inputShape(layer: Self.typeName, expected: "[N, \(g.channels), \(g.height), \(g.width)]", got: input.shape)
        }
        let n = input.shape[0]
        self.input = training ? input : nil
        let (filters, groups) = (self.filters, self.groups)
        let (inputSize, outputSize) = (g.channels * g.height * g.width, filters * g.outputHeight * g.outputWidth)
        let (sampleScratch, columnSpace) = (self.sampleScratch, self.columnSpace)
        let shares = ThreadPool.shared.shareCount(n)
        scratch.resize(to: [shares, sampleScratch])
        var output = self.output.takeBuffer()
        output.resize(batch: n, sampleShape: outputSampleShape)
        let (hasScale, hasShift) = prepareChannelMap(folding: normalization)
        let winograd = self.winograd
        if let winograd, transformedVersion != weight.version {
            Self.transform(weight.value, filters: filters, channels: winograd.channels, scratch: &unpackedKernels, into: &transformedWeight)
            transformedVersion = weight.version
        }
        transformedWeight.withUnsafeBufferPointer { transformed in
            channelMap.withUnsafeBufferPointer { map in
                input.withUnsafeBufferPointer { x in
                    weight.value.withUnsafeBufferPointer { w in
                        output.withUnsafeMutableBufferPointer { out in
                            scratch.withUnsafeMutableBufferPointer { work in
                                wideRowOffsets.withUnsafeBufferPointer { rowOffsets in
                                    let (x, w, out, work, rowOffsets) = (x.baseAddress!, w.baseAddress!, out.baseAddress!, work.baseAddress!, rowOffsets.baseAddress)
                                    let (scale, shift) = (hasScale ? map.baseAddress : nil, hasShift ? map.baseAddress.map { $0 + filters } : nil)
                                    let transformed = transformed.baseAddress
                                    ThreadPool.shared.forEachShare(n) { samples, share in
                                        for s in samples {
                                            Self.convolve(
                                                x + s * inputSize, geometry: g, rowOffsets: rowOffsets, weights: w, filters: filters, groups: groups,
                                                winograd: winograd, transformedWeights: transformed,
                                                scratch: work + share * sampleScratch, columnSpace: columnSpace, into: out + s * outputSize,
                                                scale: scale, shift: shift, relu: activation == .relu)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.output = output
        return output
    }

    /// One sample of a convolution: `y = W ⊛ x` (`[F, OH, OW]` from `[C, H, W]`, weights `[F, C/groups, KH, KW]`),
    /// then `channelAffine`'s scale, shift and ReLU. The column matrix is packed straight from the padded sample when
    /// it is wide (`rowOffsets` then holds `g.wideRowOffsets`), else built by `im2col`. `scratch` holds the column
    /// matrix (`columnSpace` floats), the padded sample and a wide product (`filters · g.columnCount`). With a
    /// `winograd` form and its `transformedWeights` (`transform`), it runs as Winograd F(2×2, 3×3) instead, in
    /// `winogradScratch` floats of `scratch`.
    @inline(__always)
    private static func convolve(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, rowOffsets: UnsafePointer<Int>?, weights w: UnsafePointer<Float>,
        filters: Int, groups: Int, winograd: WinogradGeometry?, transformedWeights: UnsafePointer<Float>?,
        scratch col: UnsafeMutablePointer<Float>, columnSpace: Int, into y: UnsafeMutablePointer<Float>,
        scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, relu: Bool
    ) {
        if let winograd, let transformedWeights {
            // The padded sample and then the products share one region, the transformed input and then the tiled
            // output another.
            let wg = winograd
            let (padded, transformedInput) = (col, col + Swift.max(wg.paddedSampleSize, wg.transformedSize(columns: filters)))
            let (products, tiled) = (col, transformedInput)
            Kernels.winogradPad(x, geometry: wg, into: padded)
            Kernels.winogradInputTransform(padded, geometry: wg, into: transformedInput)
            let (channels, tiles, packedSize) = (wg.channels, wg.tiles, GEMM.packedCount(k: wg.channels, n: filters))
            for position in 0..<16 {
                GEMM.multiply(
                    m: tiles, n: filters, k: channels, a: transformedInput + position * tiles * channels, lda: channels,
                    packedB: transformedWeights + position * packedSize, c: products + position * tiles * filters, ldc: filters)
            }
            Kernels.winogradOutputTransform(products, geometry: wg, filters: filters, into: tiled)
            Kernels.winogradStoreOutput(tiled, geometry: wg, filters: filters, scale: scale, shift: shift, relu: relu, into: y)
            return
        }
        let (columnCount, groupFilters, groupRows) = (g.columnCount, filters / groups, g.columnRows / groups)
        let (padded, wideProduct) = (col + columnSpace, col + columnSpace + g.paddedSampleSize)
        let product = g.hasWideColumns ? wideProduct : y
        if g.hasWideColumns, let rowOffsets {
            // Each row of the column matrix is a run of the padded sample: packed from there.
            Kernels.pad(x, geometry: g, into: padded)
            for group in 0..<groups {
                GEMM.packRows(padded, rowOffsets: rowOffsets + group * groupRows, k: groupRows, n: columnCount, into: col)
                GEMM.multiply(
                    m: groupFilters, n: columnCount, k: groupRows, a: w + group * groupFilters * groupRows, lda: groupRows,
                    packedB: col, c: product + group * groupFilters * columnCount, ldc: columnCount)
            }
        } else {
            Kernels.im2col(x, geometry: g, into: col, padded: padded)
            for group in 0..<groups {
                GEMM.multiply(
                    m: groupFilters, n: columnCount, k: groupRows, a: w + group * groupFilters * groupRows, lda: groupRows,
                    b: col + group * groupRows * columnCount, ldb: columnCount,
                    c: product + group * groupFilters * columnCount, ldc: columnCount)
            }
        }
        Kernels.channelAffine(product, pitch: g.columnPitch, width: g.outputWidth, rows: g.outputHeight, channels: filters,
                              scale: scale, shift: shift, relu: relu, into: y)
    }

    /// Floats of scratch per thread: the column matrix and its gradient (or the packed column matrix, which may be
    /// wider), the padded sample, and a wide product; or what the Winograd form takes, if more.
    private var sampleScratch: Int {
        Swift.max(columnSpace + geometry.paddedSampleSize + filters * geometry.columnCount,
                  winograd.map { Self.winogradScratch($0, filters: filters) } ?? 0)
    }

    /// The Winograd form of a convolution over `g`, used when it has one and multiples of 8 input and output
    /// channels, without groups.
    private static func winogradForm(of g: ConvolutionGeometry, filters: Int, groups: Int) -> WinogradGeometry? {
        guard groups == 1, filters % 8 == 0 else { return nil }
        return WinogradGeometry(g)
    }

    /// Floats of scratch for one sample of a Winograd convolution with `filters` outputs: the padded sample or the
    /// products, then the transformed input or the tiled output.
    private static func winogradScratch(_ wg: WinogradGeometry, filters: Int) -> Int {
        Swift.max(wg.paddedSampleSize, wg.transformedSize(columns: filters))
            + Swift.max(wg.transformedSize(columns: wg.channels), wg.tiledOutputSize(filters: filters))
    }

    /// The Winograd kernels `U_ξ` (`[C, F]` each) of a weight `[F, C, 3, 3]`, packed one after another for the GEMM
    /// (`GEMM.packedCount(k: C, n: F)` floats each) into `transformed`, through `scratch`.
    private static func transform(_ weight: Tensor, filters: Int, channels: Int, scratch kernels: inout [Float], into transformed: inout [Float]) {
        let packedSize = GEMM.packedCount(k: channels, n: filters)
        if transformed.count != 16 * packedSize { transformed = [Float](repeating: 0, count: 16 * packedSize) }
        if kernels.count < 16 * filters * channels { kernels = [Float](repeating: 0, count: 16 * filters * channels) }
        weight.withUnsafeBufferPointer { w in
            kernels.withUnsafeMutableBufferPointer { u in
                Kernels.winogradWeightTransform(w.baseAddress!, filters: filters, channels: channels, into: u.baseAddress!)
            }
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: channels) { offsets in
            for c in 0..<channels { offsets[c] = c * filters }
            kernels.withUnsafeBufferPointer { u in
                transformed.withUnsafeMutableBufferPointer { packed in
                    for position in 0..<16 {
                        GEMM.packRows(u.baseAddress! + position * channels * filters, rowOffsets: offsets.baseAddress!, k: channels, n: filters,
                                      into: packed.baseAddress! + position * packedSize)
                    }
                }
            }
        }
    }

    /// Floats for the column matrix and its gradient, or for one group's packed column matrix.
    private var columnSpace: Int {
        let g = geometry
        return Swift.max(2 * g.columnRows * g.columnCount, Self.columnSpace(forward: g, groups: groups))
    }

    /// Samples whose Winograd tiles `winogradWeightGradient` multiplies at once: about 128 tiles, so that the GEMMs
    /// over small images still run long while their operands stay near the thread's cache.
    private static func winogradGradientChunk(_ wg: WinogradGeometry) -> Int { Swift.max(1, 128 / wg.tiles) }

    /// Floats of scratch `winogradWeightGradient` takes per thread: a padded sample, then the transformed input and
    /// output gradient of a chunk of samples.
    private static func winogradWeightGradientScratch(_ wg: WinogradGeometry, filters: Int) -> Int {
        let tiles = winogradGradientChunk(wg).multipliedReportingOverflow(by: wg.tiles).partialValue
        let transformed = (16 * (wg.channels + filters)).multipliedReportingOverflow(by: tiles).partialValue
        return wg.paddedSampleSize + transformed + 16 * filters * 8
    }

    /// `∂L/∂U_ξ[f, c]` summed over `samples` into `du` (`16 · F · C` floats, position by position), the adjoint of
    /// the Winograd forward pass: `(∂L/∂U_ξ)ᵀ = (∂L/∂M_ξ)ᵀ · V_ξ`, 16 GEMMs `[F × T] · [T × C]` over the tiles of a
    /// chunk of samples at a time, with each sample's `V` from its input `x` and `∂L/∂M` from its output gradient
    /// `d` (`Kernels.winogradOutputGradientTransform`). `Kernels.winogradWeightGradientTransform` turns the sum
    /// into `∂L/∂w`.
    private static func winogradWeightGradient(
        _ x: UnsafePointer<Float>, _ d: UnsafePointer<Float>, geometry wg: WinogradGeometry, filters: Int, samples: Range<Int>,
        scratch: UnsafeMutablePointer<Float>, into du: UnsafeMutablePointer<Float>
    ) {
        let (channels, tiles) = (wg.channels, wg.tiles)
        let (inputSize, outputSize) = (channels * wg.height * wg.width, filters * wg.outputHeight * wg.outputWidth)
        let chunk = winogradGradientChunk(wg)
        let padded = scratch, v = scratch + wg.paddedSampleSize
        var first = samples.lowerBound
        while first < samples.upperBound {
            // `∂L/∂M` has rows of the chunk's tiles and 8 floats of room after them.
            let count = Swift.min(chunk, samples.upperBound - first), rows = count * tiles, pitch = rows + 8
            let dm = v + 16 * rows * channels
            for q in 0..<count {
                Kernels.winogradPad(x + (first + q) * inputSize, geometry: wg, into: padded)
                Kernels.winogradInputTransform(padded, geometry: wg, into: v + q * tiles * channels, positionStride: rows * channels)
                Kernels.winogradOutputGradientTransform(d + (first + q) * outputSize, geometry: wg, filters: filters, into: dm + q * tiles, tileStride: pitch)
            }
            for position in 0..<16 {
                GEMM.multiply(
                    m: filters, n: channels, k: rows, a: dm + position * filters * pitch, lda: pitch,
                    b: v + position * rows * channels, ldb: channels, c: du + position * filters * channels, ldc: channels,
                    options: GEMM.Options(accumulate: first != samples.lowerBound))
            }
            first += count
        }
    }

    /// Floats for the column matrix of a forward pass over `g`, or one group's packed column matrix.
    private static func columnSpace(forward g: ConvolutionGeometry, groups: Int) -> Int {
        Swift.max(g.columnRows * g.columnCount, GEMM.packedCount(k: g.columnRows / groups, n: g.columnCount))
    }

    /// Fills `flippedWeight` for the input gradient's convolution: per group, `W̃[c, f, kh, kw] = W[f, c, KH−1−kh, KW−1−kw]`.
    private func flipWeight() {
        let (groupFilters, groupChannels, kh, kw) = (filters / groups, geometry.channels / groups, geometry.kernelHeight, geometry.kernelWidth)
        flippedWeight.resize(to: [geometry.channels, groupFilters, kh, kw])
        weight.value.withUnsafeBufferPointer { w in
            flippedWeight.withUnsafeMutableBufferPointer { flipped in
                for group in 0..<groups {
                    for f in 0..<groupFilters {
                        for c in 0..<groupChannels {
                            let source = ((group * groupFilters + f) * groupChannels + c) * kh * kw
                            let target = ((group * groupChannels + c) * groupFilters + f) * kh * kw
                            for tap in 0..<(kh * kw) { flipped[target + kh * kw - 1 - tap] = w[source + tap] }
                        }
                    }
                }
            }
        }
    }

    /// The inverse of `compact`: the output gradient spread to `pitch` columns per row, zeros in the others.
    private static func widen(_ y: UnsafePointer<Float>, rows: Int, width: Int, pitch: Int, into wide: UnsafeMutablePointer<Float>) {
        for row in 0..<rows {
            Kernels.copy(y + row * width, to: wide + row * pitch, count: width)
            (wide + row * pitch + width).initialize(repeating: 0, count: pitch - width)
        }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        try backward(outputGradient, needsInputGradient: true)
    }

    /// `∂L/∂b` in one pass over the gradient; `∂L/∂W` summed over each thread's samples (`∂L/∂Ŷ · X̂ᵀ` per sample
    /// and group, or `winogradWeightGradient`), then over the threads in order; `∂L/∂x` per sample by
    /// `col2im(Wᵀ · ∂L/∂Ŷ)` or as the convolution of `gradientGeometry`.
    public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) throws -> Tensor {
        let g = geometry
        guard let input else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        let n = input.shape[0]
        let (rows, positions, filters, groups) = (g.columnRows, g.outputHeight * g.outputWidth, self.filters, self.groups)
        let expected = [n, filters, g.outputHeight, g.outputWidth]
        guard outputGradient.shape == expected else { throw LayerError.gradientShape(layer: Self.typeName, expected: expected, got: outputGradient.shape) }
        let (columnCount, pitch, wide) = (g.columnCount, g.columnPitch, g.hasWideColumns)
        let (columnSize, inputSize, outputSize) = (rows * columnCount, g.channels * g.height * g.width, filters * positions)
        let (groupFilters, groupRows) = (filters / groups, rows / groups)
        let weightSize = filters * groupRows
        let (sampleScratch, columnSpace) = (self.sampleScratch, self.columnSpace)
        if let bias {
            outputGradient.withUnsafeBufferPointer { d in
                bias.gradient.withUnsafeMutableBufferPointer { out in
                    for f in 0..<filters {
                        var total = 0.0
                        for s in 0..<n { total += Kernels.sum(d.baseAddress! + s * outputSize + f * positions, count: positions) }
                        out[f] = Float(total)
                    }
                }
            }
        }
        let shares = ThreadPool.shared.shareCount(n)
        let winograd = self.winograd
        let partialSize = winograd.map { 16 * filters * $0.channels } ?? weightSize
        let backwardScratch = Swift.max(sampleScratch, winograd.map { Self.winogradWeightGradientScratch($0, filters: filters) } ?? 0)
        partialWeightGradients.resize(to: [shares, partialSize])
        scratch.resize(to: [shares, backwardScratch])
        var dx = needsInputGradient ? inputGradient.takeBuffer() : Tensor(scalar: 0)
        if needsInputGradient { dx.resize(batch: n, sampleShape: inputSampleShape) }
        let gradientColumnSpace = gradientGeometry.map { Self.columnSpace(forward: $0, groups: groups) } ?? 0
        let gradientWinograd = self.gradientWinograd
        let gradientSampleScratch = gradientGeometry.map {
            Swift.max(gradientColumnSpace + $0.paddedSampleSize + g.channels * $0.columnCount,
                      gradientWinograd.map { Self.winogradScratch($0, filters: g.channels) } ?? 0)
        } ?? 0
        if needsInputGradient && gradientGeometry != nil {
            flipWeight()
            if let gradientWinograd {
                Self.transform(flippedWeight, filters: g.channels, channels: gradientWinograd.channels, scratch: &unpackedKernels,
                               into: &transformedFlippedWeight)
            }
            gradientScratch.resize(to: [shares, gradientSampleScratch])
        }
        transformedFlippedWeight.withUnsafeBufferPointer { transformedFlipped in
            flippedWeight.withUnsafeBufferPointer { flipped in
                gradientScratch.withUnsafeMutableBufferPointer { gradientWork in
                    gradientRowOffsets.withUnsafeBufferPointer { gradientRows in
                        let (flipped, gradientWork, gradientRows) = (flipped.baseAddress!, gradientWork.baseAddress!, gradientRows.baseAddress)
                        let transformedFlipped = transformedFlipped.baseAddress
                        outputGradient.withUnsafeBufferPointer { d in
                            input.withUnsafeBufferPointer { x in
                                weight.value.withUnsafeBufferPointer { w in
                                    weight.gradient.withUnsafeMutableBufferPointer { dw in
                                        partialWeightGradients.withUnsafeMutableBufferPointer { partial in
                                            scratch.withUnsafeMutableBufferPointer { work in
                                                dx.withUnsafeMutableBufferPointer { dx in
                                                    let (d, x, w, dw, partial, work, dx) = (d.baseAddress!, x.baseAddress!, w.baseAddress!, dw.baseAddress!, partial.baseAddress!, work.baseAddress!, dx.baseAddress!)
                                                    ThreadPool.shared.forEachShare(n) { samples, share in
                                                        let (col, dcol) = (work + share * backwardScratch, work + share * backwardScratch + columnSize)
                                                        let (padded, wideGradient) = (col + columnSpace, col + columnSpace + g.paddedSampleSize)
                                                        let sharePartial = partial + share * partialSize
                                                        if let winograd {
                                                            Self.winogradWeightGradient(x, d, geometry: winograd, filters: filters, samples: samples, scratch: col, into: sharePartial)
                                                        }
                                                        for s in samples {
                                                            // ∂L/∂Ŷ at the wide columns: zero where the forward pass discarded its product.
                                                            let dy = wide ? UnsafePointer(wideGradient) : d + s * outputSize
                                                            if wide {
                                                                Self.widen(d + s * outputSize, rows: filters * g.outputHeight, width: g.outputWidth, pitch: pitch, into: wideGradient)
                                                            }
                                                            if winograd == nil {
                                                                Kernels.unfold(x + s * inputSize, geometry: g, into: col, padded: padded)
                                                                // (∂L/∂W)ᵀ = X̂ · (∂L/∂Ŷ)ᵀ: B is the narrow gradient, so that packing it costs F·P, not C·KH·KW·P.
                                                                for group in 0..<groups {
                                                                    GEMM.multiply(
                                                                        m: groupRows, n: groupFilters, k: columnCount, a: col + group * groupRows * columnCount, lda: columnCount,
                                                                        b: dy + group * groupFilters * columnCount, ldb: columnCount, transposeB: true,
                                                                        c: sharePartial + group * groupRows * groupFilters, ldc: groupFilters,
                                                                        options: GEMM.Options(accumulate: s != samples.lowerBound))
                                                                }
                                                            }
                                                            guard needsInputGradient else { continue }
                                                            let target = dx + s * inputSize
                                                            if let gg = gradientGeometry {
                                                                Self.convolve(
                                                                    d + s * outputSize, geometry: gg, rowOffsets: gradientRows, weights: flipped, filters: g.channels,
                                                                    groups: groups, winograd: gradientWinograd, transformedWeights: transformedFlipped, scratch: gradientWork + share * gradientSampleScratch, columnSpace: gradientColumnSpace,
                                                                    into: target, scale: nil, shift: nil, relu: false)
                                                                continue
                                                            }
                                                            for group in 0..<groups {
                                                                GEMM.multiply(
                                                                    m: groupRows, n: columnCount, k: groupFilters, a: w + group * groupFilters * groupRows, lda: groupRows, transposeA: true,
                                                                    b: dy + group * groupFilters * columnCount, ldb: columnCount,
                                                                    c: dcol + group * groupRows * columnCount, ldc: columnCount)
                                                            }
                                                            target.initialize(repeating: 0, count: inputSize)
                                                            Kernels.fold(dcol, geometry: g, into: target, padded: padded)
                                                        }
                                                    }
                                                    for share in 1..<shares { Kernels.axpy(1, partial + share * partialSize, partial, count: partialSize) }
                                                    if let winograd {
                                                        Kernels.winogradWeightGradientTransform(partial, filters: filters, channels: winograd.channels, into: dw)
                                                    } else {
                                                        for group in 0..<groups {
                                                            Kernels.transpose(partial + group * groupRows * groupFilters, rows: groupRows, columns: groupFilters,
                                                                              into: dw + group * groupFilters * groupRows)
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        self.input = nil
        guard needsInputGradient else { return outputGradient }
        inputGradient = dx
        return dx
    }
}
