/// An error from registering or looking up a layer type.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name (or an alias) is taken by another type.
    case nameTaken(name: String, heldBy: String, origin: String)
    /// No type has this name; `suggestions` are the closest registered names.
    case unknownType(name: String, suggestions: [String])

    public var description: String {
        switch self {
        case let .nameTaken(name, heldBy, origin):
            return "layer type name '\(name)' is already registered (by \(heldBy), \(origin)); choose another name"
        case let .unknownType(name, suggestions):
            let hint = suggestions.isEmpty ? "run `nnrun layers` for the list" : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            return "unknown layer type '\(name)'; \(hint)"
        }
    }
}
