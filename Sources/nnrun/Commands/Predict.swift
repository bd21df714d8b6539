import ArgumentParser
import Foundation
import NNKit

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Class probabilities (or, for a regression model, the output values) for each sample of a CSV file (one sample per row) or an IDX image file.")

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(help: "The trained weights (safetensors).") var weights: String
    @Option(help: "Samples: a .csv file (features per row, optionally after a label or a regression model's targets) or an IDX image file (.gz allowed).")
    var input: String
    @Option(help: "How many classes to show per sample.") var top: Int = 1
    @Flag(help: "Print JSON: one array with an object per sample.") var json = false

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    struct Result: Encodable {
        struct Guess: Encodable { var `class`: Int, name: String?, probability: Double }
        var index: Int
        var top: [Guess]
    }

    struct Values: Encodable {
        var index: Int
        var values: [Double]
    }

    func run() throws {
        try pluginOptions.load()
        let checkpoint = try readWeights(weights)
        let model = try loadModel(self.model, memory: memoryOptions)
        try loadWeights(checkpoint, path: weights, into: model)
        let size = model.spec.input.reduce(1, *)
        let (samples, count) = try failing("reading \(input)") { try readSamples(size: size, leadingColumns: max(model.csvTargetColumns, 1)) }
        let regression = model.csvTargetColumns > 0
        // In batches, so that a large input never becomes one tensor of every sample's scores at once.
        var results: [Result] = []
        var values: [Values] = []
        var start = 0
        var seen: ClosedRange<Float>?
        while start < count {
            let rows = min(Self.batchSize, count - start)
            let batch = try failing("shaping the input") { try samples.batch(start..<(start + rows), size: size).reshaped([-1] + model.spec.input) }
            if let low = batch.scalars.min(), let high = batch.scalars.max() {
                seen = seen.map { Swift.min($0.lowerBound, low)...Swift.max($0.upperBound, high) } ?? low...high
            }
            if regression {
                let outputs = try failing("predicting") { try model.predict(batch).reshaped([rows, -1]) }
                let width = outputs.shape[1]
                for row in 0..<rows { values.append(Values(index: start + row, values: outputs.scalars[(row * width)..<((row + 1) * width)].map(Double.init))) }
                start += rows
                continue
            }
            let probabilities = try failing("predicting") { try model.predict(batch).softmaxRows() }
            let classes = probabilities.shape[1]
            for row in 0..<rows {
                let scores = Array(probabilities.scalars[(row * classes)..<((row + 1) * classes)])
                let ranked = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(top)
                results.append(Result(index: start + row, top: ranked.map { .init(class: $0, name: model.spec.classes?[$0], probability: Double(scores[$0])) }))
            }
            start += rows
        }
        if let trained = model.trainingInputRange, let seen, !Self.fits(seen, trained) {
            printError("warning: the input's values lie in [\(seen.lowerBound), \(seen.upperBound)], but \(weights) was trained on values in [\(trained.lowerBound), \(trained.upperBound)]; scale the input as the training data was (IDX images are divided by 255), or the predictions mean little")
        }
        if regression {
            if json { print(jsonText(values)) } else { for row in values { print("\(row.index): " + row.values.map { fixed($0, 4) }.joined(separator: ", ")) } }
        } else if json {
            print(jsonText(results))
        } else {
            for result in results {
                print("\(result.index): " + result.top.map { "class \($0.class)\($0.name.map { " \($0)" } ?? "") (\(fixed($0.probability, 4)))" }.joined(separator: ", "))
            }
        }
    }

    /// Samples predicted per batch.
    static let batchSize = 1000

    /// Whether `input` lies within `trained`, give or take 1 % of its span.
    static func fits(_ input: ClosedRange<Float>, _ trained: ClosedRange<Float>) -> Bool {
        let slack = Swift.max((trained.upperBound - trained.lowerBound) * 0.01, 1e-6)
        return input.lowerBound >= trained.lowerBound - slack && input.upperBound <= trained.upperBound + slack
    }

    /// The input's samples as stored: floats from CSV, bytes from IDX (scaled to [0, 1] batch by batch).
    enum Samples {
        case floats([Float])
        case bytes([UInt8])

        func batch(_ rows: Range<Int>, size: Int) throws -> Tensor {
            switch self {
            case .floats(let values): try Tensor(shape: [rows.count, size], scalars: Array(values[(rows.lowerBound * size)..<(rows.upperBound * size)]))
            case .bytes(let values): try Tensor(shape: [rows.count, size], scalars: values[(rows.lowerBound * size)..<(rows.upperBound * size)].map { Float($0) / 255 })
            }
        }
    }

    private func readSamples(size: Int, leadingColumns: Int) throws -> (samples: Samples, count: Int) {
        if input.hasSuffix(".csv") {
            let values = try CSVDataset.featureRows(try CSVDataset.text(of: input), path: input, featureCount: size, leadingColumns: leadingColumns)
            return (.floats(values), values.count / size)
        }
        let file = try IDXFile(path: input)
        let perSample = file.dimensions.dropFirst().reduce(1, *)
        guard perSample == size, (file.dimensions.first ?? 0) > 0 else {
            throw ValidationError("\(input): samples of shape \(Array(file.dimensions.dropFirst())) do not fit the model's input of \(size) values")
        }
        return (.bytes(file.bytes), file.dimensions[0])
    }
}
