/// The declaration of one configuration option of a layer type: used to validate model files,
/// to list options in `nnrun layers`, and to suggest names for misspelt keys.
public struct LayerOption: Sendable, Equatable {
    /// The kind of value an option takes.
    public enum Kind: String, Sendable {
        case int, double, string, bool, intList = "list of int"
        /// Padding: an integer, a list of integers, or `same` (the output keeps `⌈H / stride⌉`).
        case padding = "list of int or 'same'"
    }

    /// The key, e.g. `units`.
    public let name: String
    /// The value kind.
    public let kind: Kind
    /// Whether a model must give it.
    public let required: Bool
    /// The default, as shown to users (`nil` when required).
    public let defaultValue: String?
    /// One line of documentation.
    public let summary: String

    /// Declares an option.
    public init(_ name: String, _ kind: Kind, required: Bool = false, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = defaultValue
        self.summary = summary
    }
}
