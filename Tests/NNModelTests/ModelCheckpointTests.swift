import Foundation
import NNKit
import Testing

@Suite struct ModelCheckpointTests {
    func model(hidden: Int = 4, seed: UInt64 = 1) throws -> Model {
        try Model(yaml: """
            input: [2]
            layers: [{type: Linear, name: hidden, units: \(hidden)}, Tanh, {type: Linear, name: out, units: 3}]
            optimizer: {type: Momentum, lr: 0.1}
            train: {seed: \(seed)}
            """)
    }

    @Test func namesParametersGradientsAndOptimizerState() throws {
        let m = try model()
        let trainer = try Trainer(model: m, data: Spiral.split(), settings: TrainingSpec(epochs: 1, batchSize: 50))
        _ = try trainer.run()
        let checkpoint = m.checkpoint(progress: TrainingProgress(epoch: 1, step: 6), includeGradients: true)
        #expect(Set(checkpoint.tensors.keys) == [
            "hidden.weight", "hidden.bias", "out.weight", "out.bias",
            "hidden.weight.grad", "hidden.bias.grad", "out.weight.grad", "out.bias.grad",
            "optimizer.hidden.weight.velocity", "optimizer.hidden.bias.velocity", "optimizer.out.weight.velocity", "optimizer.out.bias.velocity",
        ])
        #expect(checkpoint.metadata["optimizer"] == "Momentum")
        #expect(checkpoint.metadata["epoch"] == "1")
        #expect(try ModelSpec(yaml: checkpoint.metadata["model_spec"]!) == m.spec)
    }

    @Test func strictLoadListsEveryDifference() throws {
        var checkpoint = try model().checkpoint()
        checkpoint.tensors["extra.weight"] = StoredTensor(shape: [1], values: [0])
        checkpoint.tensors["out.bias"] = nil
        let other = try model(hidden: 5)
        do {
            try other.load(checkpoint, path: "c.safetensors")
            Issue.record("expected an error")
        } catch {
            guard case let .mismatch(_, missing, unexpected, shapes) = error else { Issue.record("\(error)"); return }
            #expect(missing == ["out.bias"])
            #expect(unexpected == ["extra.weight"])
            #expect(shapes.map(\.name) == ["hidden.weight", "hidden.bias", "out.weight"])
            #expect(error.description.contains("hidden.weight: the model has shape [2, 5], the file [2, 4]"))
        }
        let report = try other.load(checkpoint, mode: .partial)
        #expect(report.loaded.isEmpty)
        #expect(report.mismatched.count == 3)
    }

    @Test func partialLoadCopiesWhatMatches() throws {
        let source = try model(seed: 1), target = try model(seed: 2)
        var checkpoint = source.checkpoint()
        checkpoint.tensors["out.weight"] = nil
        let report = try target.load(checkpoint, mode: .partial)
        #expect(report.loaded == ["hidden.weight", "hidden.bias", "out.bias"])
        #expect(report.missing == ["out.weight"])
        #expect(target.parameters[0].parameter.value == source.parameters[0].parameter.value)
        #expect(target.parameters[2].parameter.value != source.parameters[2].parameter.value)
    }

    @Test func missingPluginIsNamed() throws {
        var checkpoint = try model().checkpoint()
        checkpoint.metadata["plugins"] = #"[{"name":"swish-layers","version":"1.2.0"}]"#
        do {
            try model().load(checkpoint, path: "p.safetensors")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("needs plugin swish-layers version 1.2.0"))
        }
    }

    @Test func resumeRestoresOptimizerStateExactly() throws {
        let settings = TrainingSpec(epochs: 4, batchSize: 40, seed: 3)
        let straight = try model()
        _ = try Trainer(model: straight, data: Spiral.split(), settings: settings).run()

        let first = try model()
        let firstTrainer = try Trainer(model: first, data: Spiral.split(), settings: TrainingSpec(epochs: 2, batchSize: 40, seed: 3))
        _ = try firstTrainer.run()
        let saved = try SafeTensors.decode(try first.checkpoint(progress: TrainingProgress(epoch: 2, step: first.optimizer.stepCount)).encoded())

        let second = try model(seed: 99)
        let progress = try second.resume(from: Checkpoint(tensors: saved.tensors, metadata: saved.metadata))
        let trainer = try Trainer(model: second, data: Spiral.split(), settings: settings)
        trainer.completedEpochs = progress.epoch
        _ = try trainer.run()
        for (a, b) in zip(straight.parameters, second.parameters) {
            #expect(a.parameter.value.scalars.map(\.bitPattern) == b.parameter.value.scalars.map(\.bitPattern), "\(a.name)")
        }
    }

    /// Counters from a checkpoint are user input: the largest Int would overflow on the next step.
    @Test func resumingFromAnImpossibleStepCountIsRefused() throws {
        let model = try Model(yaml: "input: [2]\nlayers: [{type: Linear, units: 3}]\noptimizer: {type: Adam}\n")
        var checkpoint = model.checkpoint(progress: TrainingProgress(epoch: 1, step: 5))
        checkpoint.metadata["step"] = String(Int.max)
        #expect(throws: CheckpointLoadError.self) { try model.resume(from: checkpoint) }
        checkpoint.metadata["step"] = "5"
        checkpoint.metadata["epoch"] = String(1 << 60)
        #expect(throws: CheckpointLoadError.self) { try model.resume(from: checkpoint) }
    }

    /// Settings far beyond any real run train without overflowing: the batch is the whole set, the warm-up never ends.
    @Test func hugeBatchAndWarmupSettingsDoNotOverflow() throws {
        let model = try Model(yaml: "input: [2]\nlayers: [{type: Linear, units: 3}]\n")
        let trainer = try Trainer(model: model, data: Spiral.split(), settings: TrainingSpec(epochs: 1, batchSize: Int.max, warmupEpochs: 1 << 62))
        let reports = try trainer.run()
        #expect(reports.count == 1 && reports[0].trainLoss.isFinite)
        #expect(trainer.learningRate(epoch: 0, step: 0, stepsPerEpoch: 1 << 40) > 0)
    }
}

/// Optimizer state and saved specs that do not fit the model are reported, not used or zeroed in silence.
@Suite struct ResumeStateCheckTests {
    static let yaml = "input: [2]\nlayers: [{type: Linear, name: fc, units: 3}]\noptimizer: {type: Adam}\n"

    @Test func orphanAndMisshapenOptimizerSlotsAreRefused() throws {
        let model = try Model(yaml: Self.yaml)
        _ = try Trainer(model: model, data: Spiral.split(), settings: TrainingSpec(epochs: 1, batchSize: 50)).run()
        var checkpoint = model.checkpoint(progress: TrainingProgress(epoch: 1, step: model.optimizer.stepCount))
        #expect(throws: Never.self) { try Model(yaml: Self.yaml).resume(from: checkpoint) }
        checkpoint.tensors["optimizer.gone.weight.m"] = StoredTensor(shape: [2, 3], values: Array(repeating: 0, count: 6))
        #expect { try Model(yaml: Self.yaml).resume(from: checkpoint) } throws: { "\($0)".contains("optimizer.gone.weight.m") }
        checkpoint.tensors["optimizer.gone.weight.m"] = nil
        checkpoint.tensors["optimizer.fc.weight.v"] = StoredTensor(shape: [3, 2], values: Array(repeating: 0, count: 6))
        #expect { try Model(yaml: Self.yaml).resume(from: checkpoint) } throws: { "\($0)".contains("optimizer.fc.weight.v: the model has shape [2, 3]") }
    }

    @Test func aCheckpointFromAnotherSpecIsNoticed() throws {
        let model = try Model(yaml: Self.yaml)
        let checkpoint = model.checkpoint()
        #expect(try Model(yaml: Self.yaml).specDifference(from: checkpoint) == nil)
        let other = try Model(yaml: Self.yaml.replacingOccurrences(of: "units: 3}", with: "units: 3}, Tanh"))
        #expect(other.specDifference(from: checkpoint) == "it has 1 layer, this model 2")
        let activation = try Model(yaml: Self.yaml.replacingOccurrences(of: "units: 3}", with: "units: 3, init: xavier}"))
        #expect(activation.specDifference(from: checkpoint)?.contains("other options") == true)
    }
}
