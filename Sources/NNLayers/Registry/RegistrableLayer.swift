/// A layer type that can be created by name from a model file.
///
/// Conform, then register: `try LayerRegistry.shared.register(Swish.self)`.
/// ```swift
/// final class Swish: RegistrableLayer {
///     static let typeName = "Swish"
///     static let summary = "x · sigmoid(x)"
///     init(configuration: LayerConfiguration) throws {}
///     func outputShape(forInput shape: [Int]) -> [Int] { shape }
///     func forward(_ input: Tensor, training: Bool) throws -> Tensor { … }
///     func backward(_ outputGradient: Tensor) throws -> Tensor { … }
/// }
/// ```
public protocol RegistrableLayer: Layer, SendableMetatype {
    /// The name model files use (`Linear`).
    static var typeName: String { get }
    /// Other names for the same type (`Affine`, `Dense`).
    static var aliases: [String] { get }
    /// One line describing the layer, shown by `nnrun layers`.
    static var summary: String { get }
    /// The options it accepts; keys outside this list are reported as unknown.
    static var options: [LayerOption] { get }
    /// How many inputs a node of this type takes: `1...1` for ordinary layers, `2...` for a `MergeLayer`.
    static var inputCount: ClosedRange<Int> { get }
    /// Creates the layer for an input sample shape, validating every option.
    init(configuration: LayerConfiguration) throws
}

extension RegistrableLayer {
    public static var aliases: [String] { [] }
    public static var options: [LayerOption] { [] }
    public static var inputCount: ClosedRange<Int> { 1...1 }
}
