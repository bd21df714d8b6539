import ArgumentParser
import Foundation
import NNKit

/// Prints to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Loads a model file; invalid files print every diagnostic to stderr and exit with code 64.
func loadModel(_ path: String, memory: MemoryOptions, adjusting: (inout ModelSpec) -> Void = { _ in }) throws -> Model {
    do {
        let model = try Model(yamlFile: path, memoryBudget: memory.budget, adjusting: adjusting)
        for warning in model.warnings { printError(warning.description) }
        return model
    } catch {
        printError(error.description)
        throw ExitCode.validationFailure
    }
}

/// An accuracy for a line of output, `prefix` and four decimals, or nothing where there is none (regression targets).
func accuracyText(_ accuracy: Double?, _ prefix: String = " acc ", _ suffix: String = "") -> String {
    accuracy.map { prefix + fixed($0, 4) + suffix } ?? ""
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

/// Loads the data set named by `--data` or the model's `data:`, and checks that it fits the model: a data set
/// that does not exist or does not fit is the model file's problem (exit 64, at the line of `data`, `input` or
/// the last layer) when the file named it, a usage error (exit 64) when `--data` did.
func loadData(_ option: String?, model: Model) throws -> DataSplit {
    guard let reference = option ?? model.spec.data else {
        printError("error: no data set: give --data or a `data:` entry in the model file (e.g. spiral, fashion-mnist, a directory, a .csv file)")
        throw ExitCode.validationFailure
    }
    let split: DataSplit
    do {
        // A path in the model file is relative to the model file; one given with --data, to the working directory.
        let directory = option == nil ? model.locations.map { ($0.file as NSString).deletingLastPathComponent } : nil
        split = try DatasetCatalog.load(reference, relativeTo: directory.map { $0.isEmpty ? "." : $0 }, csvTargetColumns: model.csvTargetColumns)
    } catch DataError.unknownDataset(let name, let known) {
        let error = DataError.unknownDataset(name: name, known: known)
        let location = option == nil ? model.locations?.location("data") : nil
        printError(SpecDiagnostic(location: location, message: error.description, hint: option == nil ? nil : "check --data").description)
        throw ExitCode.validationFailure
    } catch {
        printError("error: loading data '\(reference)': \(error)")
        throw ExitCode.failure
    }
    let mismatches = model.dataDiagnostics(for: split)
    guard mismatches.isEmpty else {
        printError(ModelSpecError(mismatches).description + "\n(the data set is '\(reference)'\(option == nil ? ", from the model's `data:`" : ", from --data"))")
        throw ExitCode.validationFailure
    }
    return split
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

/// Loads a checkpoint's parameters into the model strictly, warning when it was saved from another spec.
func loadWeights(_ checkpoint: Checkpoint, path: String, into model: Model) throws {
    try failing("loading weights") { try model.load(checkpoint, path: path, mode: .strict) }
    warnIfSpecDiffers(checkpoint, path: path, model: model)
}

/// A warning on stderr when a checkpoint was saved from a different model spec than the one in use.
func warnIfSpecDiffers(_ checkpoint: Checkpoint, path: String, model: Model) {
    if let difference = model.specDifference(from: checkpoint) {
        printError("warning: \(path) was saved from a different model: \(difference); check that the model file is the one it was trained with")
    }
}

/// Formats a number with a fixed count of decimals.
func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

/// JSON text of an encodable value with sorted keys; NaN and infinities (which JSON has no numbers for) become `null`.
func jsonText(_ value: some Encodable) -> String {
    let marker = "\u{1}non-finite\u{1}"
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: marker, negativeInfinity: marker, nan: marker)
    do {
        return String(decoding: try encoder.encode(value), as: UTF8.self).replacingOccurrences(of: "\"\\u0001non-finite\\u0001\"", with: "null")
    } catch {
        // Only values that are not JSON at all get here, which the commands do not print.
        return "{\"error\":\"\(error)\"}"
    }
}

/// Writes `text` to `path` atomically, or to standard output for `-`.
func writeText(_ text: String, to path: String) throws {
    if path == "-" {
        print(text, terminator: "")
        return
    }
    try failing("writing \(path)") { try AtomicFile.write(Array(text.utf8), to: path) }
}
