import ArgumentParser
import NNKit

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Test loss and accuracy of trained weights.")

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(help: "The trained weights (safetensors, from `nnrun train --out`).") var weights: String
    @Option(help: "Data set (default: the model's `data:`).") var data: String?
    @Flag(help: "Print one JSON object with `loss` and `accuracy`.") var json = false

    func run() throws {
        try pluginOptions.load()
        let checkpoint = try readWeights(weights)
        let model = try loadModel(self.model, memory: memoryOptions)
        try loadWeights(checkpoint, path: weights, into: model)
        let split = try loadData(data, model: model)
        _ = try failing("the data does not fit the model") { try Trainer(model: model, data: split) }
        let result = try failing("evaluating") { try Trainer.evaluate(model, on: split.test) }
        if json {
            struct Output: Encodable { var accuracy: Double, count: Int, loss: Double }
            print(jsonText(Output(accuracy: result.accuracy, count: result.count, loss: result.loss)))
        } else {
            print("test loss \(fixed(result.loss, 4))  accuracy \(fixed(result.accuracy, 4))  (\(result.count) samples)")
        }
    }
}
