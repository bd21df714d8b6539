/// The MatMul node of the source texts, `y = x · W`, with a learnable `W` and no bias.
///
/// Shapes: input `[N, D]` (flattened to rows), `W` `[D, units]`, output `[N, units]`.
/// Gradients: `∂L/∂x = ∂L/∂y · Wᵀ`, `∂L/∂W = xᵀ · ∂L/∂y`.
public final class MatMul: RegistrableLayer {
    public static let typeName = "MatMul"
    public static let summary = "Matrix product y = x·W without bias"
    public static let options = [
        LayerOption("units", .int, required: true, "number of outputs"),
        LayerOption("init", .string, default: "xavier", "weight initialiser: " + WeightInitializer.allCases.map(\.rawValue).joined(separator: ", ")),
    ]

    private let linear: Linear

    /// The weight `[D, units]`.
    public var weight: Parameter { linear.weight }

    /// Creates the node with an initialised weight.
    public init(inputSize: Int, outputSize: Int, initializer: WeightInitializer = .xavier, seed: UInt64 = 0) throws {
        linear = try Linear(inputSize: inputSize, outputSize: outputSize, initializer: initializer, bias: false, seed: seed)
    }

    /// Creates the node from a given weight `[D, units]`.
    public init(weight: Tensor) throws {
        linear = try Linear(weight: weight, bias: nil)
    }

    public convenience init(configuration: LayerConfiguration) throws {
        var options = configuration
        options.options["init"] = options.options["init"] ?? .string("xavier")
        options.options["bias"] = .bool(false)
        let linear = try Linear(configuration: options)
        try self.init(weight: linear.weight.value)
    }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { try linear.outputShape(forInput: shape) }
    public var parameters: [NamedParameter] { [NamedParameter("weight", linear.weight)] }
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor { try linear.forward(input, training: training) }
    public func backward(_ outputGradient: Tensor) throws -> Tensor { try linear.backward(outputGradient) }
}
