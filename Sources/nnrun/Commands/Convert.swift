import ArgumentParser
import NNKit

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Map a PyTorch state_dict (saved with safetensors) onto a model file's layers and write NNKit weights.",
        discussion: """
            Modules whose name is a layer's name match it; the others match the model's layers with parameters in \
            order (numeric order of the module names, as nn.Sequential numbers them), checked by tensor names and \
            shapes. Linear weights are transposed ([out, in] → [in, out]); num_batches_tracked is ignored.
            """)

    @Argument(help: "The model file (YAML) describing the same network.") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(name: .customLong("state-dict"), help: ArgumentHelp("The PyTorch weights: safetensors.torch.save_file(model.state_dict(), ...).", valueName: "file"))
    var stateDict: String
    @Option(help: ArgumentHelp("The NNKit weights to write.", valueName: "file")) var out: String
    @Flag(help: "Print only the summary line.") var quiet = false

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out needs a file name") }
        if out == stateDict { throw ValidationError("--out must not be the state_dict file") }
    }

    func run() throws {
        try pluginOptions.load()
        try failing("checking --out") { try AtomicFile.checkReplaceable(out) }
        let source = try failing("reading \(stateDict)") { try Checkpoint(contentsOf: stateDict) }
        let model = try loadModel(self.model, memory: memoryOptions)
        let mapping = try failing("mapping \(stateDict) onto \(self.model)") { try StateDictMapping(stateDict: source, model: model) }
        _ = try failing("loading the mapped weights") { try model.load(mapping.checkpoint, path: stateDict, mode: .strict) }
        try failing("writing \(out)") { try model.save(to: out) }
        if !quiet {
            let width = mapping.matches.map(\.source.count).max() ?? 0
            for match in mapping.matches {
                print(match.source + String(repeating: " ", count: width - match.source.count) + " -> " + match.target + (match.transposed ? " (transposed)" : ""))
            }
            for name in mapping.ignored { print("ignored: \(name)") }
        }
        print("wrote \(out): \(mapping.matches.count) tensors matched, \(mapping.matches.filter(\.transposed).count) transposed")
    }
}
