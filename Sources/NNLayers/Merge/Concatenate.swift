/// Joins two or more inputs along one axis of the sample, by default the first: the channels of `[C, H, W]`
/// images (Inception branches, U-Net skips) or the features of `[D]` vectors.
///
/// Shapes: inputs `[N, …, Cᵢ, …]` that agree on every other axis; output `[N, …, ΣCᵢ, …]`. Gradient: the upstream
/// gradient is cut back into the inputs' parts, `∂L/∂xᵢ = (∂L/∂y)[…, offsetᵢ ..< offsetᵢ + Cᵢ, …]`.
public final class Concatenate: RegistrableLayer, MergeLayer {
    public static let typeName = "Concatenate"
    public static let aliases = ["Concat"]
    public static let summary = "joins inputs along a sample axis (default 0: channels or features); backward splits the gradient"
    public static let inputCount = 2...64
    public static let options = [
        LayerOption("axis", .int, default: "0", "the axis of one sample to join along (0 = channels/features; negative counts from the end)"),
    ]

    /// The per-sample shape of each input.
    public let inputShapes: [[Int]]
    /// The joined axis of one sample, from 0.
    public let axis: Int
    private let outputSampleShape: [Int]
    private var output: Tensor?
    private var gradients: [Tensor?]
    private var batch: Int?

    /// Creates the layer for inputs of the per-sample shapes `inputShapes`, joined along `axis`.
    public init(inputShapes: [[Int]], axis: Int = 0) throws {
        let rank = inputShapes.first?.count ?? 0
        guard rank >= 1, (-rank..<rank).contains(axis) else {
            throw ConfigurationError.invalidValue(key: "axis", value: "\(axis)", requirement: "inputs of \(rank) dimensions per sample have axes 0 to \(max(rank - 1, 0))")
        }
        self.axis = axis < 0 ? axis + rank : axis
        self.inputShapes = inputShapes
        outputSampleShape = try Self.joinedShape(inputShapes, axis: self.axis)
        gradients = Array(repeating: nil, count: inputShapes.count)
    }

    public convenience init(configuration c: LayerConfiguration) throws {
        try self.init(inputShapes: c.inputShapes, axis: try c.int("axis", default: 0))
    }

    public func outputShape(forInputs shapes: [[Int]]) throws -> [Int] { try Self.joinedShape(shapes, axis: axis) }

    private static func joinedShape(_ shapes: [[Int]], axis: Int) throws(ConfigurationError) -> [Int] {
        guard let first = shapes.first, shapes.allSatisfy({ $0.count == first.count && axis < $0.count }),
              shapes.allSatisfy({ shape in shape.indices.allSatisfy { $0 == axis || shape[$0] == first[$0] } })
        else {
            throw .inputShapes(layer: typeName, requirement: "needs inputs that agree on every axis but axis \(axis)", got: shapes)
        }
        var joined = first
        joined[axis] = shapes.reduce(0) { $0 + $1[axis] }
        return joined
    }

    /// For batch `n`: how many blocks each input splits into (`n · Π dims before axis`), and each block's length.
    private func layout(batch n: Int) -> (blocks: Int, lengths: [Int]) {
        let outer = inputShapes[0][..<axis].reduce(n, *)
        let inner = inputShapes[0][(axis + 1)...].reduce(1, *)
        return (outer, inputShapes.map { $0[axis] * inner })
    }

    public func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        try MergeInputs.check(inputs, expected: inputShapes, layer: Self.typeName)
        let n = inputs[0].shape[0]
        var y = output.takeBuffer()
        y.resize(batch: n, sampleShape: outputSampleShape)
        let (blocks, lengths) = layout(batch: n)
        let stride = lengths.reduce(0, +)
        y.withUnsafeMutableBufferPointer { out in
            var offset = 0
            for (x, length) in zip(inputs, lengths) {
                x.withUnsafeBufferPointer { source in
                    for block in 0..<blocks {
                        (out.baseAddress! + block * stride + offset).update(from: source.baseAddress! + block * length, count: length)
                    }
                }
                offset += length
            }
        }
        output = y
        batch = n
        return y
    }

    public func inputGradients(for outputGradient: Tensor) throws -> [Tensor] {
        guard let n = batch else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        guard outputGradient.shape.count == outputSampleShape.count + 1, outputGradient.shape.first == n,
              outputGradient.shape.dropFirst().elementsEqual(outputSampleShape) else {
            throw LayerError.gradientShape(layer: Self.typeName, expected: [n] + outputSampleShape, got: outputGradient.shape)
        }
        let (blocks, lengths) = layout(batch: n)
        let stride = lengths.reduce(0, +)
        var result: [Tensor] = []
        var offset = 0
        for (index, length) in lengths.enumerated() {
            var dx = gradients[index].takeBuffer()
            dx.resize(batch: n, sampleShape: inputShapes[index])
            dx.withUnsafeMutableBufferPointer { d in
                outputGradient.withUnsafeBufferPointer { g in
                    for block in 0..<blocks {
                        (d.baseAddress! + block * length).update(from: g.baseAddress! + block * stride + offset, count: length)
                    }
                }
            }
            gradients[index] = dx
            result.append(dx)
            offset += length
        }
        return result
    }
}
