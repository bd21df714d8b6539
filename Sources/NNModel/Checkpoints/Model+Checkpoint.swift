import Foundation
import NNCheckpoint
import NNLayers

/// Training progress saved with a checkpoint so that a resumed run continues exactly.
public struct TrainingProgress: Sendable, Equatable {
    /// Epochs completed.
    public var epoch: Int
    /// Optimiser steps taken.
    public var step: Int

    /// Creates a progress record.
    public init(epoch: Int, step: Int) {
        self.epoch = epoch
        self.step = step
    }
}

/// What `load(_:mode:)` did.
public struct LoadReport: Sendable, Equatable, CustomStringConvertible {
    /// Parameters set from the file.
    public var loaded: [String]
    /// Model parameters not in the file (left as initialised).
    public var missing: [String]
    /// File tensors the model does not use.
    public var unexpected: [String]
    /// Names present in both with different shapes (left as initialised).
    public var mismatched: [CheckpointLoadError.ShapeMismatch]

    public var description: String {
        var lines = ["loaded \(loaded.count) tensors"]
        if !missing.isEmpty { lines.append("not in the file (kept initial values): " + missing.joined(separator: ", ")) }
        if !mismatched.isEmpty {
            lines.append("shape differs (kept initial values): " + mismatched.map { "\($0.name) \($0.found) vs \($0.expected)" }.joined(separator: ", "))
        }
        if !unexpected.isEmpty { lines.append("ignored from the file: " + unexpected.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}

extension Model {
    /// The metadata keys NNKit writes.
    public enum MetadataKey {
        /// `nnkit`, and the format version (`1`).
        public static let format = "format", formatVersion = "format_version"
        /// The resolved model spec as YAML, and the model's name.
        public static let modelSpec = "model_spec", modelName = "model_name"
        /// Completed epochs and optimiser steps.
        public static let epoch = "epoch", step = "step"
        /// The optimiser type and its hyperparameters (JSON).
        public static let optimizer = "optimizer", optimizerHyperparameters = "optimizer_hyperparameters"
        /// The training seed, and the plugins the model needs (JSON list of name and version).
        public static let seed = "train_seed", plugins = "plugins"
        /// The range of the training inputs, `[min, max]` (JSON).
        public static let inputRange = "input_range"
    }

    /// How strictly `load` matches names.
    public enum LoadMode: Sendable {
        /// Every parameter must be present with its shape and nothing else may be: one error lists all differences.
        case strict
        /// Load what matches; report the rest (`--init-from`).
        case partial
    }

    /// The model's state as named tensors: parameters (`hidden.weight`), optionally gradients
    /// (`hidden.weight.grad`), and optimiser slots (`optimizer.hidden.weight.m`), with metadata.
    public func checkpoint(progress: TrainingProgress? = nil, includeGradients: Bool = false) -> Checkpoint {
        var tensors: [String: StoredTensor] = [:]
        for named in parameters {
            tensors[named.name] = StoredTensor(shape: named.parameter.value.shape, values: named.parameter.value.scalars)
            if includeGradients {
                tensors[named.name + ".grad"] = StoredTensor(shape: named.parameter.gradient.shape, values: named.parameter.gradient.scalars)
            }
        }
        for named in network.buffers {
            tensors[named.name] = StoredTensor(shape: named.parameter.value.shape, values: named.parameter.value.scalars)
        }
        for (key, slot) in optimizer.state {
            tensors["optimizer." + key] = StoredTensor(shape: slot.shape, values: slot.scalars)
        }
        let hyperparameters = optimizer.hyperparameters.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\(Float($0.value))" }.joined(separator: ",")
        var metadata: [String: String] = [
            MetadataKey.format: "nnkit",
            MetadataKey.formatVersion: "1",
            MetadataKey.modelName: spec.name,
            MetadataKey.modelSpec: spec.yamlText,
            MetadataKey.epoch: String(progress?.epoch ?? 0),
            MetadataKey.step: String(progress?.step ?? optimizer.stepCount),
            MetadataKey.optimizer: optimizer.typeName,
            MetadataKey.optimizerHyperparameters: "{\(hyperparameters)}",
            MetadataKey.seed: String(spec.train.seed),
            MetadataKey.plugins: "[" + requiredPlugins.map { "{\"name\":\"\($0.name)\",\"version\":\"\($0.version)\"}" }.joined(separator: ",") + "]",
        ]
        if let range = trainingInputRange { metadata[MetadataKey.inputRange] = "[\(range.lowerBound),\(range.upperBound)]" }
        return Checkpoint(tensors: tensors, metadata: metadata)
    }

    /// Writes `checkpoint(...)` atomically to `path`.
    public func save(to path: String, progress: TrainingProgress? = nil, includeGradients: Bool = false) throws(CheckpointError) {
        try checkpoint(progress: progress, includeGradients: includeGradients).write(to: path)
    }

    /// The plugins whose layer types this model uses, from the types' `plugin NAME VERSION` origins.
    public var requiredPlugins: [(name: String, version: String)] {
        var seen = Set<String>()
        return layerOrigins.compactMap { origin in
            let parts = origin.split(separator: " ")
            guard parts.count == 3, parts[0] == "plugin", seen.insert(String(parts[1])).inserted else { return nil }
            return (String(parts[1]), String(parts[2]))
        }
    }

    /// Fails with "needs plugin NAME version V" when the checkpoint records a plugin that is not loaded.
    public static func checkPlugins(of checkpoint: Checkpoint, path: String, registry: LayerRegistry = .shared) throws(CheckpointLoadError) {
        guard let text = checkpoint.metadata[MetadataKey.plugins], text != "[]" else { return }
        let loaded = registry.plugins
        for (name, version) in PluginList.parse(text) where loaded[name] != version {
            throw .missingPlugin(path: path, name: name, version: version)
        }
    }

    /// Sets parameters and buffers from a checkpoint's tensors (gradients and optimiser slots are not loaded).
    /// - Throws: `CheckpointLoadError.mismatch` in strict mode when anything differs.
    @discardableResult
    public func load(_ checkpoint: Checkpoint, path: String = "<checkpoint>", mode: LoadMode = .strict) throws(CheckpointLoadError) -> LoadReport {
        try Self.checkPlugins(of: checkpoint, path: path)
        let fileParameters = checkpoint.tensors.keys.filter { !$0.hasPrefix("optimizer.") && !$0.hasSuffix(".grad") }
        let stateful = parameters + network.buffers
        let modelNames = Set(stateful.map(\.name))
        var report = LoadReport(loaded: [], missing: [], unexpected: fileParameters.filter { !modelNames.contains($0) }.sorted(), mismatched: [])
        var updates: [(Parameter, Tensor)] = []
        for named in stateful {
            guard let stored = checkpoint.tensors[named.name] else { report.missing.append(named.name); continue }
            guard stored.shape == named.parameter.value.shape, let tensor = try? Tensor(shape: stored.shape, scalars: stored.values) else {
                report.mismatched.append(.init(name: named.name, expected: named.parameter.value.shape, found: stored.shape))
                continue
            }
            updates.append((named.parameter, tensor))
            report.loaded.append(named.name)
        }
        if mode == .strict, !(report.missing.isEmpty && report.unexpected.isEmpty && report.mismatched.isEmpty) {
            throw .mismatch(path: path, missing: report.missing, unexpected: report.unexpected, shapes: report.mismatched)
        }
        for (parameter, value) in updates { parameter.value = value }
        if let range = Self.inputRange(checkpoint.metadata[MetadataKey.inputRange]) { trainingInputRange = range }
        return report
    }

    /// `[min, max]` as `input_range` holds it, or `nil` for anything else.
    static func inputRange(_ text: String?) -> ClosedRange<Float>? {
        guard let text, text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        let parts = text.dropFirst().dropLast().split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0].isFinite, parts[1].isFinite, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    /// Restores parameters (strictly), optimiser state and progress for resuming training.
    public func resume(from checkpoint: Checkpoint, path: String = "<checkpoint>") throws -> TrainingProgress {
        try load(checkpoint, path: path, mode: .strict)
        func integer(_ key: String) throws(CheckpointLoadError) -> Int {
            guard let text = checkpoint.metadata[key], let value = Int(text), value >= 0 else {
                throw .metadata(path: path, key: key, message: "is missing or not a non-negative integer; this file cannot be resumed from")
            }
            // Counts this large are no real run's, and would overflow as training goes on.
            guard value <= 1 << 53 else {
                throw .metadata(path: path, key: key, message: "is \(value), beyond any real run (at most 2^53); this file cannot be resumed from")
            }
            return value
        }
        let progress = TrainingProgress(epoch: try integer(MetadataKey.epoch), step: try integer(MetadataKey.step))
        if let type = checkpoint.metadata[MetadataKey.optimizer], type != optimizer.typeName {
            throw CheckpointLoadError.metadata(path: path, key: MetadataKey.optimizer, message: "is \(type) but the model uses \(optimizer.typeName)")
        }
        var state: [String: Tensor] = [:]
        let shapes = Dictionary(parameters.map { ($0.name, $0.parameter.value.shape) }, uniquingKeysWith: { a, _ in a })
        var orphans: [String] = [], mismatched: [CheckpointLoadError.ShapeMismatch] = []
        for (name, stored) in checkpoint.tensors where name.hasPrefix("optimizer.") {
            let key = String(name.dropFirst("optimizer.".count))
            // `optimizer.<parameter>.<slot>`: the slot must belong to a parameter of this model and have its shape.
            guard let cut = key.lastIndex(of: "."), let shape = shapes[String(key[..<cut])] else {
                orphans.append(name)
                continue
            }
            guard stored.shape == shape else {
                mismatched.append(.init(name: name, expected: shape, found: stored.shape))
                continue
            }
            state[key] = try Tensor(shape: stored.shape, scalars: stored.values)
        }
        if !orphans.isEmpty || !mismatched.isEmpty {
            throw CheckpointLoadError.mismatch(path: path, missing: [], unexpected: orphans.sorted(), shapes: mismatched)
        }
        try optimizer.restore(state: state, stepCount: progress.step)
        return progress
    }
}

extension Model {
    /// How the network this checkpoint was saved from differs from this model's (input, layers, blocks, loss),
    /// or `nil` when they agree or the checkpoint records no readable spec. Names and shapes can agree while a
    /// layer's type or options differ (`Tanh` for `ReLU`), which loading alone would not notice.
    public func specDifference(from checkpoint: Checkpoint) -> String? {
        guard let text = checkpoint.metadata[MetadataKey.modelSpec], let saved = try? ModelSpec(yaml: text) else { return nil }
        if saved.input != spec.input { return "its input is \(saved.input), this model's \(spec.input)" }
        if saved.loss != spec.loss { return "its loss is \(saved.loss), this model's \(spec.loss)" }
        if saved.blocks != spec.blocks { return "its blocks differ" }
        for (index, (a, b)) in zip(saved.layers, spec.layers).enumerated() where a != b {
            return "layer \(index + 1) is \(a.type)\(a.name.map { " '\($0)'" } ?? "") there and \(b.type)\(b.name.map { " '\($0)'" } ?? "") here"
                + (a.type == b.type && a.name == b.name ? " with other options or inputs" : "")
        }
        if saved.layers.count != spec.layers.count {
            return "it has \(saved.layers.count) layer\(saved.layers.count == 1 ? "" : "s"), this model \(spec.layers.count)"
        }
        return nil
    }
}

/// Reads the `plugins` metadata: a JSON list of `{"name": …, "version": …}` objects.
enum PluginList {
    static func parse(_ text: String) -> [(name: String, version: String)] {
        guard let data = text.data(using: .utf8),
              let list = try? JSONSerialization.jsonObject(with: data) as? [[String: String]] else { return [("unreadable plugin list", text)] }
        return list.compactMap { entry in entry["name"].map { ($0, entry["version"] ?? "?") } }
    }
}
