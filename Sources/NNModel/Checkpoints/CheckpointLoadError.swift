import NNCheckpoint

/// Why a checkpoint does not fit a model; lists every problem at once.
public enum CheckpointLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Names the model needs but the file lacks, names the file has but the model lacks, and shape mismatches.
    case mismatch(path: String, missing: [String], unexpected: [String], shapes: [ShapeMismatch])
    /// The file records a plugin that is not loaded.
    case missingPlugin(path: String, name: String, version: String)
    /// The metadata lacks or garbles a field that resuming needs.
    case metadata(path: String, key: String, message: String)

    /// A tensor whose stored shape differs from the model's.
    public struct ShapeMismatch: Equatable, Sendable {
        /// The tensor name.
        public var name: String
        /// The model's shape.
        public var expected: [Int]
        /// The file's shape.
        public var found: [Int]
    }

    public var description: String {
        switch self {
        case let .mismatch(path, missing, unexpected, shapes):
            var lines = ["\(path) does not fit the model:"]
            if !missing.isEmpty { lines.append("  missing from the file: " + missing.joined(separator: ", ")) }
            if !unexpected.isEmpty { lines.append("  not in the model: " + unexpected.joined(separator: ", ")) }
            for s in shapes { lines.append("  \(s.name): the model has shape \(s.expected), the file \(s.found)") }
            lines.append("  (use --init-from for a partial load of matching weights)")
            return lines.joined(separator: "\n")
        case let .missingPlugin(path, name, version):
            return "\(path) needs plugin \(name) version \(version); load it with --plugin PATH or NNKIT_PLUGIN_PATH"
        case let .metadata(path, key, message):
            return "\(path): metadata '\(key)' \(message)"
        }
    }
}
