/// An optimiser type known by name, with its options for validation and documentation.
public struct OptimizerType: RegistryEntry {
    /// The name model files use.
    public let name: String
    /// Other accepted names.
    public let aliases: [String]
    /// `built-in`, `code` or `plugin NAME VERSION`.
    public let origin: String
    /// The accepted options (besides `type`).
    public let options: [LayerOption]
    /// Creates the optimiser from validated options.
    public let make: @Sendable (LayerConfiguration) throws -> any Optimizer

    /// Describes an optimiser type.
    public init(
        name: String, aliases: [String] = [], origin: String = "code", options: [LayerOption],
        make: @escaping @Sendable (LayerConfiguration) throws -> any Optimizer
    ) {
        self.name = name
        self.aliases = aliases
        self.origin = origin
        self.options = options
        self.make = make
    }
}

/// The optimisers known by name: the book's four, plus AdamW.
public enum Optimizers {
    private static let learningRate = LayerOption("lr", .double, default: "0.01", "learning rate, > 0")
    private static let weightDecay = LayerOption("weight_decay", .double, default: "0", "L2 weight decay, ≥ 0")

    /// The built-in optimisers and whatever code or plugins register (`Optimizers.registry.register(_:)`).
    public static let registry = Registry<OptimizerType>(kind: "optimizer", builtIns)

    /// Every optimiser type, in the order registered.
    public static var all: [OptimizerType] { registry.entries }

    private static let builtIns: [OptimizerType] = [
        OptimizerType(name: "SGD", origin: "built-in", options: [learningRate, LayerOption("momentum", .double, default: "0", "momentum α in [0, 1)"), weightDecay]) { c in
            SGD(learningRate: try rate(c), momentum: try fraction(c, "momentum", 0), weightDecay: try decay(c))
        },
        OptimizerType(name: "Momentum", origin: "built-in", options: [learningRate, LayerOption("momentum", .double, default: "0.9", "momentum α in [0, 1)"), weightDecay]) { c in
            SGD(learningRate: try rate(c), momentum: try fraction(c, "momentum", 0.9), weightDecay: try decay(c))
        },
        OptimizerType(name: "AdaGrad", origin: "built-in", options: [learningRate, weightDecay, LayerOption("epsilon", .double, default: "1e-7", "denominator term")]) { c in
            AdaGrad(learningRate: try rate(c), weightDecay: try decay(c), epsilon: Float(try c.double("epsilon", default: 1e-7)))
        },
        OptimizerType(name: "Adam", origin: "built-in", options: adamOptions) { c in
            Adam(learningRate: try rate(c, 0.001), beta1: try fraction(c, "beta1", 0.9), beta2: try fraction(c, "beta2", 0.999),
                 epsilon: Float(try c.double("epsilon", default: 1e-8)), weightDecay: try decay(c))
        },
        OptimizerType(name: "AdamW", origin: "built-in", options: adamOptions) { c in
            Adam(learningRate: try rate(c, 0.001), beta1: try fraction(c, "beta1", 0.9), beta2: try fraction(c, "beta2", 0.999),
                 epsilon: Float(try c.double("epsilon", default: 1e-8)), weightDecay: try decay(c, 0.01), decoupledWeightDecay: true)
        },
    ]

    private static let adamOptions = [
        LayerOption("lr", .double, default: "0.001", "learning rate, > 0"),
        LayerOption("beta1", .double, default: "0.9", "first-moment decay in [0, 1)"),
        LayerOption("beta2", .double, default: "0.999", "second-moment decay in [0, 1)"),
        LayerOption("epsilon", .double, default: "1e-8", "denominator term"),
        weightDecay,
    ]

    /// The type called `name`.
    /// - Throws: `RegistryError.unknownType` with suggestions.
    public static func type(named name: String) throws(RegistryError) -> OptimizerType {
        try registry.entry(named: name)
    }

    private static func rate(_ c: LayerConfiguration, _ defaultValue: Double = 0.01) throws(ConfigurationError) -> Float {
        let value = try c.double("lr", default: defaultValue)
        guard value > 0, value.isFinite else { throw .invalidValue(key: "lr", value: "\(value)", requirement: "it must be greater than 0") }
        return Float(value)
    }

    private static func decay(_ c: LayerConfiguration, _ defaultValue: Double = 0) throws(ConfigurationError) -> Float {
        let value = try c.double("weight_decay", default: defaultValue)
        guard value >= 0, value.isFinite else { throw .invalidValue(key: "weight_decay", value: "\(value)", requirement: "it must be at least 0") }
        return Float(value)
    }

    private static func fraction(_ c: LayerConfiguration, _ key: String, _ defaultValue: Double) throws(ConfigurationError) -> Float {
        let value = try c.double(key, default: defaultValue)
        guard value >= 0, value < 1 else { throw .invalidValue(key: key, value: "\(value)", requirement: "it must be in [0, 1)") }
        return Float(value)
    }
}
