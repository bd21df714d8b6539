/// Why an ONNX file could not be written, read or mapped onto NNKit layers.
public enum ONNXError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Layers of the model that have no ONNX form: `(layer name, type)`.
    case layersWithoutONNXForm([(name: String, type: String)])
    /// ONNX nodes NNKit has no layer for, or attributes it cannot honour: one line per node, naming it.
    case unsupported(path: String, problems: [String])
    /// The file is not a valid ONNX model (protobuf decoding failed, or a graph is malformed).
    case invalidFile(path: String, reason: String)
    /// Reading or writing a file failed.
    case io(path: String, reason: String)

    public static func == (lhs: ONNXError, rhs: ONNXError) -> Bool { lhs.description == rhs.description }

    public var description: String {
        switch self {
        case .layersWithoutONNXForm(let layers):
            "these layers have no ONNX form: " + layers.map { "'\($0.name)' (\($0.type))" }.joined(separator: ", ")
                + "; export supports NNKit's built-in layers only"
        case .unsupported(let path, let problems):
            "\(path): \(problems.count) node\(problems.count == 1 ? "" : "s") cannot be imported:\n"
                + problems.map { "  - " + $0 }.joined(separator: "\n")
                + "\nNNKit imports the operators listed in docs/interop.md; re-export the model without these, or register a layer for them"
        case .invalidFile(let path, let reason): "\(path): not a usable ONNX model: \(reason)"
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
