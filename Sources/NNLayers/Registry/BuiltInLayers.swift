extension LayerRegistry {
    /// The layer types NNKit ships.
    public static let builtInTypes: [any RegistrableLayer.Type] = [
        Linear.self, MatMul.self, ReLU.self, Sigmoid.self, Tanh.self, Softmax.self, Flatten.self,
    ]

    func registerBuiltIns() {
        for type in Self.builtInTypes {
            do { try register(LayerType(type, origin: "built-in")) } catch { preconditionFailure("built-in layer names clash: \(error)") }
        }
    }
}
