import Foundation
import NNKit
import NNTestSupport
import Testing

/// The `nnrun` executable, run as a subprocess.
@Suite(.serialized) struct CommandLineTests {
    @Test func malformedModelFilesExitWith64AndTheirPosition() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for example in MalformedModelCase.all + MalformedModelCase.graph {
            let path = directory.appendingPathComponent("bad.yaml").path
            try Data(example.yaml.utf8).write(to: URL(fileURLWithPath: path))
            let result = try CommandRunner.run(["inspect", path])
            #expect(result.status == 64, "\(example.name): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains(path + ":" + example.location), "\(example.name): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(example.name)")
        }
    }

    @Test func inspectPrintsTheLayerTable() throws {
        let result = try CommandRunner.run(["inspect", "Models/fashion-mlp.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("hidden1 (Linear)    [256]         200960"))
        #expect(result.stdout.contains("total parameters: 235146"))
        let json = try CommandRunner.run(["inspect", "Models/fashion-mlp.yaml", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["total_parameters"] as? Int == 235146)
        #expect(object?["parameter_bytes"] as? Int == 235146 * 4)
    }

    @Test func inspectShowsTheGraphAsATableJSONAndDrawings() throws {
        let table = try CommandRunner.run(["inspect", "Models/resnet-fashion.yaml"])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("block2.add (Add)") && table.stdout.contains("block2.bn_shortcut, block2.bn2"))
        let json = try CommandRunner.run(["inspect", "Models/spiral-branches.yaml", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let edges = (object?["edges"] as? [[String: String]]) ?? []
        #expect(edges.contains(["from": "wide", "to": "gated"]) && edges.contains(["from": "gate", "to": "gated"]), "\(edges)")
        let layers = (object?["layers"] as? [[String: Any]]) ?? []
        #expect(layers.first { $0["name"] as? String == "joined" }?["inputs"] as? [String] == ["smooth", "gated"])
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dot = directory.appendingPathComponent("g.dot").path, svg = directory.appendingPathComponent("g.svg").path
        let drawn = try CommandRunner.run(["inspect", "Models/spiral-branches.yaml", "--dot", dot, "--svg", svg])
        #expect(drawn.status == 0 && drawn.stdout.isEmpty, "\(drawn.stderr)")
        #expect(try String(contentsOfFile: dot, encoding: .utf8).contains(#""smooth" -> "joined";"#))
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("<svg"))
    }

    /// A data set that the model file names but that does not exist or fit is the file's mistake: exit 64 at its line.
    @Test func dataThatDoesNotFitTheModelFileExitsWith64AtItsLine() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.yaml").path
        func run(_ yaml: String, _ extra: [String] = []) throws -> CommandRunner.Output {
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
            return try CommandRunner.run(["train", path, "--epochs", "1"] + extra)
        }
        let shape = try run("input: [3]\ndata: spiral\nlayers:\n  - {type: Linear, units: 3}\n")
        #expect(shape.status == 64 && shape.stderr.contains(path + ":1:8: error: the training samples have shape [2]"), "\(shape.stderr)")
        let classes = try run("input: [2]\ndata: spiral\nlayers:\n  - {type: Linear, units: 8}\n  - {type: Linear, units: 2}\n")
        #expect(classes.status == 64 && classes.stderr.contains(path + ":5:5: error: the data has 3 classes"), "\(classes.stderr)")
        let unknown = try run("input: [2]\ndata: spirals\nlayers:\n  - {type: Linear, units: 3}\n")
        #expect(unknown.status == 64 && unknown.stderr.contains(path + ":2:7: error:") && unknown.stderr.contains("spirals"), "\(unknown.stderr)")
        let fromOption = try run("input: [2]\nlayers:\n  - {type: Linear, units: 3}\n", ["--data", "nowhere-set"])
        #expect(fromOption.status == 64 && fromOption.stderr.contains("--data"), "\(fromOption.stderr)")
    }

    @Test func layersListsTypesAndOptions() throws {
        let result = try CommandRunner.run(["layers"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Linear (also Affine, Dense)"))
        #expect(result.stdout.contains("units: int, required"))
    }

    @Test func usageErrorsExitWith64() throws {
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "0"]).status == 64)
        let negativeSeed = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--seed", "-1"])
        #expect(negativeSeed.status == 64 && negativeSeed.stderr.contains("The value '-1' is invalid for '--seed"), "\(negativeSeed.stderr)")
        #expect(try CommandRunner.run(["train"]).status == 64)
        #expect(try CommandRunner.run(["frobnicate"]).status == 64)
    }

    @Test func missingDataSetExplainsHowToInstallIt() throws {
        let result = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--data", "/nonexistent-dir/x.csv"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("x.csv"))
    }

    @Test func trainWritesMetricsAndCheckpointThenEvalAndPredict() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("w.safetensors").path
        let metrics = directory.appendingPathComponent("m.jsonl").path
        let result = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "40", "--out", weights, "--metrics", metrics])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("epoch ") }.count == 40)
        let lines = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 40)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        let required: Set = ["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "samples_per_second", "seconds"]
        let keys = Set(first.map { Array($0.keys) } ?? [])
        let optional: Set = ["learning_rate", "validation_loss", "validation_accuracy"]
        #expect(required.isSubset(of: keys))
        #expect(keys.subtracting(required).isSubset(of: optional))
        // The learning rate is written as the Float the optimiser uses (1.0 from the file), not its Double expansion.
        #expect(lines[0].contains("\"learning_rate\":1,") || lines[0].contains("\"learning_rate\":1.0,"), "\(lines[0])")

        let eval = try CommandRunner.run(["eval", "Models/spiral-mlp.yaml", "--weights", weights, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let evaluation = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
        let lastTest = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any]
        #expect(evaluation?["accuracy"] as? Double == lastTest?["test_accuracy"] as? Double)
        // The confusion matrix: rows sum to the samples of each class, the diagonal to the correct ones.
        let confused = try CommandRunner.run(["eval", "Models/spiral-mlp.yaml", "--weights", weights, "--json", "--confusion"])
        let object = try JSONSerialization.jsonObject(with: Data(confused.stdout.utf8)) as? [String: Any]
        let matrix = (object?["confusion"] as? [[Int]]) ?? []
        #expect(matrix.count == 3 && matrix.allSatisfy { $0.reduce(0, +) == 100 }, "\(confused.stdout)")
        let diagonal = matrix.indices.reduce(0) { $0 + matrix[$1][$1] }
        #expect(abs(Double(diagonal) / 300 - ((object?["accuracy"] as? Double) ?? -1)) < 1e-9)
        let table = try CommandRunner.run(["eval", "Models/spiral-mlp.yaml", "--weights", weights, "--confusion"])
        #expect(table.stdout.contains("true \\ predicted"))

        let csv = directory.appendingPathComponent("points.csv").path
        try "x,y\n0.1,0.2\n-0.5,0.3\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let predict = try CommandRunner.run(["predict", "Models/spiral-mlp.yaml", "--weights", weights, "--input", csv, "--top", "3", "--json"])
        #expect(predict.status == 0, "\(predict.stderr)")
        let rows = try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.count == 2)
        let top = rows?.first?["top"] as? [[String: Any]]
        #expect(top?.count == 3)
        let total = top?.compactMap { $0["probability"] as? Double }.reduce(0, +) ?? 0
        #expect(abs(total - 1) < 1e-4)

        let wrongWeights = try CommandRunner.run(["eval", "Models/fashion-mlp.yaml", "--weights", weights])
        #expect(wrongWeights.status == 1)
        #expect(wrongWeights.stderr.contains("missing from the file: hidden1.weight"))
    }

    @Test func resumingGivesBitIdenticalWeights() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = directory.appendingPathComponent("full.safetensors").path
        let half = directory.appendingPathComponent("half.safetensors").path
        let resumed = directory.appendingPathComponent("resumed.safetensors").path
        let model = directory.appendingPathComponent("adam.yaml").path
        try """
            input: [2]
            data: spiral
            layers: [{Linear: {units: 20}}, Tanh, {Linear: {units: 3}}]
            optimizer: {type: Adam, lr: 0.01}
            train: {epochs: 12, batch_size: 32, seed: 5}
            """.write(toFile: model, atomically: true, encoding: .utf8)
        #expect(try CommandRunner.run(["train", model, "--out", full, "--quiet"]).status == 0)
        #expect(try CommandRunner.run(["train", model, "--epochs", "5", "--out", half, "--quiet"]).status == 0)
        let resume = try CommandRunner.run(["train", model, "--resume", half, "--out", resumed])
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stdout.contains("resumed from"))
        #expect(resume.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("epoch ") }.count == 7)
        let a = try Checkpoint(contentsOf: full), b = try Checkpoint(contentsOf: resumed)
        #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted())
        for (name, tensor) in a.tensors {
            #expect(tensor.values.map(\.bitPattern) == b.tensors[name]?.values.map(\.bitPattern), "\(name)")
        }
        #expect(a.metadata["step"] == b.metadata["step"])
        #expect(a.metadata["epoch"] == "12")

        let partial = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--init-from", half, "--epochs", "1"])
        #expect(partial.status == 0)
        #expect(partial.stderr.contains("not in the file (kept initial values): hidden.weight"))
    }

    @Test func nonFiniteLossStopsWithAMessage() throws {
        let result = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--lr", "1e30", "--epochs", "3"])
        if result.status != 0 {
            #expect(result.status == 1)
            #expect(result.stderr.contains("the loss became"))
        }
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("relu.yaml").path
        try "input: [2]\ndata: spiral\nlayers: [{Linear: {units: 30}}, ReLU, {Linear: {units: 3}}]\noptimizer: {type: SGD, lr: 1e30}\n"
            .write(toFile: model, atomically: true, encoding: .utf8)
        let exploding = try CommandRunner.run(["train", model, "--epochs", "5"])
        #expect(exploding.status == 1)
        #expect(exploding.stderr.contains("the loss became"))
        // A diverged run leaves a good checkpoint at --out as it was.
        let weights = directory.appendingPathComponent("good.safetensors").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "2", "--out", weights, "--quiet"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: weights))
        let diverged = try CommandRunner.run(["train", model, "--epochs", "5", "--out", weights])
        #expect(diverged.status == 1 && diverged.stderr.contains("was not overwritten"), "\(diverged.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: weights)) == before)
    }

    /// NaN weights give NaN probabilities and loss: the JSON stays JSON, with null for them.
    @Test func nonFiniteResultsArePrintedAsJSONNull() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("w.safetensors").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "1", "--out", weights, "--quiet"]).status == 0)
        var checkpoint = try Checkpoint(contentsOf: weights)
        let bias = checkpoint.tensors["output.bias"]!
        checkpoint.tensors["output.bias"] = StoredTensor(shape: bias.shape, values: bias.values.map { _ in Float.nan })
        try checkpoint.write(to: weights)
        let samples = directory.appendingPathComponent("x.csv").path
        try "0.1,0.2\n".write(toFile: samples, atomically: true, encoding: .utf8)
        let predict = try CommandRunner.run(["predict", "Models/spiral-mlp.yaml", "--weights", weights, "--input", samples, "--json"])
        #expect(predict.status == 0 && predict.stdout.contains("null"), "\(predict.stdout) \(predict.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(predict.stdout.utf8))) != nil, "\(predict.stdout)")
        let eval = try CommandRunner.run(["eval", "Models/spiral-mlp.yaml", "--weights", weights, "--json"])
        #expect(eval.stdout.contains("\"loss\":null") && (try? JSONSerialization.jsonObject(with: Data(eval.stdout.utf8))) != nil, "\(eval.stdout)")
    }

    /// Under `ulimit -v` the budget shrinks to fit: a model too large for it is an error at its line, not an abort.
    @Test func aModelTooLargeForTheAddressSpaceIsRefused() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("big.yaml").path
        try "input: [1000000]\nlayers:\n  - {type: Linear, units: 1000}\n".write(toFile: path, atomically: true, encoding: .utf8)
        for command in ["inspect", "train"] {
            let result = try CommandRunner.run(["-c", "ulimit -v 4000000; exec \"$0\" \(command) \"$1\"", CommandRunner.executable.path, path],
                                               executable: "/bin/bash")
            #expect(result.status == 64 && result.stderr.contains(path + ":3:27:") && result.stderr.contains("memory budget"), "\(result.stderr)")
        }
    }

    /// The best epoch is kept only when a validation split chooses it; --log-every thins the epoch lines.
    @Test func theBestCheckpointNeedsAValidationSplit() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("w.safetensors").path, best = directory.appendingPathComponent("w.best.safetensors").path
        let plain = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "30", "--log-every", "10", "--out", out])
        #expect(plain.status == 0 && plain.stderr.contains("no validation split"), "\(plain.stderr)")
        #expect(plain.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.map { $0.prefix(9) } == ["epoch 10/", "epoch 20/", "epoch 30/"])
        #expect(!FileManager.default.fileExists(atPath: best))
        let held = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "3", "--validation-split", "0.2", "--out", out, "--quiet"])
        #expect(held.status == 0 && FileManager.default.fileExists(atPath: best), "\(held.stderr)")
    }

    /// A model file's relative `data:` path is found next to the model file, from any working directory.
    @Test func relativeDataPathsAreTakenFromTheModelFile() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "0,0.1,0.2\n1,0.5,0.1\n0,0.2,0.3\n1,0.9,0.8\n0,0.1,0.1\n".write(to: directory.appendingPathComponent("points.csv"), atomically: true, encoding: .utf8)
        let model = directory.appendingPathComponent("m.yaml").path
        try "input: [2]\ndata: points.csv\nlayers: [{type: Linear, units: 2}]\ntrain: {epochs: 1, batch_size: 2}\n".write(toFile: model, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["train", model, "--quiet"])
        #expect(result.status == 0 && result.stdout.contains("final: test accuracy"), "\(result.stderr)")
    }

    /// With MeanSquaredError a CSV's leading columns are regression targets: train, eval and predict show losses
    /// and values, no accuracy or classes.
    @Test func regressionTargetsFromCSVThroughTrainEvalAndPredict() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = (0..<50).map { i in let x = Double(i) / 25 - 1; return "\(3 * x - 1),\(x)" }
        try (["y,x"] + rows).joined(separator: "\n").write(to: directory.appendingPathComponent("line.csv"), atomically: true, encoding: .utf8)
        let model = directory.appendingPathComponent("m.yaml").path
        try "input: [1]\ndata: line.csv\nlayers: [{type: Linear, units: 1}]\nloss: MeanSquaredError\noptimizer: {type: SGD, lr: 0.2}\ntrain: {epochs: 80, batch_size: 10}\n"
            .write(toFile: model, atomically: true, encoding: .utf8)
        let weights = directory.appendingPathComponent("w.safetensors").path
        let metrics = directory.appendingPathComponent("m.jsonl").path
        let train = try CommandRunner.run(["train", model, "--out", weights, "--metrics", metrics])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("final: test loss") && !train.stdout.contains("acc"), "\(train.stdout.suffix(400))")
        let last = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.contains("\"test_loss\"") && !last.contains("accuracy"), "\(last)")
        let eval = try CommandRunner.run(["eval", model, "--weights", weights, "--json", "--confusion"])
        let object = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any]
        #expect(eval.status == 0 && object?["accuracy"] == nil && object?["confusion"] == nil && ((object?["loss"] as? Double) ?? 1) < 1e-3, "\(eval.stdout) \(eval.stderr)")
        let input = directory.appendingPathComponent("x.csv").path
        try "x\n0.5\n-1\n".write(toFile: input, atomically: true, encoding: .utf8)
        let predict = try CommandRunner.run(["predict", model, "--weights", weights, "--input", input, "--json"])
        let answers = try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]]
        let values = answers?.compactMap { ($0["values"] as? [Double])?.first } ?? []
        #expect(values.count == 2 && abs(values[0] - 0.5) < 0.05 && abs(values[1] + 4) < 0.05, "\(predict.stdout) \(predict.stderr)")
        // Rows that carry their target first are read as such.
        try "1,0.5\n".write(toFile: input, atomically: true, encoding: .utf8)
        let labelled = try CommandRunner.run(["predict", model, "--weights", weights, "--input", input])
        #expect(labelled.status == 0 && labelled.stdout.hasPrefix("0: 0.5"), "\(labelled.stdout) \(labelled.stderr)")
    }

    /// Predict reads an IDX input in batches and answers for every sample, in order.
    @Test func predictAnswersForEverySampleOfALargeInput() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("w.safetensors").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "1", "--out", weights, "--quiet"]).status == 0)
        let count = 2500
        var bytes: [UInt8] = [0, 0, 8, 2, 0, 0, UInt8(count >> 8), UInt8(count & 0xFF), 0, 0, 0, 2]
        bytes += (0..<(2 * count)).map { UInt8($0 % 251) }
        let input = directory.appendingPathComponent("x.idx").path
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        let result = try CommandRunner.run(["predict", "Models/spiral-mlp.yaml", "--weights", weights, "--input", input])
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 0 && lines.count == count, "\(result.stderr)")
        #expect(lines.last?.hasPrefix("\(count - 1): class ") == true)
        // With `classes:` in the model file, predictions carry the names.
        let named = directory.appendingPathComponent("named.yaml").path
        try (try String(contentsOfFile: "Models/spiral-mlp.yaml", encoding: .utf8)).replacingOccurrences(of: "data: spiral\n", with: "data: spiral\nclasses: [red, green, blue]\n")
            .write(toFile: named, atomically: true, encoding: .utf8)
        let withNames = try CommandRunner.run(["predict", named, "--weights", weights, "--input", input, "--json"])
        #expect(withNames.status == 0 && withNames.stdout.contains("\"name\":\"") , "\(withNames.stderr)")
    }

    /// Outputs are checked before training: a device, a directory, a missing directory or an empty name is refused.
    @Test func outputPathsThatCannotBeWrittenAreRefusedBeforeTraining() throws {
        for path in ["/dev/null", "/tmp", "/nonexistent-directory/w.safetensors", ""] {
            let result = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--out", path])
            #expect(result.status == 64 && result.stdout.isEmpty, "\(path): \(result.status) \(result.stderr)")
        }
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    /// SIGTERM and SIGHUP save like Ctrl-C, exit with 128 + the signal, and leave no temporary files.
    @Test(arguments: [SIGTERM, SIGHUP])
    func terminationSignalsSaveLikeAnInterrupt(signal: Int32) throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("w.safetensors").path
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent(".w.safetensors.tmp-abcdef"))
        let result = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "1000000", "--out", weights, "--quiet"],
                                           interruptAfter: 1.5, signal: signal)
        #expect(result.status == 128 + signal, "\(result.stderr)")
        #expect(try Checkpoint(contentsOf: weights).tensors["hidden.weight"]?.shape == [2, 30])
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!left.contains { $0.hasPrefix(".") }, "\(left)")
    }

    @Test func interruptStopsAfterTheBatchAndSaves() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("w.safetensors").path
        let result = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "1000000", "--out", weights, "--quiet"], interruptAfter: 1.5)
        #expect(result.status == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted"))
        let saved = try Checkpoint(contentsOf: weights)
        #expect(saved.tensors["hidden.weight"]?.shape == [2, 30])
        // The final line counts the complete epochs the checkpoint records, and says when a part of the next one
        // is in the weights.
        let final = result.stdout.split(separator: "\n").first { $0.hasPrefix("final:") }.map(String.init) ?? ""
        let epochs = final.components(separatedBy: " after ").last?.split(separator: " ").first.map(String.init)
        #expect(epochs != nil && epochs == saved.metadata["epoch"], "\(final)")
        #expect(final.contains("and part of epoch") || final.hasSuffix("epochs") || final.hasSuffix("epoch"), "\(final)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTDirectory)))
    func fashionMLPReachesEightySevenPercentInFiveEpochs() throws {
        let result = try CommandRunner.run(["train", "Models/fashion-mlp.yaml", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let final = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let accuracy = final.split(separator: " ").dropFirst(3).first.flatMap { Double($0.trimmingCharacters(in: .punctuationCharacters)) } ?? 0
        #expect(accuracy >= 0.87, "\(final)")
    }
}

/// Resuming a run with BatchNorm, Dropout, a schedule and warm-up gives bit-identical weights and statistics.
@Suite struct ResumeWithStateTests {
    @Test func resumeWithScheduleBatchNormAndDropoutIsBitIdentical() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("bn.yaml").path
        try """
            input: [2]
            data: spiral
            layers:
              - {type: Linear, name: fc, units: 24}
              - {type: BatchNorm, name: bn}
              - ReLU
              - {type: Dropout, name: drop, rate: 0.2}
              - {type: Linear, name: out, units: 3}
            optimizer: {type: Adam, lr: 0.02}
            train: {epochs: 8, batch_size: 32, seed: 3, warmup_epochs: 1, schedule: {type: step, step_size: 3, gamma: 0.5}}
            """.write(toFile: model, atomically: true, encoding: .utf8)
        let paths = ["full", "half", "resumed"].map { directory.appendingPathComponent($0 + ".safetensors").path }
        let (full, half, resumed) = (paths[0], paths[1], paths[2])
        #expect(try CommandRunner.run(["train", model, "--out", full, "--quiet"]).status == 0)
        #expect(try CommandRunner.run(["train", model, "--epochs", "4", "--out", half, "--quiet"]).status == 0)
        let resume = try CommandRunner.run(["train", model, "--resume", half, "--out", resumed, "--quiet"])
        #expect(resume.status == 0, "\(resume.stderr)")
        let a = try Checkpoint(contentsOf: full), b = try Checkpoint(contentsOf: resumed)
        #expect(a.tensors["bn.running_mean"] != nil && a.tensors["drop.calls"] != nil)
        #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted())
        for (name, tensor) in a.tensors {
            #expect(tensor.values.map(\.bitPattern) == b.tensors[name]?.values.map(\.bitPattern), "\(name)")
        }
    }

    /// Resuming a checkpoint that has all its epochs says there is nothing to train; `--init-from` a checkpoint
    /// that matches no tensor says that training starts from the initial weights.
    @Test func resumePastTheTargetAndInitFromNothingSaySo() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let done = directory.appendingPathComponent("done.safetensors").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "2", "--out", done, "--quiet"]).status == 0)
        let resumed = try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "2", "--resume", done])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("has already trained 2 epochs of 2, so there is nothing to train"), "\(resumed.stderr)")
        let other = directory.appendingPathComponent("other.yaml").path
        try "input: [2]\ndata: spiral\nlayers: [{type: Linear, name: first, units: 8}, ReLU, {type: Linear, name: last, units: 3}]\n"
            .write(toFile: other, atomically: true, encoding: .utf8)
        let unrelated = try CommandRunner.run(["train", other, "--init-from", done, "--epochs", "1"])
        #expect(unrelated.status == 0, "\(unrelated.stderr)")
        #expect(unrelated.stderr.contains("warning: --init-from \(done) matches no tensor of the model"), "\(unrelated.stderr)")
    }

    /// `nnrun plot` draws a metrics file: a loss and an accuracy chart with a line per data set; a line that is
    /// not a metrics object is reported with its number.
    @Test func plotDrawsTheTrainingCurve() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let metrics = directory.appendingPathComponent("run.jsonl").path, svg = directory.appendingPathComponent("curve.svg").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "4", "--validation-split", "0.2", "--metrics", metrics, "--quiet"]).status == 0)
        let plot = try CommandRunner.run(["plot", metrics, "-o", svg])
        #expect(plot.status == 0, "\(plot.stderr)")
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(text.hasPrefix("<svg"))
        #expect(text.components(separatedBy: "<polyline").count - 1 == 6, "train, validation and test, for loss and accuracy")
        #expect(text.contains(">loss<") && text.contains(">accuracy<") && text.contains(">validation<"))
        try "{\"epoch\":1,\"test_loss\":0.5}\nnot json\n".write(toFile: metrics, atomically: true, encoding: .utf8)
        let bad = try CommandRunner.run(["plot", metrics, "-o", svg])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 2 is not a metrics line"), "\(bad.stderr)")
    }

    /// The checkpoint keeps the training inputs' range, and `predict` warns about an input outside it.
    @Test func predictWarnsAboutInputsOutsideTheTrainingRange() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("spiral.safetensors").path
        let inside = directory.appendingPathComponent("inside.csv").path, outside = directory.appendingPathComponent("outside.csv").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "2", "--out", weights, "--quiet"]).status == 0)
        #expect(try Checkpoint(contentsOf: weights).metadata["input_range"]?.hasPrefix("[-0.") == true)
        try "0.1,0.2\n-0.5,0.3\n".write(toFile: inside, atomically: true, encoding: .utf8)
        try "0.1,0.2\n50,-30\n".write(toFile: outside, atomically: true, encoding: .utf8)
        let quiet = try CommandRunner.run(["predict", "Models/spiral-mlp.yaml", "--weights", weights, "--input", inside])
        #expect(quiet.status == 0 && !quiet.stderr.contains("warning"), "\(quiet.stderr)")
        let warned = try CommandRunner.run(["predict", "Models/spiral-mlp.yaml", "--weights", weights, "--input", outside])
        #expect(warned.status == 0)
        #expect(warned.stderr.contains("the input's values lie in [-30.0, 50.0], but"), "\(warned.stderr)")
    }
}
