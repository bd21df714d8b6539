extension LayerRegistry {
    /// The layer types NNKit ships.
    public static let builtInTypes: [any RegistrableLayer.Type] = [
        Linear.self, MatMul.self, ReLU.self, Sigmoid.self, Tanh.self, Softmax.self, Flatten.self,
        Conv2D.self, MaxPool2D.self, AvgPool2D.self, GlobalAvgPool2D.self, BatchNorm.self, LayerNorm.self, Dropout.self,
        LeakyReLU.self, ELU.self, GELU.self, Identity.self, Add.self, Multiply.self, Concatenate.self,
    ]

    func registerBuiltIns() {
        for type in Self.builtInTypes {
            do { try register(LayerType(type, origin: "built-in")) } catch { preconditionFailure("built-in layer names clash: \(error)") }
        }
    }
}
