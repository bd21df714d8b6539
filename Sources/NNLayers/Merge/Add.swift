/// The elementwise sum of two or more inputs of one shape, `y = Σᵢ xᵢ`: the texts' addition node, and the
/// merge of a residual block (`y = x + f(x)`).
///
/// Shapes: every input `[N, …]` alike; the output has that shape. Gradient: the upstream gradient passes
/// through unchanged to every input, `∂L/∂xᵢ = ∂L/∂y`. A ReLU after it is applied in the same pass
/// (`MergeActivationFusing`).
public final class Add: RegistrableLayer, MergeActivationFusing {
    public static let typeName = "Add"
    public static let aliases = ["Addition"]
    public static let summary = "y = x₁ + x₂ + …, inputs of one shape; backward passes the gradient to each"
    public static let inputCount = 2...64

    /// The per-sample shape of each input.
    public let inputShapes: [[Int]]
    private var output: Tensor?
    private var forwardDone = false

    /// Creates the layer for inputs of the per-sample shapes `inputShapes` (all equal).
    public init(inputShapes: [[Int]]) throws {
        _ = try MergeInputs.commonShape(inputShapes, layer: Self.typeName)
        self.inputShapes = inputShapes
    }

    public convenience init(configuration: LayerConfiguration) throws { try self.init(inputShapes: configuration.inputShapes) }

    public func outputShape(forInputs shapes: [[Int]]) throws -> [Int] { try MergeInputs.commonShape(shapes, layer: Self.typeName) }

    public func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
        try forward(inputs, activation: nil)
    }

    public func canApply(_ activation: FusedActivation) -> Bool { true }

    public func forward(_ inputs: [Tensor], training: Bool, applying activation: FusedActivation) throws -> Tensor {
        try forward(inputs, activation: activation)
    }

    /// The sum, the last addition applying `activation` as it writes.
    private func forward(_ inputs: [Tensor], activation: FusedActivation?) throws -> Tensor {
        try MergeInputs.check(inputs, expected: inputShapes, layer: Self.typeName)
        var y = output.takeBuffer()
        if inputs.count == 1 {
            y = inputs[0]
            if activation == .relu { y.withUnsafeMutableBufferPointer { Kernels.relu($0.baseAddress!, $0.baseAddress!, count: $0.count) } }
        } else {
            // The last addition writes the activated sum.
            func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, last: Bool) {
                if last && activation == .relu { Kernels.addReLU(a, b, out, count: count) } else { Kernels.binary(.add, a, b, out, count: count) }
            }
            inputs[0].zip(with: inputs[1], into: &y) { add($0, $1, $2, count: $3, last: inputs.count == 2) }
            let count = y.count
            for (index, x) in inputs.enumerated().dropFirst(2) {
                y.withUnsafeMutableBufferPointer { out in
                    x.withUnsafeBufferPointer { add(out.baseAddress!, $0.baseAddress!, out.baseAddress!, count: count, last: index == inputs.count - 1) }
                }
            }
        }
        output = y
        forwardDone = true
        return y
    }

    public func inputGradients(for outputGradient: Tensor) throws -> [Tensor] {
        _ = try checkGradient(outputGradient, matches: forwardDone ? output : nil, layer: Self.typeName)
        return Array(repeating: outputGradient, count: inputShapes.count)
    }
}
