import NNKit
import Testing

/// Losses and optimisers are registered like layer types, and a model file can then name them.
@Suite(.serialized) struct RegistryExtensionTests {
    @Test func aRegisteredLossAndOptimizerCanBeNamedInAModelFile() throws {
        if !Losses.registry.contains("SquaredErrorForTests") {
            try Losses.registry.register(LossType(name: "SquaredErrorForTests", aliases: ["SEFT"]) { MeanSquaredError() })
        }
        if !Optimizers.registry.contains("PlainSGDForTests") {
            try Optimizers.registry.register(OptimizerType(name: "PlainSGDForTests", options: [LayerOption("lr", .double, default: "0.1", "rate")]) { c in
                SGD(learningRate: Float(try c.double("lr", default: 0.1)))
            })
        }
        let model = try Model(yaml: """
            input: [2]
            data: spiral
            layers: [{type: Linear, units: 3}]
            loss: SEFT
            optimizer: {type: PlainSGDForTests, lr: 0.5}
            """)
        #expect(model.loss is MeanSquaredError)
        #expect(model.optimizer.learningRate == 0.5)
        #expect(Optimizers.all.map(\.name).prefix(5) == ["SGD", "Momentum", "AdaGrad", "Adam", "AdamW"])
        #expect(throws: RegistryError.nameTaken(name: "MSE", heldBy: "MeanSquaredError", origin: "built-in", kind: "loss")) {
            try Losses.registry.register(LossType(name: "MSE") { MeanSquaredError() })
        }
        #expect(throws: ModelSpecError.self) {
            try Model(yaml: "input: [2]\ndata: spiral\nlayers: [{type: Linear, units: 3}]\noptimizer: {type: PlainSGDForTests, momentum: 0.9}\n")
        }
    }
}
