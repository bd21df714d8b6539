/// A registry entry: a layer type's names, documentation, options and factory.
public struct LayerType: RegistryEntry {
    /// The canonical name.
    public let name: String
    /// Other accepted names.
    public let aliases: [String]
    /// One line of documentation.
    public let summary: String
    /// The accepted options.
    public let options: [LayerOption]
    /// Where the type comes from: `built-in`, `code`, or a plugin's name and version.
    public let origin: String
    /// How many inputs a node of this type takes (`1...1`, or from 2 for merge layers).
    public let inputCount: ClosedRange<Int>
    /// Creates a layer from a configuration.
    public let make: @Sendable (LayerConfiguration) throws -> any Layer

    /// Describes a layer type.
    public init(
        name: String, aliases: [String] = [], summary: String, options: [LayerOption] = [], origin: String = "code",
        inputCount: ClosedRange<Int> = 1...1, make: @escaping @Sendable (LayerConfiguration) throws -> any Layer
    ) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.options = options
        self.origin = origin
        self.inputCount = inputCount
        self.make = make
    }

    /// The entry for a `RegistrableLayer` type.
    public init<L: RegistrableLayer>(_ type: L.Type, origin: String = "code") {
        self.init(name: L.typeName, aliases: L.aliases, summary: L.summary, options: L.options, origin: origin, inputCount: L.inputCount) {
            try L(configuration: $0)
        }
    }
}
