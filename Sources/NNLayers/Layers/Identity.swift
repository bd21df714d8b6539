/// `y = x`. Gradient: `∂L/∂y` unchanged. A placeholder that keeps layer indices stable.
public final class Identity: RegistrableLayer {
    public static let typeName = "Identity"
    public static let summary = "y = x"

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }
    public func outputShape(forInput shape: [Int]) -> [Int] { shape }
    public func forward(_ input: Tensor, training: Bool) throws -> Tensor { input }
    public func backward(_ outputGradient: Tensor) throws -> Tensor { outputGradient }
}
