/// A scalar loss over a batch, with the gradient with respect to its input (the last layer's output).
public protocol Loss: AnyObject {
    /// The loss name as model files give it.
    static var typeName: String { get }
    /// The mean loss over the batch, caching what `backward` needs.
    func forward(_ prediction: Tensor, targets: Targets) throws -> Float
    /// ∂L/∂prediction for the latest `forward`.
    func backward() throws -> Tensor
}

/// The losses known by name.
public enum Losses {
    /// Every loss type, by name.
    public static let all: [String: @Sendable () -> any Loss] = [
        SoftmaxWithLoss.typeName: { SoftmaxWithLoss() },
        "SoftmaxCrossEntropy": { SoftmaxWithLoss() },
        MeanSquaredError.typeName: { MeanSquaredError() },
        "MSE": { MeanSquaredError() },
    ]

    /// A new loss of type `name`.
    /// - Throws: `RegistryError.unknownType` with suggestions.
    public static func make(_ name: String) throws(RegistryError) -> any Loss {
        guard let make = all[name] else {
            throw .unknownType(name: name, suggestions: ClosestNames.suggestions(for: name, among: all.keys))
        }
        return make()
    }
}
