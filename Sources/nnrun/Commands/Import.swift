import ArgumentParser
import Foundation
import NNKit

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn an ONNX file (from PyTorch's torch.onnx.export or `nnrun export`) into a model file and its weights.",
        discussion: """
            Every node must map onto an NNKit layer; otherwise nothing is written and the error lists each node that \
            does not, with its name. The model file gets the graph's input shape; add `data:`, `loss:` and `train:` \
            to train it further.
            """)

    @Argument(help: "The ONNX file.") var onnx: String
    @Option(help: ArgumentHelp("The model file (YAML) to write.", valueName: "file")) var out: String
    @Option(help: ArgumentHelp("The weights (safetensors) to write.", valueName: "file")) var weights: String
    @Option(help: "The model's name (default: the ONNX graph's name).") var name: String?
    @Flag(help: "Print what was folded or transposed on the way.") var verbose = false

    func validate() throws {
        if out.isEmpty || weights.isEmpty { throw ValidationError("--out and --weights need file names") }
        if out == weights { throw ValidationError("--out and --weights must be different files") }
    }

    func run() throws {
        try failing("checking --out") { try AtomicFile.checkReplaceable(out) }
        try failing("checking --weights") { try AtomicFile.checkReplaceable(weights) }
        let imported: ONNXImport
        do { imported = try ONNXImport(contentsOf: onnx, name: name) } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let model = try failing("building the imported model") { try imported.model() }
        try failing("writing \(weights)") { try model.save(to: weights) }
        try failing("writing \(out)") { try AtomicFile.write(Array(imported.spec.yamlText.utf8), to: out) }
        if verbose { for note in imported.notes { print("note: " + note) } }
        if imported.spec.layers.last?.type == "Softmax" {
            printError("note: the model ends in Softmax; to train it further, remove that layer (SoftmaxWithLoss applies softmax itself)")
        }
        print("wrote \(out) (\(model.network.layers.count) layers, input \(model.spec.input)) and \(weights) (\(model.parameterCount) parameters)")
    }
}
