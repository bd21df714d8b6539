import ArgumentParser
import NNKit

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a model with its weights as an ONNX file (opset 17, dynamic batch), for ONNX Runtime and other runtimes.",
        discussion: """
            The graph's input is `input` [N, ...the model's input], its output `output`: the last layer's values \
            (logits for a classifier; the loss is not part of the graph). Initializers keep NNKit's parameter names.
            """)

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(help: "The trained weights (safetensors); without it, the model's seeded initial weights are exported.") var weights: String?
    @Option(help: ArgumentHelp("The ONNX file to write.", valueName: "file")) var onnx: String

    func validate() throws {
        if onnx.isEmpty { throw ValidationError("--onnx needs a file name") }
    }

    func run() throws {
        try pluginOptions.load()
        try failing("checking --onnx") { try AtomicFile.checkReplaceable(onnx) }
        let checkpoint = try weights.map(readWeights)
        let model = try loadModel(self.model, memory: memoryOptions)
        if let checkpoint, let weights { try loadWeights(checkpoint, path: weights, into: model) }
        try failing("exporting \(self.model)") { try model.exportONNX(to: onnx) }
        print("wrote \(onnx): \(model.network.layers.count) layers, \(model.parameterCount) parameters, input [N, \(model.spec.input.map(String.init).joined(separator: ", "))]")
    }
}
