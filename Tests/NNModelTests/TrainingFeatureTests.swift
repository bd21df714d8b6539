import Foundation
import NNKit
import Testing

@Suite struct TrainingFeatureTests {
    @Test func schedulesFollowTheirFormulas() {
        let step = ScheduleSpec(type: .step, stepSize: 2, gamma: 0.5)
        #expect((0..<5).map { step.rate(base: 0.8, epoch: $0, epochs: 5) } == [0.8, 0.8, 0.4, 0.4, 0.2])
        let exponential = ScheduleSpec(type: .exponential, gamma: 0.9)
        #expect(abs(exponential.rate(base: 1, epoch: 3, epochs: 10) - 0.729) < 1e-12)
        let cosine = ScheduleSpec(type: .cosine, minimumRate: 0.1)
        #expect(cosine.rate(base: 1.1, epoch: 0, epochs: 4) == 1.1)
        #expect(abs(cosine.rate(base: 1.1, epoch: 2, epochs: 4) - 0.6) < 1e-12)
    }

    func model(_ train: String) throws -> Model {
        try Model(yaml: """
            input: [2]
            layers: [{Linear: {units: 16}}, {type: BatchNorm}, ReLU, {type: Dropout, rate: 0.2}, {Linear: {units: 3}}]
            optimizer: {type: SGD, lr: 0.4, momentum: 0.9}
            train: \(train)
            """)
    }

    @Test func warmupAndScheduleSetTheRatePerStep() throws {
        let m = try model("{epochs: 3, batch_size: 100, warmup_epochs: 1, schedule: {type: step, step_size: 1, gamma: 0.5}}")
        let trainer = try Trainer(model: m, data: Spiral.split())
        #expect(trainer.learningRate(epoch: 0, step: 0, stepsPerEpoch: 3) == Float(0.4) / 3)
        #expect(trainer.learningRate(epoch: 0, step: 2, stepsPerEpoch: 3) == 0.4)
        #expect(trainer.learningRate(epoch: 2, step: 7, stepsPerEpoch: 3) == 0.1)
        let reports = try trainer.run()
        #expect(reports.map { $0.learningRate.map(Float.init) } == [0.4, 0.2, 0.1])
    }

    @Test func clippingBoundsTheGlobalNorm() throws {
        let m = try model("{epochs: 1}")
        for named in m.parameters { named.parameter.gradient = try Tensor(repeating: 3, shape: named.parameter.value.shape) }
        let trainer = try Trainer(model: m, data: Spiral.split())
        let before = trainer.clipGradients(to: 1)
        #expect(before > 1)
        let squares = m.parameters.map { p in p.parameter.gradient.scalars.reduce(0.0) { $0 + Double($1 * $1) } }
        let after = squares.reduce(0, +).squareRoot()
        #expect(abs(after - 1) < 1e-4)
        #expect(trainer.clipGradients(to: 10) < 10)
    }

    @Test func validationSplitAndEarlyStoppingRestoreTheBestEpoch() throws {
        let m = try model("{epochs: 200, batch_size: 30, validation_split: 0.2, early_stopping: {monitor: validation_loss, patience: 2, restore_best: true}}")
        let trainer = try Trainer(model: m, data: Spiral.split())
        #expect(trainer.validation?.count == 60)
        #expect(trainer.trainingSet.count == 240)
        var bestWeights: [Tensor] = []
        let reports = try trainer.run(epochFinished: { report, isBest in
            if isBest { bestWeights = m.parameters.map(\.parameter.value) }
        })
        #expect(trainer.stoppedEarly)
        #expect(reports.count < 200)
        let best = trainer.best!
        #expect(reports.last!.epoch - best.epoch == 2)
        #expect(best.value == reports.compactMap { $0.validationLoss }.min())
        #expect(m.parameters.map(\.parameter.value) == bestWeights)
        #expect(throws: TrainingError.self) {
            try Trainer(model: try self.model("{early_stopping: {monitor: validation_accuracy}}"), data: Spiral.split())
        }
    }

    @Test func newTrainingKeysRoundTripAndValidate() throws {
        var spec = try ModelSpec(yaml: "input: [2]\nlayers: [ReLU]\ntrain: {epochs: 4, warmup_epochs: 1, clip_norm: 2.5, validation_split: 0.1, schedule: {type: cosine, min_lr: 0.001}, early_stopping: {monitor: validation_accuracy, patience: 2}}")
        #expect(spec.train.schedule?.type == .cosine)
        #expect(spec.train.earlyStopping?.maximizes == true)
        #expect(try ModelSpec(yaml: spec.yamlText) == spec)
        spec.train.schedule = ScheduleSpec(type: .step, stepSize: 3, gamma: 0.25)
        #expect(try ModelSpec(yaml: spec.yamlText) == spec)
        for (yaml, message) in [
            ("train: {schedule: {type: linear}}", "unknown schedule 'linear'"),
            ("train: {early_stopping: {monitor: val_loss}}", "use one of test_loss, test_accuracy, validation_loss"),
            ("train: {validation_split: 1.5}", "below 1"),
            ("train: {clip_norm: -1}", "greater than 0"),
            ("train: {schedule: {gama: 0.5, type: step}}", "did you mean 'gamma'"),
        ] {
            do {
                _ = try ModelSpec(yaml: "input: [2]\nlayers: [ReLU]\n" + yaml, file: "t.yaml")
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.description.contains(message), "\(error)")
                #expect(error.description.contains("t.yaml:3:"), "\(error)")
            }
        }
    }
}
