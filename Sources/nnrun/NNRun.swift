import ArgumentParser
import Foundation
import NNKit

/// `nnrun`: train, evaluate, inspect and use NNKit models from the command line.
@main
struct NNRun: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "nnrun",
        abstract: "Train, evaluate and use NNKit models described in YAML.",
        discussion: """
            Exit codes: 0 success; 64 invalid model file or command-line usage; 1 other failures.
            Checkpoints are safetensors files (readable by Python's safetensors, numpy and PyTorch).
            """,
        version: version,
        subcommands: [Train.self, Evaluate.self, Predict.self, Inspect.self, Layers.self, CheckpointCommand.self, Export.self, Import.self, Convert.self, Plot.self]
    )

    /// Runs the command in the kernels' context: the library reads no environment, so `NNKIT_AVX512=0` (the
    /// portable forms instead of AVX-512) is read here.
    static func main() {
        let environment = ProcessInfo.processInfo.environment
        ComputeContext(usesAVX512: environment["NNKIT_AVX512"] != "0").run { Self.main(nil) }
    }
}
