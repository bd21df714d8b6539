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
