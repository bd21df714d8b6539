/// A scalar loss over a batch, with the gradient with respect to its input (the last layer's output).
public protocol Loss: AnyObject {
    /// The loss name as model files give it.
    static var typeName: String { get }
    /// The mean loss over the batch, caching what `backward` needs.
    func forward(_ prediction: Tensor, targets: Targets) throws -> Float
    /// ∂L/∂prediction for the latest `forward`.
    func backward() throws -> Tensor
    /// Whether the loss compares predictions with target values of their shape (a regression loss), so that a CSV
    /// data set gives it target columns rather than a class label. `false` unless a loss says otherwise.
    static var takesTargetValues: Bool { get }
}

extension Loss {
    /// A loss of class labels, unless it says otherwise.
    public static var takesTargetValues: Bool { false }
}

/// A loss known by name: what `loss:` in a model file names.
public struct LossType: RegistryEntry {
    /// The name model files use (`loss: NAME`).
    public let name: String
    /// Other accepted names.
    public let aliases: [String]
    /// `built-in`, `code` or `plugin NAME VERSION`.
    public let origin: String
    /// Creates a new loss object.
    public let make: @Sendable () -> any Loss

    /// Describes a loss type.
    public init(name: String, aliases: [String] = [], origin: String = "code", make: @escaping @Sendable () -> any Loss) {
        self.name = name
        self.aliases = aliases
        self.origin = origin
        self.make = make
    }
}

/// The losses known by name.
public enum Losses {
    /// The built-in losses and whatever code or plugins register (`Losses.registry.register(_:)`).
    public static let registry = Registry<LossType>(kind: "loss", [
        LossType(name: SoftmaxWithLoss.typeName, aliases: ["SoftmaxCrossEntropy"], origin: "built-in") { SoftmaxWithLoss() },
        LossType(name: MeanSquaredError.typeName, aliases: ["MSE"], origin: "built-in") { MeanSquaredError() },
    ])

    /// Every loss name and alias, sorted.
    public static var allNames: [String] { registry.allNames }

    /// A new loss of type `name`.
    /// - Throws: `RegistryError.unknownType` with suggestions.
    public static func make(_ name: String) throws(RegistryError) -> any Loss {
        try registry.entry(named: name).make()
    }
}
