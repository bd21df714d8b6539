import Foundation
import NNData
import NNLayers
import Synchronization

/// Mini-batch gradient descent over a data set: the texts' four steps (mini-batch, gradient, update, repeat),
/// with per-epoch evaluation.
///
/// The batch order depends only on the seed and the epoch number, so a run resumed at an epoch boundary
/// with restored parameters and optimiser state continues exactly as an uninterrupted one.
///
/// With a `communicator` of several processes the training is data-parallel: every process starts from rank 0's
/// weights, takes its contiguous share of every global batch (shares differ by at most one sample when the batch
/// does not divide), and the gradients, each weighted by its share of the batch, are summed before every update,
/// so that every process makes the update of the whole batch. BatchNorm normalises with each process's own batch
/// statistics; its running statistics are averaged over the processes after every epoch. Evaluation is split over
/// the processes and summed. A stop (signal), a non-finite loss and early stopping are decided on summed values, so
/// every process ends at the same step.
public final class Trainer {
    /// The model being trained.
    public let model: Model
    /// Training and test data.
    public let data: DataSplit
    /// Epoch count, batch size, seed and shuffling.
    public var settings: TrainingSpec
    /// Epochs completed so far (restored on resume).
    public var completedEpochs = 0
    /// Set from any thread (e.g. a signal handler) to stop after the current batch.
    public let stopRequested = Atomic<Bool>(false)
    /// The held-out validation set (from `validation_split`), if any.
    public let validation: Dataset?
    /// The training samples actually trained on (the training set minus the validation split).
    public let trainingSet: Dataset
    /// The best monitored metric so far and its epoch (early stopping, best checkpoints).
    public private(set) var best: (epoch: Int, value: Double)?
    /// Whether early stopping ended the run.
    public private(set) var stoppedEarly = false
    /// The processes training together; one by default.
    public let communicator: any Communicator
    private lazy var synchronizer = GradientSynchronizer(communicator: communicator)
    private var distributed: Bool { communicator.size > 1 }
    private var startedDistributed = false
    /// Whether BatchNorm layers normalise with the statistics of the global batch, summed over the processes in
    /// every training step (synchronised BatchNorm), instead of each process's own share. Set before training.
    public var synchronizesBatchNorm = false {
        didSet {
            for case let norm as BatchNorm in model.network.layers {
                norm.statisticsSum = synchronizesBatchNorm && distributed ? { [communicator] values in try communicator.sum(values) } : nil
            }
        }
    }

    private let baseLearningRate: Float
    /// Held while a step changes the parameters, buffers, optimiser state or `completedEpochs` (never across a
    /// collective call, so that a holder cannot wait on another process).
    private let stateLock = NSLock()
    private var bestState: [(Parameter, Tensor)] = []
    private var batch = Tensor(scalar: 0)
    private var labels: [Int] = []
    private lazy var targetBuilder = TargetBuilder(loss: model.loss)

    /// Pairs a model with data, checking that the samples and classes fit it.
    /// - Throws: `TrainingError.dataMismatch` naming both shapes or counts.
    public init(
        model: Model, data: DataSplit, settings: TrainingSpec? = nil, communicator: any Communicator = SingleProcessCommunicator()
    ) throws(TrainingError) {
        self.model = model
        self.communicator = communicator
        self.data = data
        self.settings = settings ?? model.spec.train
        if let mismatch = model.dataDiagnostics(for: data).first {
            throw .dataMismatch(mismatch.message + (mismatch.hint.map { "; \($0)" } ?? ""))
        }
        baseLearningRate = model.optimizer.learningRate
        let settings = self.settings
        if let split = settings.validationSplit {
            var order = Array(0..<data.train.count)
            var generator = SeededGenerator(seed: settings.seed ^ 0x5EED_0F_5EED)
            generator.shuffle(&order)
            let held = Int((Double(order.count) * split).rounded())
            guard held >= 1, held < order.count else {
                throw .dataMismatch("validation_split \(split) of \(order.count) samples leaves no training or no validation samples")
            }
            validation = data.train.subset(Array(order[..<held]).sorted())
            trainingSet = data.train.subset(Array(order[held...]).sorted())
        } else {
            validation = nil
            trainingSet = data.train
        }
        if let monitor = settings.earlyStopping?.monitor, monitor.hasSuffix("accuracy"), data.train.isRegression {
            throw .dataMismatch("early stopping monitors \(monitor), but the data holds regression targets, which have no accuracy; monitor test_loss or validation_loss")
        }
        if let monitor = settings.earlyStopping?.monitor, monitor.hasPrefix("validation"), validation == nil {
            throw .dataMismatch("early stopping monitors \(monitor), but there is no validation set; set train.validation_split")
        }
        model.trainingInputRange = data.train.valueRange
    }

    /// Runs `body` while no training step changes the parameters, buffers, optimiser state or `completedEpochs`:
    /// what it reads is the state after some whole update. For saving a checkpoint from another thread (a
    /// signal handler) while training runs; `body` must not call back into the trainer.
    public func withStateUnchanging<T>(_ body: () throws -> T) rethrows -> T {
        stateLock.lock()
        defer { stateLock.unlock() }
        return try body()
    }

    /// The metric that decides the best epoch: the early-stopping monitor, else validation loss when there is a
    /// validation set, else test loss.
    public var monitor: (name: String, maximizes: Bool) {
        if let stopping = settings.earlyStopping { return (stopping.monitor, stopping.maximizes) }
        return (validation == nil ? "test_loss" : "validation_loss", false)
    }

    /// The learning rate for a step: the schedule's rate for the epoch, times the warm-up ramp.
    public func learningRate(epoch: Int, step: Int, stepsPerEpoch: Int) -> Float {
        var rate = Double(baseLearningRate)
        if let schedule = settings.schedule { rate = schedule.rate(base: rate, epoch: epoch, epochs: settings.epochs) }
        let (product, overflow) = settings.warmupEpochs.multipliedReportingOverflow(by: stepsPerEpoch)
        let warmupSteps = overflow ? Int.max : product
        if step < warmupSteps { rate *= Double(step + 1) / Double(warmupSteps) }
        return Float(rate)
    }

    /// Scales every gradient by `limit / ‖g‖` when the global L2 norm `‖g‖` exceeds `limit`; returns the norm.
    @discardableResult
    public func clipGradients(to limit: Double) -> Double {
        let parameters = model.parameters
        var squares = 0.0
        for named in parameters {
            named.parameter.gradient.withUnsafeBufferPointer { g in
                for v in g { squares += Double(v) * Double(v) }
            }
        }
        let norm = squares.squareRoot()
        if norm > limit {
            let scale = Float(limit / norm)
            for named in parameters { named.parameter.gradient = named.parameter.gradient * scale }
        }
        return norm
    }

    /// Trains one epoch and evaluates on the test set.
    public func trainEpoch(progress: (BatchProgress) -> Void = { _ in }) throws -> EpochReport {
        let epoch = completedEpochs + 1
        let sampler = BatchSampler(count: trainingSet.count, batchSize: settings.batchSize, shuffle: settings.shuffle, seed: settings.seed)
        if distributed, !startedDistributed {
            try synchronizer.broadcastFromLeader((model.parameters + model.network.buffers).map(\.parameter))
            startedDistributed = true
        }
        _ = synchronizer.takeSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        var lossSum = 0.0, correct = 0, samples = 0, batches = 0
        for indices in sampler.batches(epoch: epoch - 1) {
            if stopRequested.load(ordering: .relaxed) { break }
            model.optimizer.learningRate = learningRate(epoch: epoch - 1, step: model.optimizer.stepCount, stepsPerEpoch: sampler.batchesPerEpoch)
            let step = distributed ? try distributedStep(indices, epoch: epoch, batch: batches + 1) : try localStep(indices, epoch: epoch, batch: batches + 1)
            if step.skipped {
                batches += 1
                continue
            }
            if let limit = settings.clipNorm { clipGradients(to: limit) }
            withStateUnchanging { model.optimizer.update(model.parameters) }
            lossSum += step.lossSum
            correct += step.correct
            samples += indices.count
            batches += 1
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress(BatchProgress(epoch: epoch, batch: batches, batches: sampler.batchesPerEpoch, samples: samples, loss: lossSum / Double(samples),
                                   accuracy: trainingSet.isRegression ? nil : Double(correct) / Double(samples), seconds: seconds))
            if step.stop { stopRequested.store(true, ordering: .relaxed) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let allreduceSeconds = distributed ? synchronizer.takeSeconds() : nil
        if batches == sampler.batchesPerEpoch { withStateUnchanging { completedEpochs = epoch } }
        if distributed {
            let statistics = model.network.buffers.filter { $0.name.hasSuffix("running_mean") || $0.name.hasSuffix("running_var") }
            try synchronizer.average(statistics.map(\.parameter)) { write in withStateUnchanging(write) }
        }
        let test = try evaluate(data.test)
        let held = try validation.map { try evaluate($0) }
        return EpochReport(
            epoch: epoch, trainLoss: samples > 0 ? lossSum / Double(samples) : .nan,
            trainAccuracy: trainingSet.isRegression ? nil : samples > 0 ? Double(correct) / Double(samples) : 0, testLoss: test.loss, testAccuracy: test.accuracy,
            samplesPerSecond: Double(samples) / max(seconds, 1e-9), seconds: seconds,
            validationLoss: held?.loss, validationAccuracy: held?.accuracy, learningRate: Double("\(model.optimizer.learningRate)") ?? Double(model.optimizer.learningRate),
            allreduceSeconds: allreduceSeconds)
    }

    /// What one step contributes to the epoch's statistics, and whether the processes agreed to stop after it.
    private struct StepResult {
        var lossSum: Double, correct: Int, stop: Bool, skipped = false
    }

    /// Forward and backward over the whole batch in this process.
    private func localStep(_ indices: ArraySlice<Int>, epoch: Int, batch index: Int) throws -> StepResult {
        trainingSet.fillBatch(indices: indices, into: &batch, labels: &labels)
        batch.resize(batch: indices.count, sampleShape: model.spec.input)
        // The forward pass updates BatchNorm's running statistics.
        let scores = try withStateUnchanging { try model.network.forward(batch, training: true) }
        let loss = Double(try model.loss.forward(scores, targets: targets(for: labels, indices: indices, scores: scores)))
        guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: index, value: loss) }
        try model.network.backward(try model.loss.backward(), needsInputGradient: false)
        return StepResult(lossSum: loss * Double(indices.count), correct: try countCorrect(scores, labels), stop: false)
    }

    /// Forward and backward over this process's share of the batch, then the sum over the processes of the
    /// gradients weighted by `share / batch`, with the loss, the correct count and the stop and non-finite flags.
    private func distributedStep(_ indices: ArraySlice<Int>, epoch: Int, batch index: Int) throws -> StepResult {
        let share = Self.share(of: indices, rank: communicator.rank, of: communicator.size)
        // Synchronised BatchNorm needs every process in every forward pass: a batch smaller than the number of
        // processes (only ever a last one) is left out by all of them.
        if synchronizesBatchNorm, indices.count < communicator.size {
            return StepResult(lossSum: 0, correct: 0, stop: false, skipped: true)
        }
        var statistics: [Float] = [0, 0, stopRequested.load(ordering: .relaxed) ? 1 : 0, 0]
        if share.isEmpty {
            for named in model.parameters { named.parameter.gradient.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        } else {
            trainingSet.fillBatch(indices: share, into: &batch, labels: &labels)
            batch.resize(batch: share.count, sampleShape: model.spec.input)
            // The forward pass updates BatchNorm's running statistics (synchronised BatchNorm sums inside it, so
            // the lock is not taken then).
            let scores = synchronizesBatchNorm ? try model.network.forward(batch, training: true)
                : try withStateUnchanging { try model.network.forward(batch, training: true) }
            let loss = try model.loss.forward(scores, targets: targets(for: labels, indices: share, scores: scores))
            // The gradient of the global batch's mean loss: this share's mean weighted by its part of the batch.
            let weight = Float(share.count) / Float(indices.count)
            let scoreGradient = try model.loss.backward()
            try model.network.backward(weight == 1 ? scoreGradient : scoreGradient * weight, needsInputGradient: false)
            statistics[0] = loss * Float(share.count)
            statistics[1] = Float(try countCorrect(scores, labels))
            if !loss.isFinite { statistics[3] = 1 }
        }
        try synchronizer.sumGradients(model.parameters, statistics: &statistics)
        guard statistics[3] == 0, statistics[0].isFinite else {
            throw TrainingError.nonFiniteLoss(epoch: epoch, batch: index, value: Double(statistics[0]) / Double(indices.count))
        }
        return StepResult(lossSum: Double(statistics[0]), correct: Int(statistics[1]), stop: statistics[2] > 0)
    }

    /// Process `rank`'s contiguous part of a batch: sizes differ by at most one, the first processes take fewer.
    public static func share(of indices: ArraySlice<Int>, rank: Int, of size: Int) -> ArraySlice<Int> {
        let count = indices.count
        let start = indices.startIndex + count * rank / size, end = indices.startIndex + count * (rank + 1) / size
        return indices[start..<end]
    }

    /// Whether any process was asked to stop; every process gets the same answer (and sets `stopRequested`).
    private func stopAgreed() throws -> Bool {
        guard distributed else { return stopRequested.load(ordering: .relaxed) }
        var flag = [stopRequested.load(ordering: .relaxed) ? 1.0 : 0.0]
        try flag.withUnsafeMutableBufferPointer { buffer in try communicator.sum(buffer) }
        if flag[0] > 0 { stopRequested.store(true, ordering: .relaxed) }
        return flag[0] > 0
    }

    /// Trains until `settings.epochs` are complete, early stopping ends the run, or a stop is requested.
    ///
    /// `epochFinished` receives each report and whether it is the best epoch so far by `monitor` (for keeping
    /// the best checkpoint). With early stopping and `restore_best`, the best epoch's weights are put back at the end.
    public func run(
        progress: (BatchProgress) -> Void = { _ in }, epochFinished: (EpochReport, _ isBest: Bool) throws -> Void = { _, _ in }
    ) throws -> [EpochReport] {
        var reports: [EpochReport] = []
        while completedEpochs < settings.epochs, !(try stopAgreed()) {
            let report = try trainEpoch(progress: progress)
            reports.append(report)
            let (name, maximizes) = monitor
            var isBest = false
            if let value = report.metric(name), value.isFinite {
                if best.map({ maximizes ? value > $0.value : value < $0.value }) ?? true {
                    best = (report.epoch, value)
                    isBest = true
                    if settings.earlyStopping?.restoreBest == true {
                        bestState = (model.parameters + model.network.buffers).map { ($0.parameter, $0.parameter.value) }
                    }
                }
            }
            try epochFinished(report, isBest)
            if let stopping = settings.earlyStopping, let best, report.epoch - best.epoch >= stopping.patience {
                stoppedEarly = true
                break
            }
        }
        if settings.earlyStopping?.restoreBest == true, !bestState.isEmpty {
            withStateUnchanging { for (parameter, value) in bestState { parameter.value = value } }
        }
        return reports
    }

    /// Loss and accuracy on `dataset` in inference mode, in batches of up to 1000 (split over the processes of a
    /// data-parallel run, each evaluating a contiguous part, and summed).
    public func evaluate(_ dataset: Dataset) throws -> Evaluation {
        guard distributed else { return try Self.evaluate(model, on: dataset) }
        let part = Self.share(of: Array(0..<dataset.count)[...], rank: communicator.rank, of: communicator.size)
        let sums = try Self.evaluationSums(model, on: dataset, range: part.startIndex..<part.endIndex, batchSize: 1000)
        let classes = sums.confusion.count
        var values = [sums.loss, Double(sums.correct)] + sums.confusion.flatMap { $0.map(Double.init) }
        try values.withUnsafeMutableBufferPointer { buffer in try communicator.sum(buffer) }
        let confusion = (0..<classes).map { row in (0..<classes).map { Int(values[2 + row * classes + $0]) } }
        let count = max(dataset.count, 1)
        return Evaluation(loss: values[0] / Double(count), accuracy: dataset.isRegression ? nil : values[1] / Double(count), count: dataset.count,
                          confusion: confusion)
    }

    /// Loss and accuracy of `model` on `dataset` in inference mode.
    public static func evaluate(_ model: Model, on dataset: Dataset, batchSize: Int = 1000) throws -> Evaluation {
        let sums = try evaluationSums(model, on: dataset, range: 0..<dataset.count, batchSize: batchSize)
        let count = max(dataset.count, 1)
        return Evaluation(loss: sums.loss / Double(count), accuracy: dataset.isRegression ? nil : Double(sums.correct) / Double(count),
                          count: dataset.count, confusion: sums.confusion)
    }

    /// The summed loss, the correct count and the confusion matrix over the samples `range` of `dataset`.
    static func evaluationSums(
        _ model: Model, on dataset: Dataset, range: Range<Int>, batchSize: Int
    ) throws -> (loss: Double, correct: Int, confusion: [[Int]]) {
        var batch = Tensor(scalar: 0), labels: [Int] = []
        var targetBuilder = TargetBuilder(loss: model.loss)
        var lossSum = 0.0, correct = 0
        let classes = dataset.isRegression ? 0 : Swift.max(model.outputShape.reduce(1, *), dataset.classCount)
        var confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        let order = Array(range)
        var start = 0
        while start < order.count {
            let indices = order[start..<min(start + batchSize, order.count)]
            dataset.fillBatch(indices: indices, into: &batch, labels: &labels)
            batch.resize(batch: indices.count, sampleShape: model.spec.input)
            let scores = try model.network.forward(batch, training: false)
            lossSum += Double(try model.loss.forward(scores, targets: targetBuilder.targets(for: labels, indices: indices, of: dataset, scores: scores)))
                * Double(indices.count)
            for (predicted, label) in zip(dataset.isRegression ? [] : try scores.argmaxRows(), labels) {
                if predicted == label { correct += 1 }
                if label < classes, predicted >= 0, predicted < classes { confusion[label][predicted] += 1 }
            }
            start += batchSize
        }
        return (lossSum, correct, confusion)
    }

    private func targets(for labels: [Int], indices: ArraySlice<Int>, scores: Tensor) throws -> Targets {
        try targetBuilder.targets(for: labels, indices: indices, of: trainingSet, scores: scores)
    }

    private func countCorrect(_ scores: Tensor, _ labels: [Int]) throws -> Int {
        if trainingSet.isRegression { return 0 }
        guard scores.rank == 2, scores.shape[1] > 0, scores.shape[0] == labels.count else {
            return try zip(scores.argmaxRows(), labels).filter { $0 == $1 }.count
        }
        let classes = scores.shape[1]
        return scores.withUnsafeBufferPointer { s in
            var correct = 0
            for (row, label) in labels.enumerated() where Kernels.argmax(s.baseAddress! + row * classes, count: classes) == label {
                correct += 1
            }
            return correct
        }
    }
}

/// The targets of a batch as the loss wants them: a regression set's target rows, or class labels as indices for
/// softmax losses and as one-hot rows for losses of target values. The target tensor's storage is kept from one
/// batch to the next.
struct TargetBuilder {
    let loss: any Loss
    private var buffer = Tensor(scalar: 0)

    init(loss: any Loss) { self.loss = loss }

    mutating func targets(for labels: [Int], indices: ArraySlice<Int>, of dataset: Dataset, scores: Tensor) throws -> Targets {
        if dataset.fillTargets(indices: indices, into: &buffer) {
            return .tensor(buffer.shape == scores.shape ? buffer : try buffer.reshaped(scores.shape))
        }
        guard type(of: loss).takesTargetValues else { return .classIndices(labels) }
        let classes = scores.count / max(labels.count, 1)
        buffer.resize(to: scores.shape)
        buffer.withUnsafeMutableBufferPointer { oneHot in
            oneHot.update(repeating: 0)
            for (row, label) in labels.enumerated() where label < classes { oneHot[row * classes + label] = 1 }
        }
        return .tensor(buffer)
    }
}
