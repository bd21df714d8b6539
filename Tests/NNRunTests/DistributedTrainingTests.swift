import Foundation
import NNKit
import Testing

/// `mpirun -np N nnrun train` with an `nnrun` built with the MPI trait (`swift build --traits MPI --scratch-path
/// .build-mpi`, which `.ci/run` does) and Open MPI's `mpirun` (Debian: openmpi-bin, libopenmpi-dev).
@Suite(.serialized, .enabled(if: MPIRun.available, "needs mpirun and an nnrun built with `swift build --traits MPI --scratch-path .build-mpi`"))
struct DistributedTrainingTests {
    /// Two ranks train what one process trains: equal within the rounding of the changed summation order, and
    /// two 2-rank runs (and a 3-rank run of a batch that 3 does not divide) agree with themselves bit for bit.
    @Test(arguments: [("spiral-mlp", ["--batch-size", "30"]), ("fashion-mlp", ["--epochs", "1"])])
    func ranksTrainWhatOneProcessTrains(_ model: String, _ options: [String]) throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        let arguments = ["train", "Models/\(model).yaml", "--threads", "1", "--quiet"] + options
        let one = try CommandRunner.run(arguments + ["--out", file("one.safetensors")], executable: MPIRun.nnrun)
        #expect(one.status == 0, "\(one.stderr)")
        for (name, ranks) in [("two-a", 2), ("two-b", 2), ("three", 3)] {
            let run = try MPIRun.run(ranks: ranks, arguments + ["--out", file("\(name).safetensors")])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let reference = try MPIRun.parameters(file("one.safetensors"))
        let twoA = try MPIRun.parameters(file("two-a.safetensors")), twoB = try MPIRun.parameters(file("two-b.safetensors"))
        let three = try MPIRun.parameters(file("three.safetensors"))
        #expect(twoA == twoB, "two 2-rank runs differ")
        let difference = MPIRun.largestDifference(reference, twoA), differenceThree = MPIRun.largestDifference(reference, three)
        print("distributed \(model): max |1 process - 2 ranks| = \(difference), |1 process - 3 ranks| = \(differenceThree)")
        #expect(difference <= 1e-4 && differenceThree <= 1e-4)
        #expect(difference > 0 || differenceThree > 0 || model == "spiral-mlp", "suspiciously identical: are the ranks really splitting the batch?")
    }

    /// With `--sync-batch-norm`, BatchNorm sees the global batch's statistics: 2 and 3 ranks train what one process
    /// trains. Without it each rank normalises its own share, which trains a visibly different model.
    @Test func synchronisedBatchNormMatchesOneProcess() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        try "input: [2]\ndata: spiral\nlayers: [{Linear: {units: 16}}, BatchNorm, ReLU, {Linear: {units: 3}}]\noptimizer: {type: SGD, lr: 0.1}\ntrain: {epochs: 20, batch_size: 30}\n"
            .write(toFile: file("bn.yaml"), atomically: true, encoding: .utf8)
        let arguments = ["train", file("bn.yaml"), "--threads", "1", "--quiet"]
        #expect(try CommandRunner.run(arguments + ["--out", file("one.safetensors")], executable: MPIRun.nnrun).status == 0)
        for (name, ranks, sync) in [("two", 2, true), ("three", 3, true), ("local", 2, false)] {
            let run = try MPIRun.run(ranks: ranks, arguments + ["--out", file("\(name).safetensors")] + (sync ? ["--sync-batch-norm"] : []))
            #expect(run.status == 0, "\(run.stderr)")
        }
        let one = try MPIRun.parameters(file("one.safetensors"))
        let two = MPIRun.largestDifference(one, try MPIRun.parameters(file("two.safetensors")))
        let three = MPIRun.largestDifference(one, try MPIRun.parameters(file("three.safetensors")))
        let local = MPIRun.largestDifference(one, try MPIRun.parameters(file("local.safetensors")))
        print("distributed BatchNorm: max |1 process - synchronised 2 ranks| = \(two), 3 ranks = \(three); per-rank statistics: \(local)")
        #expect(two <= 1e-4 && three <= 1e-4)
        #expect(local > 1e-3)
    }

    /// Two epochs, then a resumed third on two ranks (rank 0 reads the checkpoint and broadcasts it) give the bits
    /// of three uninterrupted epochs.
    @Test func resumeOnTwoRanksContinuesExactly() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        let arguments = ["train", "Models/spiral-mlp.yaml", "--threads", "1", "--quiet", "--batch-size", "30"]
        #expect(try MPIRun.run(ranks: 2, arguments + ["--epochs", "3", "--out", file("straight.safetensors")]).status == 0)
        #expect(try MPIRun.run(ranks: 2, arguments + ["--epochs", "2", "--out", file("first.safetensors")]).status == 0)
        let resumed = try MPIRun.run(ranks: 2, arguments + ["--epochs", "3", "--resume", file("first.safetensors"), "--out", file("resumed.safetensors")])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try MPIRun.parameters(file("resumed.safetensors")) == MPIRun.parameters(file("straight.safetensors")))
    }

    /// A rank killed mid-epoch ends the whole job within seconds with a non-zero exit, and the checkpoint saved
    /// before still verifies.
    @Test func aKilledRankEndsTheJobAndTheLastCheckpointVerifies() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("run.safetensors").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: MPIRun.mpirun)
        process.arguments = MPIRun.flags(ranks: 2) + [MPIRun.nnrun, "train", "Models/fashion-mlp.yaml", "--threads", "1", "--epochs", "50",
                                                       "--save-every", "1", "--out", out, "--quiet"]
        process.currentDirectoryURL = CommandRunner.repository
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: out), Date() < deadline, process.isRunning { Thread.sleep(forTimeInterval: 0.2) }
        #expect(FileManager.default.fileExists(atPath: out), "no checkpoint was saved")
        Thread.sleep(forTimeInterval: 0.5)
        let rank1 = try #require(MPIRun.processID(ofRank: 1, command: out), "rank 1 not found")
        let killed = Date()
        kill(rank1, SIGKILL)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(killed)
        print("distributed: the job ended \(seconds) s after rank 1 was killed, exit \(process.terminationStatus)")
        #expect(seconds < 15)
        #expect(process.terminationStatus != 0)
        #expect(String(decoding: stderr, as: UTF8.self).contains("signal 9") || String(decoding: stderr, as: UTF8.self).contains("Killed"),
                "\(String(decoding: stderr, as: UTF8.self))")
        let verify = try CommandRunner.run(["checkpoint", out, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// Ctrl-C to mpirun (which sends SIGTERM to every rank and tears the job down) ends every rank within seconds,
    /// without a crash, and rank 0 saves `--out` once with the weights of the last update. mpirun starts through a Python shim that gives it default signal handling: the test
    /// runner's ignored and blocked signals would otherwise be inherited.
    @Test func interruptingMPIRunStopsTogetherAndSaves() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("run.safetensors").path, metrics = directory.appendingPathComponent("run.jsonl").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import os, signal, sys
            signal.pthread_sigmask(signal.SIG_UNBLOCK, set(range(1, signal.NSIG)) - {signal.SIGKILL, signal.SIGSTOP})
            for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(number, signal.SIG_DFL)
            os.execv(sys.argv[1], sys.argv[1:])
            """, MPIRun.mpirun] + MPIRun.flags(ranks: 2) + [MPIRun.nnrun, "train", "Models/fashion-mlp.yaml", "--threads", "1", "--epochs", "4",
                                                          "--out", out, "--metrics", metrics]
        process.currentDirectoryURL = CommandRunner.repository
        let err = Pipe(), output = Pipe()
        process.standardError = err
        process.standardOutput = output
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: metrics), Date() < deadline, process.isRunning { Thread.sleep(forTimeInterval: 0.2) }
        Thread.sleep(forTimeInterval: 1)
        let interrupted = Date()
        kill(process.processIdentifier, SIGINT)
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(interrupted) < 15)
        #expect(process.terminationStatus != 0)
        #expect(stderr.contains("saving the weights of the last update"), "\(stderr)")
        #expect(!stderr.contains("crashed") && !stderr.contains("Segmentation"), "\(stderr)")
        #expect(stdout.components(separatedBy: "saved \(out)").count == 2, "\(stdout)")
        let verify = try CommandRunner.run(["checkpoint", out, "--verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    /// A loss that becomes NaN stops every rank at the same step with one message and exit 1, and `--out` keeps
    /// what was there.
    @Test func aDivergingLossStopsEveryRank() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("run.safetensors").path
        let model = directory.appendingPathComponent("relu.yaml").path
        try "input: [2]\ndata: spiral\nlayers: [{Linear: {units: 30}}, ReLU, {Linear: {units: 3}}]\noptimizer: {type: SGD, lr: 1e30}\n"
            .write(toFile: model, atomically: true, encoding: .utf8)
        let start = Date()
        let run = try MPIRun.run(ranks: 2, ["train", model, "--threads", "1", "--epochs", "5", "--out", out, "--quiet"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(run.stderr.components(separatedBy: "the loss became").count == 2, "one message expected: \(run.stderr)")
        #expect(!run.stderr.contains("MPI_ABORT"), "a collective stop should not abort: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A failure on rank 0 alone (its `--out` cannot be written) ends rank 1 too, which would otherwise wait for
    /// rank 0 in the first broadcast.
    @Test func aFailureOnOneRankEndsTheJob() throws {
        let start = Date()
        let run = try MPIRun.run(ranks: 2, ["train", "Models/spiral-mlp.yaml", "--quiet", "--out", "/nonexistent-directory/run.safetensors"])
        #expect(Date().timeIntervalSince(start) < 30)
        #expect(run.status != 0)
        #expect(run.stderr.contains("nonexistent-directory"), "\(run.stderr)")
    }

    /// The default build refuses to run under mpirun instead of training N independent copies.
    @Test func aBuildWithoutMPISaysSoUnderMPIRun() throws {
        let run = try MPIRun.run(ranks: 2, ["train", "Models/spiral-mlp.yaml", "--quiet"], executable: CommandRunner.executable.path)
        #expect(run.status != 0)
        #expect(run.stderr.contains("built without MPI"), "\(run.stderr)")
    }
}

/// Launching `mpirun` for the tests.
enum MPIRun {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "mpirun"
    /// The MPI build of nnrun: `NNKIT_MPI_NNRUN`, else `.build-mpi/{debug,release}/nnrun`.
    static let nnrun: String = {
        if let path = ProcessInfo.processInfo.environment["NNKIT_MPI_NNRUN"] { return path }
        let candidates = ["debug", "release"].map { CommandRunner.repository.appendingPathComponent(".build-mpi/\($0)/nnrun").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()
    static let available = FileManager.default.isExecutableFile(atPath: mpirun) && FileManager.default.isExecutableFile(atPath: nnrun)

    static func flags(ranks: Int) -> [String] {
        ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none"] + (getuid() == 0 ? ["--allow-run-as-root"] : [])
    }

    static func run(ranks: Int, _ arguments: [String], executable: String = nnrun) throws -> CommandRunner.Output {
        try CommandRunner.run(flags(ranks: ranks) + [executable] + arguments, executable: mpirun)
    }

    /// The parameters of a checkpoint (no optimizer state or metadata).
    static func parameters(_ path: String) throws -> [String: StoredTensor] {
        try Checkpoint(contentsOf: path).tensors.filter { !$0.key.hasPrefix("optimizer.") }
    }

    static func largestDifference(_ a: [String: StoredTensor], _ b: [String: StoredTensor]) -> Float {
        a.reduce(0) { largest, entry in
            guard let other = b[entry.key], other.values.count == entry.value.values.count else { return .infinity }
            return zip(entry.value.values, other.values).reduce(largest) { max($0, abs($1.0 - $1.1)) }
        }
    }

    /// The process of rank `rank` among the nnrun processes whose command line mentions `command`.
    static func processID(ofRank rank: Int, command: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(command),
                  let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let variables = String(decoding: environ, as: UTF8.self).split(separator: "\0")
            if variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
