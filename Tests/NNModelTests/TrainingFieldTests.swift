import NNKit
import Testing

/// The `train:` table: every scalar key is parsed, written back and overridden by the same rule.
@Suite struct TrainingFieldTests {
    @Test func everyFieldRoundTripsAndKeepsItsRuleOnOverride() throws {
        let spec = try ModelSpec(yaml: """
            input: [2]
            data: spiral
            layers: [{type: Linear, units: 3}]
            train: {epochs: 7, batch_size: 16, seed: 3, shuffle: false, warmup_epochs: 2, clip_norm: 1.5, validation_split: 0.25}
            """)
        #expect(spec.train == TrainingSpec(epochs: 7, batchSize: 16, seed: 3, shuffle: false, warmupEpochs: 2, clipNorm: 1.5, validationSplit: 0.25))
        #expect(try ModelSpec(yaml: spec.yamlText) == spec)
        for field in TrainingSpec.fields {
            #expect(TrainingSpec.keys.contains(field.key), "\(field.key) is not written by yamlText")
        }
        var train = spec.train
        try train.override("epochs", with: .int(9))
        #expect(train.epochs == 9)
        #expect(throws: SpecRuleViolation.self) { try train.override("validation_split", with: .double(1)) }
        #expect(throws: SpecRuleViolation.self) { try train.override("batch_size", with: .int(0)) }
        // The file is held to the same rule, at its position.
        #expect(throws: ModelSpecError.self) { try ModelSpec(yaml: "input: [2]\nlayers: [{type: Linear, units: 3}]\ntrain: {validation_split: 1}\n") }
    }
}

/// The top-level table: every key a model file accepts is read, written back in the table's order and suggested
/// for a misspelling.
@Suite struct ModelSectionTests {
    @Test func everyTopLevelKeyRoundTripsInTheTablesOrder() throws {
        let spec = try ModelSpec(yaml: """
            train: {epochs: 2}
            optimizer: {type: Adam, lr: 0.001}
            loss: MeanSquaredError
            classes: [a, b]
            layers: [{type: pair}]
            blocks: {pair: {arguments: {u: 2}, layers: [{type: Linear, units: $u}]}}
            data: spiral
            input: [2]
            description: two classes
            name: everything
            """)
        #expect(spec.name == "everything" && spec.input == [2] && spec.data == "spiral" && spec.classes == ["a", "b"])
        #expect(spec.loss == "MeanSquaredError" && spec.optimizer.type == "Adam" && spec.train.epochs == 2 && spec.blocks.count == 1)
        let text = spec.yamlText
        #expect(try ModelSpec(yaml: text) == spec)
        let written = text.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("-") }.compactMap { $0.split(separator: ":").first.map(String.init) }
        #expect(written == ModelSpec.keys.filter { $0 != "description" }, "\(text)")
        #expect { try ModelSpec(yaml: "input: [2]\nlayers: []\noptimiser: SGD\n") } throws: { "\($0)".contains("did you mean 'optimizer'") }
        #expect { try ModelSpec(yaml: "layers: []\n") } throws: { "\($0)".contains("missing `input:`") }
        #expect { try ModelSpec(yaml: "input: [2]\n") } throws: { "\($0)".contains("missing `layers:`") }
    }
}
