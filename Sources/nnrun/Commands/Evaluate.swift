import ArgumentParser
import Foundation
import NNKit

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Test loss and accuracy of trained weights.")

    @Argument(help: "The model file (YAML).") var model: String
    @OptionGroup var pluginOptions: PluginOptions
    @OptionGroup var memoryOptions: MemoryOptions
    @Option(help: "The trained weights (safetensors, from `nnrun train --out`).") var weights: String
    @Option(help: "Data set (default: the model's `data:`).") var data: String?
    @Flag(help: "Print one JSON object with `loss` and `accuracy` (none for regression targets; `confusion` with --confusion).") var json = false
    @Flag(help: "Also show the confusion matrix: rows are true classes, columns predicted ones.") var confusion = false

    /// The confusion matrix as text: a row per true class (named when the model file names them), a column per prediction.
    static func table(_ matrix: [[Int]], names: [String]?) -> String {
        let labels = matrix.indices.map { index in names.map { index < $0.count ? "\(index) \($0[index])" : "\(index)" } ?? "\(index)" }
        let labelWidth = max(labels.map(\.count).max() ?? 0, "true \\ predicted".count)
        let cellWidth = max(matrix.flatMap { $0 }.map { String($0).count }.max() ?? 1, String(matrix.count - 1).count) + 1
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(width - text.count, 0)) + text }
        var lines = ["true \\ predicted".padding(toLength: labelWidth, withPad: " ", startingAt: 0) + matrix.indices.map { pad("\($0)", cellWidth) }.joined()]
        for (row, label) in zip(matrix, labels) {
            lines.append(label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + row.map { pad("\($0)", cellWidth) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    func run() throws {
        try pluginOptions.load()
        let checkpoint = try readWeights(weights)
        let model = try loadModel(self.model, memory: memoryOptions)
        try loadWeights(checkpoint, path: weights, into: model)
        let split = try loadData(data, model: model)
        _ = try failing("the data does not fit the model") { try Trainer(model: model, data: split) }
        let result = try failing("evaluating") { try Trainer.evaluate(model, on: split.test) }
        if json {
            struct Output: Encodable { var accuracy: Double?, count: Int, loss: Double, confusion: [[Int]]? }
            print(jsonText(Output(accuracy: result.accuracy, count: result.count, loss: result.loss, confusion: confusion && !split.test.isRegression ? result.confusion : nil)))
        } else {
            print("test loss \(fixed(result.loss, 4))\(accuracyText(result.accuracy, "  accuracy "))  (\(result.count) samples)")
            if confusion, split.test.isRegression {
                printError("note: no confusion matrix: the data set holds regression targets, not classes")
            } else if confusion { print(Self.table(result.confusion, names: model.spec.classes)) }
        }
    }
}
