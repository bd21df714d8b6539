/// The elementwise product of two or more inputs of one shape, `y = Πᵢ xᵢ`: the texts' multiplication node,
/// and the gate of `x ⊙ σ(g)`.
///
/// Shapes: every input `[N, …]` alike; the output has that shape. Gradient: each input receives the upstream
/// gradient times the other inputs, `∂L/∂xᵢ = ∂L/∂y ⊙ Π_{j≠i} xⱼ` (for two inputs the texts' swap).
public final class Multiply: RegistrableLayer, MergeLayer {
    public static let typeName = "Multiply"
    public static let aliases = ["Mul"]
    public static let summary = "y = x₁ ⊙ x₂ ⊙ …, inputs of one shape; backward multiplies by the other inputs"
    public static let inputCount = 2...64

    /// The per-sample shape of each input.
    public let inputShapes: [[Int]]
    private var inputs: [Tensor] = []
    private var output: Tensor?
    private var gradients: [Tensor?]

    /// Creates the layer for inputs of the per-sample shapes `inputShapes` (all equal).
    public init(inputShapes: [[Int]]) throws {
        _ = try MergeInputs.commonShape(inputShapes, layer: Self.typeName)
        self.inputShapes = inputShapes
        gradients = Array(repeating: nil, count: inputShapes.count)
    }

    public convenience init(configuration: LayerConfiguration) throws { try self.init(inputShapes: configuration.inputShapes) }

    public func outputShape(forInputs shapes: [[Int]]) throws -> [Int] { try MergeInputs.commonShape(shapes, layer: Self.typeName) }

    public func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        try MergeInputs.check(inputs, expected: inputShapes, layer: Self.typeName)
        var y = output.takeBuffer()
        Self.product(of: inputs, skipping: nil, into: &y)
        output = y
        self.inputs = training ? inputs : []
        return y
    }

    public func inputGradients(for outputGradient: Tensor) throws -> [Tensor] {
        guard inputs.count == inputShapes.count else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        _ = try checkGradient(outputGradient, matches: inputs[0], layer: Self.typeName)
        var result: [Tensor] = []
        result.reserveCapacity(inputs.count)
        for index in inputs.indices {
            var dx = gradients[index].takeBuffer()
            Self.product(of: inputs, skipping: index, into: &dx)
            let count = dx.count
            dx.withUnsafeMutableBufferPointer { d in
                outputGradient.withUnsafeBufferPointer { g in Kernels.binary(.multiply, d.baseAddress!, g.baseAddress!, d.baseAddress!, count: count) }
            }
            gradients[index] = dx
            result.append(dx)
        }
        inputs = []
        return result
    }

    /// Writes `Π xⱼ` over every input but `skipping` into `y`.
    private static func product(of inputs: [Tensor], skipping: Int?, into y: inout Tensor) {
        let factors = inputs.indices.filter { $0 != skipping }.map { inputs[$0] }
        guard factors.count >= 2 else {
            factors[0].map(into: &y) { x, out, count in out.update(from: x, count: count) }
            return
        }
        factors[0].zip(with: factors[1], into: &y) { Kernels.binary(.multiply, $0, $1, $2, count: $3) }
        let count = y.count
        for x in factors.dropFirst(2) {
            y.withUnsafeMutableBufferPointer { out in
                x.withUnsafeBufferPointer { Kernels.binary(.multiply, out.baseAddress!, $0.baseAddress!, out.baseAddress!, count: count) }
            }
        }
    }
}
