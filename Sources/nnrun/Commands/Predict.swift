import ArgumentParser
import Foundation
import NNKit

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Class probabilities for each sample of a CSV file (one sample per row) or an IDX image file.")

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(help: "The trained weights (safetensors).") var weights: String
    @Option(help: "Samples: a .csv file (features per row, optionally a leading label column) or an IDX image file (.gz allowed).")
    var input: String
    @Option(help: "How many classes to show per sample.") var top: Int = 1
    @Flag(help: "Print JSON: one array with an object per sample.") var json = false

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    struct Result: Encodable {
        struct Guess: Encodable { var `class`: Int, probability: Double }
        var index: Int
        var top: [Guess]
    }

    func run() throws {
        try pluginOptions.load()
        let checkpoint = try readWeights(weights)
        let model = try loadModel(self.model, memory: memoryOptions)
        try loadWeights(checkpoint, path: weights, into: model)
        let samples = try failing("reading \(input)") { try readSamples(size: model.spec.input.reduce(1, *)) }
        let batch = try failing("shaping the input") { try samples.reshaped([-1] + model.spec.input) }
        let probabilities = try failing("predicting") { try model.predict(batch).softmaxRows() }
        let classes = probabilities.shape[1]
        var results: [Result] = []
        for row in 0..<probabilities.shape[0] {
            let scores = Array(probabilities.scalars[(row * classes)..<((row + 1) * classes)])
            let ranked = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(top)
            results.append(Result(index: row, top: ranked.map { .init(class: $0, probability: Double(scores[$0])) }))
        }
        if json {
            print(jsonText(results))
        } else {
            for result in results {
                print("\(result.index): " + result.top.map { "class \($0.class) (\(fixed($0.probability, 4)))" }.joined(separator: ", "))
            }
        }
    }

    private func readSamples(size: Int) throws -> Tensor {
        if input.hasSuffix(".csv") {
            let values = try CSVDataset.featureRows(try CSVDataset.text(of: input), path: input, featureCount: size)
            return try Tensor(shape: [values.count / size, size], scalars: values)
        }
        let file = try IDXFile(path: input)
        let perSample = file.dimensions.dropFirst().reduce(1, *)
        guard perSample == size, (file.dimensions.first ?? 0) > 0 else {
            throw ValidationError("\(input): samples of shape \(Array(file.dimensions.dropFirst())) do not fit the model's input of \(size) values")
        }
        return try Tensor(shape: [file.dimensions[0], size], scalars: file.bytes.map { Float($0) / 255 })
    }
}
