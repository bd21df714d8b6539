import ArgumentParser
import Foundation
import NNKit

/// Prints to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Loads a model file; invalid files print every diagnostic to stderr and exit with code 64.
func loadModel(_ path: String, adjusting: (inout ModelSpec) -> Void = { _ in }) throws -> Model {
    do {
        return try Model(yamlFile: path, adjusting: adjusting)
    } catch {
        printError(error.description)
        throw ExitCode.validationFailure
    }
}

/// Runs `body`, turning thrown errors into a message on stderr and exit code 1.
func failing<T>(_ what: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        printError("error: \(what): \(error)")
        throw ExitCode.failure
    }
}

/// Loads the data set named by `--data` or the model's `data:`.
func loadData(_ reference: String?, model: Model) throws -> DataSplit {
    guard let reference = reference ?? model.spec.data else {
        printError("error: no data set: give --data or a `data:` entry in the model file (e.g. spiral, fashion-mnist, a directory, a .csv file)")
        throw ExitCode.validationFailure
    }
    return try failing("loading data '\(reference)'") { try DatasetCatalog.load(reference) }
}

/// Reads a checkpoint (`--weights`), first checking that the plugins it records are loaded, so that a missing
/// plugin is reported as such rather than as unknown layer types in the model file.
func readWeights(_ path: String) throws -> Checkpoint {
    try failing("loading weights") {
        let checkpoint = try Checkpoint(contentsOf: path)
        try Model.checkPlugins(of: checkpoint, path: path)
        return checkpoint
    }
}

/// Loads a checkpoint's parameters into the model strictly.
func loadWeights(_ checkpoint: Checkpoint, path: String, into model: Model) throws {
    try failing("loading weights") { try model.load(checkpoint, path: path, mode: .strict) }
}

/// Formats a number with a fixed count of decimals.
func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

/// JSON text of an encodable value with sorted keys.
func jsonText(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
}
