/// An error from registering or looking up a layer type, loss or optimiser (`kind`).
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name (or an alias) is taken by another entry.
    case nameTaken(name: String, heldBy: String, origin: String, kind: String = "layer type")
    /// No entry has this name; `suggestions` are the closest registered names.
    case unknownType(name: String, suggestions: [String], kind: String = "layer type")

    public var description: String {
        switch self {
        case let .nameTaken(name, heldBy, origin, kind):
            return "\(kind) name '\(name)' is already registered (by \(heldBy), \(origin)); choose another name"
        case let .unknownType(name, suggestions, kind):
            let hint = suggestions.isEmpty ? "run `nnrun layers` for the list" : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "unknown \(kind) '\(name)'; \(hint)"
        }
    }
}
