import ArgumentParser
import Foundation
import NNKit

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a model file and show its layers, their inputs, output shapes and parameter counts.",
        discussion: """
            --dot writes the graph as Graphviz text; --svg draws it as an SVG picture (with Graphviz's `dot` when it is \
            installed, else with NNKit's own layout). Give '-' to either to print to standard output.
            """)

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Flag(help: "Print JSON (layers with their inputs, and the graph's edges).") var json = false
    @Option(help: ArgumentHelp("Write the graph as Graphviz text to this file.", valueName: "file")) var dot: String?
    @Option(help: ArgumentHelp("Draw the graph as SVG into this file.", valueName: "file")) var svg: String?

    struct Summary: Encodable {
        struct Layer: Encodable {
            var name: String
            var type: String
            var inputs: [String]
            var outputShape: [Int]
            var parameters: Int
            enum CodingKeys: String, CodingKey { case name, type, inputs, outputShape = "output_shape", parameters }
        }
        struct Edge: Encodable {
            var from: String
            var to: String
        }
        var name: String
        var input: [Int]
        var layers: [Layer]
        var edges: [Edge]
        var totalParameters: Int
        var parameterBytes: Int
        enum CodingKeys: String, CodingKey { case name, input, layers, edges, totalParameters = "total_parameters", parameterBytes = "parameter_bytes" }
    }

    func run() throws {
        try pluginOptions.load()
        let model = try loadModel(self.model, memory: memoryOptions)
        if let dot { try writeText(model.graphvizText, to: dot) }
        if let svg { try writeText(try drawing(of: model), to: svg) }
        guard dot == nil && svg == nil || json else { return }
        if json {
            let layers = zip(model.network.names, model.network.layers).enumerated().map { index, pair in
                Summary.Layer(name: pair.0, type: model.layerTypes[index], inputs: model.inputNames(ofLayer: index), outputShape: model.layerShapes[index],
                              parameters: pair.1.parameters.reduce(0) { $0 + $1.parameter.value.count })
            }
            let edges = layers.flatMap { layer in layer.inputs.map { Summary.Edge(from: $0, to: layer.name) } }
            print(jsonText(Summary(name: model.spec.name, input: model.spec.input, layers: layers, edges: edges,
                                   totalParameters: model.parameterCount, parameterBytes: model.parameterCount * 4)))
        } else {
            print(model.summary)
            print("parameter memory: \(model.parameterCount * 4) bytes (F32)")
        }
    }

    /// Graphviz's drawing when `dot` is on the PATH, else NNKit's own.
    func drawing(of model: Model) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { return model.svgDrawing }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return model.svgDrawing }
        input.fileHandleForWriting.write(Data(model.graphvizText.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let text = String(data: data, encoding: .utf8), text.contains("<svg") else { return model.svgDrawing }
        return text
    }

}
