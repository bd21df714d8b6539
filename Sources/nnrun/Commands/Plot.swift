import ArgumentParser
import Foundation
import NNKit

struct Plot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the training curve of a --metrics file as SVG: loss and accuracy per epoch, for each data set.",
        discussion: "Reads the JSON lines that `nnrun train --metrics FILE.jsonl` writes; epochs with a non-finite value leave a gap.")

    @Argument(help: "The metrics file (JSON lines).") var metrics: String
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The SVG file to write ('-' for standard output).", valueName: "file"))
    var output: String

    func run() throws {
        let bytes = try failing("reading \(metrics)") { try AtomicFile.read(metrics, limit: 256 << 20) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            printError("error: \(metrics) is not UTF-8 text; give the JSON lines file that `nnrun train --metrics` writes")
            throw ExitCode.failure
        }
        let curve = try failing("reading \(metrics)") { try TrainingCurve(jsonLines: text) }
        try writeText(curve.svg(), to: output)
    }
}
