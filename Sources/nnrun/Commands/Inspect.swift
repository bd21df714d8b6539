import ArgumentParser
import NNKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a model file and show its layers, output shapes and parameter counts.")

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @Flag(help: "Print JSON.") var json = false

    struct Summary: Encodable {
        struct Layer: Encodable {
            var name: String
            var type: String
            var outputShape: [Int]
            var parameters: Int
            enum CodingKeys: String, CodingKey { case name, type, outputShape = "output_shape", parameters }
        }
        var name: String
        var input: [Int]
        var layers: [Layer]
        var totalParameters: Int
        var parameterBytes: Int
        enum CodingKeys: String, CodingKey { case name, input, layers, totalParameters = "total_parameters", parameterBytes = "parameter_bytes" }
    }

    func run() throws {
        try pluginOptions.load()
        let model = try loadModel(self.model)
        if json {
            let layers = zip(model.network.names, model.network.layers).enumerated().map { index, pair in
                Summary.Layer(name: pair.0, type: model.spec.layers[index].type, outputShape: model.layerShapes[index],
                              parameters: pair.1.parameters.reduce(0) { $0 + $1.parameter.value.count })
            }
            print(jsonText(Summary(name: model.spec.name, input: model.spec.input, layers: layers,
                                   totalParameters: model.parameterCount, parameterBytes: model.parameterCount * 4)))
        } else {
            print(model.summary)
            print("parameter memory: \(model.parameterCount * 4) bytes (F32)")
        }
    }
}
