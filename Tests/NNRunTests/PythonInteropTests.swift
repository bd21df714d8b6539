import Foundation
import NNKit
import Testing

/// Python's `safetensors` and numpy read our files and we read theirs (skipped when they are not installed;
/// `.ci/run` installs them).
@Suite(.serialized, .enabled(if: Python.hasSafetensors, "needs python3 with safetensors and numpy (pip install safetensors numpy)"))
struct PythonInteropTests {
    static func python(_ script: String, arguments: [String] = []) throws -> CommandRunner.Output {
        try Python.run(script, arguments: arguments)
    }
}

/// Runs Python scripts for the interop tests.
enum Python {
    static let hasSafetensors: Bool = (try? run("import safetensors, numpy").status) == 0

    static func run(_ script: String, arguments: [String] = []) throws -> CommandRunner.Output {
        try execute(["/usr/bin/env", "python3", "-c", script] + arguments)
    }

    /// Runs `command` (an interpreter and its arguments) and collects its output.
    static func execute(_ command: [String]) throws -> CommandRunner.Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}

extension PythonInteropTests {

    @Test func pythonReadsOurCheckpointWithIdenticalValues() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ours.safetensors").path
        var generator = SeededGenerator(seed: 3)
        let values = try Tensor.randomNormal([5, 7], generator: &generator).scalars
        try Checkpoint(tensors: ["layer.weight": StoredTensor(shape: [5, 7], values: values), "layer.bias": StoredTensor(shape: [7], values: Array(repeating: -0.5, count: 7))],
                       metadata: ["epoch": "3"]).write(to: path)
        let result = try Self.python("""
            import sys, json
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework="np") as f:
                out = {k: f.get_tensor(k).astype("float64").ravel().tolist() for k in f.keys()}
                shapes = {k: list(f.get_tensor(k).shape) for k in f.keys()}
                print(json.dumps({"values": out, "shapes": shapes, "metadata": f.metadata(), "dtype": str(f.get_tensor("layer.weight").dtype)}))
            """, arguments: [path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let loaded = (object?["values"] as? [String: [Double]])?["layer.weight"]?.map(Float.init)
        #expect(loaded == values)
        #expect((object?["shapes"] as? [String: [Int]])?["layer.bias"] == [7])
        #expect((object?["metadata"] as? [String: String])?["epoch"] == "3")
        #expect(object?["dtype"] as? String == "float32")
    }

    @Test func weReadPythonsFilesInEveryFloatType() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("theirs.safetensors").path
        let result = try Self.python("""
            import sys, numpy as np
            from safetensors.numpy import save_file
            x = np.arange(-6, 6, dtype=np.float64).reshape(3, 4) / 4
            save_file({"f32": x.astype(np.float32), "f16": x.astype(np.float16), "f64": x, "scalar": np.array(2.5, dtype=np.float32)},
                      sys.argv[1], metadata={"source": "python"})
            """, arguments: [path])
        #expect(result.status == 0, "\(result.stderr)")
        let checkpoint = try Checkpoint(contentsOf: path)
        let expected = (-6..<6).map { Float($0) / 4 }
        for name in ["f32", "f16", "f64"] {
            #expect(checkpoint.tensors[name]?.shape == [3, 4])
            #expect(checkpoint.tensors[name]?.values == expected, "\(name)")
        }
        #expect(checkpoint.tensors["f16"]?.storedType == .f16)
        #expect(checkpoint.tensors["scalar"]?.shape == [])
        #expect(checkpoint.metadata["source"] == "python")
    }

    @Test func numpyForwardPassMatchesPredict() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = directory.appendingPathComponent("w.safetensors").path
        let csv = directory.appendingPathComponent("x.csv").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "30", "--out", weights, "--quiet"]).status == 0)
        var generator = SeededGenerator(seed: 8)
        let points = (0..<20).map { _ in "\(Float(generator.nextUnitDouble() * 2 - 1)),\(Float(generator.nextUnitDouble() * 2 - 1))" }
        try points.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let predict = try CommandRunner.run(["predict", "Models/spiral-mlp.yaml", "--weights", weights, "--input", csv, "--top", "3", "--json"])
        #expect(predict.status == 0, "\(predict.stderr)")
        let result = try Self.python("""
            import sys, json, numpy as np
            from safetensors.numpy import load_file
            w = load_file(sys.argv[1])
            x = np.loadtxt(sys.argv[2], delimiter=",", dtype=np.float32, ndmin=2)
            h = 1 / (1 + np.exp(-(x @ w["hidden.weight"] + w["hidden.bias"])))
            s = h @ w["output.weight"] + w["output.bias"]
            e = np.exp(s - s.max(axis=1, keepdims=True))
            print(json.dumps((e / e.sum(axis=1, keepdims=True)).astype(np.float64).tolist()))
            """, arguments: [weights, csv])
        #expect(result.status == 0, "\(result.stderr)")
        let reference = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[Double]] ?? []
        let ours = try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(ours.count == 20 && reference.count == 20)
        var worst = 0.0
        for (row, sample) in zip(reference, ours) {
            for guess in sample["top"] as? [[String: Any]] ?? [] {
                let index = guess["class"] as? Int ?? 0
                worst = max(worst, abs((guess["probability"] as? Double ?? 0) - row[index]))
            }
        }
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
