import ArgumentParser
import Dispatch
import Foundation
import NNKit
import Synchronization

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on its data set, evaluating on the test set after every epoch.",
        discussion: """
            Ctrl-C stops after the current batch and still saves --out. A loss that becomes NaN or infinite stops training.
            Checkpoints (--out, --resume, --init-from) are safetensors files with the model spec, epoch, step and optimizer state in their metadata.
            """)

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(help: "Data set: spiral, fashion-mnist, mnist-idx:DIR, csv:FILE, a directory or a .csv file (default: the model's `data:`).")
    var data: String?
    @Option(parsing: .unconditional, help: "Number of epochs (overrides train.epochs).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Mini-batch size (overrides train.batch_size).") var batchSize: Int?
    @Option(parsing: .unconditional, help: "Learning rate (overrides optimizer.lr).") var lr: Double?
    @Option(parsing: .unconditional, help: "Seed for initialisation and shuffling (overrides train.seed).") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Threads for the kernels (default: all cores). Results are deterministic for a given thread count.") var threads: Int?
    @Option(help: "Write the trained model to this safetensors file (atomically).") var out: String?
    @Option(help: "Write one JSON object per epoch to this file.") var metrics: String?
    @Option(help: "Continue training from this checkpoint: weights, optimizer state and epoch.") var resume: String?
    @Option(help: "Start from the weights in this checkpoint (partial loads allowed, with a report).") var initFrom: String?
    @Option(parsing: .unconditional, help: "Also save --out after every N epochs (atomically), not only at the end.") var saveEvery: Int?
    @Flag(help: "Also save gradients (<param>.grad) in --out.") var saveGradients = false
    @Option(parsing: .unconditional, help: "Hold out this fraction of the training set for validation (overrides train.validation_split).") var validationSplit: Double?
    @Option(parsing: .unconditional, help: "Clip gradients to this global L2 norm (overrides train.clip_norm).") var clipNorm: Double?
    @Option(help: "Learning-rate schedule: step, exponential or cosine (overrides train.schedule's type).") var schedule: String?
    @Option(parsing: .unconditional, help: "Linear learning-rate warm-up over this many epochs (overrides train.warmup_epochs).") var warmupEpochs: Int?
    @Option(parsing: .unconditional, help: "Stop after this many epochs without improvement of the monitored metric (enables early stopping).") var patience: Int?
    @Flag(help: "Under mpirun: normalise BatchNorm with the statistics of the global batch (synchronised), not each rank's share.")
    var syncBatchNorm = false
    @Flag(help: "Print only the final result.") var quiet = false
    @Option(parsing: .unconditional, help: "Print every Nth epoch's line (and the last), for long runs.") var logEvery: Int?

    func validate() throws {
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if resume != nil, initFrom != nil { throw ValidationError("use either --resume or --init-from, not both") }
        if let saveEvery, saveEvery < 1 { throw ValidationError("--save-every must be at least 1") }
        if let logEvery, logEvery < 1 { throw ValidationError("--log-every must be at least 1") }
        if saveEvery != nil, out == nil { throw ValidationError("--save-every needs --out FILE") }
        // The overrides of train: keep the model file's rules (TrainingSpec.fields).
        var check = TrainingSpec()
        for (key, value) in trainingOverrides {
            do { try check.override(key, with: value) } catch { throw ValidationError(error.description) }
        }
        // --schedule names train.schedule's type, --patience sets train.early_stopping's patience: their rules too.
        let sectionChecks: [(SpecRule?, ConfigValue?, String)] = [
            (ScheduleSpec.fields.first { $0.key == "type" }?.rule, schedule.map(ConfigValue.string), "--schedule"),
            (EarlyStoppingSpec.fields.first { $0.key == "patience" }?.rule, patience.map(ConfigValue.int), "--patience"),
        ]
        for case let (rule?, value?, flag) in sectionChecks {
            if case .failure(let violation) = rule.check(value, flag) { throw ValidationError(violation.description) }
        }
    }

    /// The options that override scalar keys of `train:`, as the model file would give them.
    private var trainingOverrides: [(String, ConfigValue)] {
        let seedValue = seed.map { Int(exactly: $0).map(ConfigValue.int) ?? .double(Double($0)) }
        let pairs: [(String, ConfigValue?)] = [
            ("epochs", epochs.map(ConfigValue.int)), ("batch_size", batchSize.map(ConfigValue.int)), ("seed", seedValue),
            ("validation_split", validationSplit.map(ConfigValue.double)), ("clip_norm", clipNorm.map(ConfigValue.double)),
            ("warmup_epochs", warmupEpochs.map(ConfigValue.int)),
        ]
        return pairs.compactMap { key, value in value.map { (key, $0) } }
    }

    func run() throws {
        try ComputeContext.current.with(threads: threads ?? ComputeContext.current.threads).run { try runProcesses() }
    }

    private func runProcesses() throws {
        let processes = try Processes.communicator()
        guard processes.size > 1 else { return try train(processes) }
        // On several processes, a failure that is not decided together (a file one process cannot read, a full
        // disk on rank 0) ends all of them at once instead of leaving the others waiting in a collective call.
        do {
            try train(processes)
            processes.finish()
        } catch let exit as ExitCode where Self.collectiveExit.load(ordering: .relaxed) {
            processes.finish()
            throw exit
        } catch let exit as ExitCode {
            Self.waitIfEndingOnSignal(leader: processes.isLeader)
            processes.abort(exitCode: exit.rawValue)
        } catch {
            Self.waitIfEndingOnSignal(leader: processes.isLeader)
            printError("error on rank \(processes.rank): \(error)")
            processes.abort(exitCode: 1)
        }
    }

    /// Set when every process ends the same way (the run's end, an agreed stop, a non-finite loss).
    private static let collectiveExit = Atomic<Bool>(false)
    /// The signal being answered under mpirun (0 for none).
    private static let endingOnSignal = Atomic<Int32>(0)

    /// Ends quietly when a signal under mpirun is being answered: the failures that other processes' leaving causes
    /// here (a collective call that fails) are not reported, and rank 0's save is not cut short.
    private static func waitIfEndingOnSignal(leader: Bool) {
        let number = endingOnSignal.load(ordering: .relaxed)
        guard number != 0 else { return }
        // Rank 0's signal thread saves and ends it; elsewhere the failure means that rank 0 has left.
        if leader { while true { sleep(60) } }
        fflush(nil)
        _exit(128 + number)
    }

    private func train(_ processes: any Communicator) throws {
        // Only rank 0 reports and writes files.
        let leader = processes.isLeader
        let (out, metrics, quiet) = leader ? (self.out, self.metrics, self.quiet) : (nil, nil, true)
        // Where results go is checked before any training, and what an interrupted save left there is removed.
        for path in [out, out.map(Self.bestPath), metrics].compactMap({ $0 }) {
            do { try AtomicFile.checkReplaceable(path) } catch {
                printError(path.isEmpty ? "error: an output path (--out or --metrics) is empty; give a file name" : "error: \(error)")
                throw ExitCode.validationFailure
            }
            AtomicFile.removeLeftovers(of: path)
        }
        try pluginOptions.load()
        let model = try loadModel(self.model, memory: memoryOptions) { spec in
            for (key, value) in trainingOverrides { try? spec.train.override(key, with: value) }
            if let lr { spec.optimizer.options["lr"] = .double(lr) }
            if let schedule, let kind = ScheduleSpec.Kind(rawValue: schedule) {
                spec.train.schedule = spec.train.schedule.map { var s = $0; s.type = kind; return s } ?? ScheduleSpec(type: kind)
            }
            if let patience {
                let monitor = spec.train.earlyStopping?.monitor ?? (spec.train.validationSplit == nil ? "test_loss" : "validation_loss")
                spec.train.earlyStopping = EarlyStoppingSpec(monitor: monitor, patience: patience, restoreBest: spec.train.earlyStopping?.restoreBest ?? true)
            }
        }
        let split = try loadData(data, model: model)
        let trainer = try failing("the data does not fit the model") { try Trainer(model: model, data: split, communicator: processes) }
        trainer.synchronizesBatchNorm = syncBatchNorm
        if let resume {
            let checkpoint = try Processes.readCheckpoint(resume, "resuming", processes: processes)
            let progress = try failing("resuming") { try model.resume(from: checkpoint, path: resume) }
            warnIfSpecDiffers(checkpoint, path: resume, model: model)
            trainer.completedEpochs = progress.epoch
            if !quiet { print("resumed from \(resume) at epoch \(progress.epoch), step \(progress.step)") }
            if progress.epoch >= model.spec.train.epochs, leader {
                printError("note: \(resume) has already trained \(progress.epoch) epoch\(progress.epoch == 1 ? "" : "s") of \(model.spec.train.epochs), so there is nothing to train; raise --epochs (or train.epochs) to go on")
            }
        }
        if let initFrom {
            let checkpoint = try Processes.readCheckpoint(initFrom, "loading initial weights", processes: processes)
            let report = try failing("loading initial weights") { try model.load(checkpoint, path: initFrom, mode: .partial) }
            if leader { printError("init-from \(initFrom):\n" + report.description) }
            if report.loaded.isEmpty, leader {
                printError("warning: --init-from \(initFrom) matches no tensor of the model by name and shape, so training starts from the initial weights; is it a checkpoint of another model? (`nnrun convert` maps a PyTorch state_dict by order)")
            }
        }

        // Ctrl-C, SIGTERM and SIGHUP all stop after the current batch and save --out; a second one quits at once.
        // Under mpirun, which on Ctrl-C tears the MPI runtime down around the ranks and kills them a second later
        // (Open MPI's odls_base_sigkill_timeout), no further MPI call can be trusted: rank 0 saves the state of
        // the last update at once and leaves, and the others follow.
        let received = Atomic<Int32>(0)
        let outputs = [out, out.map(Self.bestPath), metrics].compactMap { $0 }
        let distributed = processes.size > 1
        let sources = [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [trainer, model] in
                let name = number == SIGINT ? "interrupted" : number == SIGTERM ? "terminated (SIGTERM)" : "hung up (SIGHUP)"
                if distributed {
                    Self.endingOnSignal.store(number, ordering: .relaxed)
                    // The other processes stay until rank 0 has saved and left (mpirun ends them then), or for
                    // ten seconds when the signal reached them alone.
                    if leader { Self.saveOnSignal(name, trainer: trainer, model: model, out: out) } else { sleep(10) }
                    fflush(nil)
                    _exit(128 + number)
                }
                if trainer.stopRequested.exchange(true, ordering: .relaxed) {
                    // Quitting at once may cut a save short: its temporary file goes, the previous file stays.
                    for path in outputs { AtomicFile.removeLeftovers(of: path) }
                    fflush(nil)
                    _exit(128 + number)
                }
                received.store(number, ordering: .relaxed)
                if leader { printError("\n\(name): stopping after the current batch and saving (send it again to quit now)") }
            }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }

        if out != nil, trainer.validation == nil, !quiet {
            printError("note: no validation split, so no \(Self.bestPath(out ?? "")) is kept (set train.validation_split or --validation-split)")
        }
        let interactive = !quiet && isatty(STDERR_FILENO) == 1
        var bar = ProgressBar(epochs: model.spec.train.epochs)
        var metricLines: [String] = []
        var lastReport: EpochReport?
        let outcome = Result {
            try trainer.run(progress: { if interactive { bar.update($0) } }) { report, isBest in
                if interactive { bar.finish() }
                lastReport = report
                if !quiet, report.epoch % (logEvery ?? 1) == 0 || report.epoch == model.spec.train.epochs {
                    print(line(report, epochs: model.spec.train.epochs))
                    fflush(nil)
                }
                if let metrics {
                    metricLines.append(jsonText(report))
                    try AtomicFile.write(Array((metricLines.joined(separator: "\n") + "\n").utf8), to: metrics)
                }
                // The best epoch is chosen on held-out data only: picking it by the test set would leak the test set.
                if isBest, let out, trainer.validation != nil {
                    try trainer.withStateUnchanging {
                        try model.save(to: Self.bestPath(out), progress: TrainingProgress(epoch: trainer.completedEpochs, step: model.optimizer.stepCount))
                    }
                }
                if let saveEvery, let out, trainer.completedEpochs % saveEvery == 0 {
                    try trainer.withStateUnchanging {
                        try model.save(to: out, progress: TrainingProgress(epoch: trainer.completedEpochs, step: model.optimizer.stepCount), includeGradients: saveGradients)
                    }
                }
            }
        }
        if case .failure = outcome { Self.waitIfEndingOnSignal(leader: processes.isLeader) }
        // The run ended the same way on every process: finishing normally cannot leave one waiting.
        if case .failure(let error) = outcome, !(error is TrainingError) {} else { Self.collectiveExit.store(true, ordering: .relaxed) }
        if case .failure(let error) = outcome, !(error is TrainingError) {
            // Shown before the final save, which may fail for the same reason (a full disk).
            printError("error: \(error)")
        }
        if case .failure(TrainingError.nonFiniteLoss) = outcome, let out {
            printError("error: the weights diverged, so \(out) was not overwritten" + (FileManager.default.fileExists(atPath: out) ? "; it keeps the last saved epoch" : ""))
        } else if let out {
            try failing("saving \(out)") {
                try trainer.withStateUnchanging {
                    try model.save(to: out, progress: TrainingProgress(epoch: trainer.completedEpochs, step: model.optimizer.stepCount), includeGradients: saveGradients)
                }
            }
            if !quiet {
                let partial = trainer.stopRequested.load(ordering: .relaxed) && lastReport?.epoch != trainer.completedEpochs
                print("saved \(out) (\(trainer.completedEpochs) complete epoch\(trainer.completedEpochs == 1 ? "" : "s")"
                      + (partial ? "; the weights include the stopped epoch's batches, and --resume starts that epoch again)" : ")"))
            }
        }
        if case .failure(let error) = outcome {
            if error is TrainingError, leader { printError("error: \(error)") }
            throw ExitCode.failure
        }
        if trainer.stoppedEarly, leader, let best = trainer.best {
            print("early stopping: \(trainer.monitor.name) has not improved since epoch \(best.epoch) (\(fixed(best.value, 4)))" +
                  (model.spec.train.earlyStopping?.restoreBest == true ? "; restored that epoch's weights" : ""))
        }
        if trainer.stoppedEarly, model.spec.train.earlyStopping?.restoreBest == true {
            let restored = try failing("evaluating the restored weights") { try trainer.evaluate(split.test) }
            if leader { print("final: \(accuracyText(restored.accuracy, "test accuracy ", ", "))test loss \(fixed(restored.loss, 4)) with the weights of epoch \(trainer.best?.epoch ?? 0)") }
        } else if leader, let lastReport {
            let epochs = trainer.completedEpochs
            // A stop inside an epoch leaves its batches in the weights that were evaluated.
            let part = lastReport.epoch != epochs ? " and part of epoch \(lastReport.epoch)" : ""
            print("final: \(accuracyText(lastReport.testAccuracy, "test accuracy ", ", "))test loss \(fixed(lastReport.testLoss, 4)) after \(epochs) epoch\(epochs == 1 ? "" : "s")\(part)")
        }
        if trainer.stopRequested.load(ordering: .relaxed) { throw ExitCode(128 + (received.load(ordering: .relaxed) == 0 ? SIGINT : received.load(ordering: .relaxed))) }
    }

    /// Rank 0's answer to a signal under mpirun: saves `--out` with the parameters and optimiser state of the
    /// last update (gradients are left out: the current step may have half computed them) and says so.
    private static func saveOnSignal(_ name: String, trainer: Trainer, model: Model, out: String?) {
        guard let out else {
            printError("\n\(name): stopping every process (no --out to save)")
            return
        }
        printError("\n\(name): saving the weights of the last update to \(out) and stopping every process")
        do {
            let epochs = try trainer.withStateUnchanging {
                try model.save(to: out, progress: TrainingProgress(epoch: trainer.completedEpochs, step: model.optimizer.stepCount))
                return trainer.completedEpochs
            }
            print("saved \(out) (\(epochs) complete epoch\(epochs == 1 ? "" : "s"); the weights include the stopped epoch's batches, and --resume starts that epoch again)")
        } catch {
            printError("error: saving \(out): \(error); the previous file, if any, is unchanged")
            AtomicFile.removeLeftovers(of: out)
        }
    }

    /// Where the best epoch's checkpoint goes: `model.safetensors` → `model.best.safetensors`.
    static func bestPath(_ out: String) -> String {
        out.hasSuffix(".safetensors") ? String(out.dropLast(".safetensors".count)) + ".best.safetensors" : out + ".best"
    }

    private func line(_ r: EpochReport, epochs: Int) -> String {
        "epoch \(r.epoch)/\(epochs)  train loss \(fixed(r.trainLoss, 4))\(accuracyText(r.trainAccuracy))  \(r.validationLoss.map { "val loss \(fixed($0, 4))\(accuracyText(r.validationAccuracy))  " } ?? "")test loss \(fixed(r.testLoss, 4))\(accuracyText(r.testAccuracy))  \(Int(r.samplesPerSecond)) samples/s  \(fixed(r.seconds, 2))s"
    }
}
