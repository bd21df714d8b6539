/// Reshapes each sample to a vector: `[N, d₁, …, dₖ]` → `[N, d₁·…·dₖ]`.
///
/// Gradient: `∂L/∂x` is `∂L/∂y` reshaped back to the input's shape.
public final class Flatten: RegistrableLayer {
    public static let typeName = "Flatten"
    public static let summary = "Reshape [N, ...] to [N, D]"

    private var inputShape: [Int]?
    private var outputShape: [Int] = []

    /// Creates the layer.
    public init() {}
    public convenience init(configuration: LayerConfiguration) throws { self.init() }

    public func outputShape(forInput shape: [Int]) throws -> [Int] { [shape.reduce(1, *)] }

    public func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        guard input.rank >= 1 else { throw LayerError.inputShape(layer: Self.typeName, expected: "[N, ...]", got: input.shape) }
        inputShape = input.shape
        let rows = input.shape[0], columns = input.shape.dropFirst().reduce(1, *)
        if outputShape != [rows, columns] { outputShape = [rows, columns] }
        do { return try input.reshaped(outputShape) } catch { throw LayerError.tensor(layer: Self.typeName, error) }
    }

    public func backward(_ outputGradient: Tensor) throws -> Tensor {
        guard let inputShape else { throw LayerError.backwardWithoutForward(layer: Self.typeName) }
        do { return try outputGradient.reshaped(inputShape) } catch { throw LayerError.tensor(layer: Self.typeName, error) }
    }
}
