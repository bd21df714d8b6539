import Synchronization

/// Maps layer type names (and aliases) to factories; the link between model files and layer code.
///
/// `LayerRegistry.shared` holds every built-in layer and whatever code or plugins register.
/// All methods are thread-safe.
public final class LayerRegistry: Sendable {
    private let entries = Registry<LayerType>(kind: "layer type")
    private let loadedPlugins = Mutex<[String: String]>([:])

    /// The process-wide registry, preloaded with the built-in layers.
    public static let shared: LayerRegistry = {
        let registry = LayerRegistry()
        registry.registerBuiltIns()
        return registry
    }()

    /// An empty registry (for tests and isolated programs); `LayerRegistry.shared` is the usual one.
    public init() {}

    /// Registers a type under its name and aliases.
    /// - Throws: `RegistryError.nameTaken` if any of the names is registered already; nothing is registered then.
    public func register(_ type: LayerType) throws(RegistryError) {
        try entries.register(type)
    }

    /// Registers a `RegistrableLayer` type.
    public func register<L: RegistrableLayer>(_ type: L.Type, origin: String = "code") throws(RegistryError) {
        try register(LayerType(type, origin: origin))
    }

    /// The type registered under `name` or one of its aliases.
    /// - Throws: `RegistryError.unknownType` with the closest known names.
    public func type(named name: String) throws(RegistryError) -> LayerType {
        try entries.entry(named: name)
    }

    /// Whether `name` is a registered name or alias.
    public func contains(_ name: String) -> Bool { entries.contains(name) }

    /// Every registered type, sorted by name.
    public var types: [LayerType] { entries.entries.sorted { $0.name < $1.name } }

    /// Every registered name and alias.
    public var allNames: [String] { entries.allNames }

    /// Records that plugin `name` at `version` is loaded (its entries use the origin `plugin NAME VERSION`).
    public func recordPlugin(name: String, version: String) {
        loadedPlugins.withLock { $0[name] = version }
    }

    /// The loaded plugins: name → version.
    public var plugins: [String: String] {
        loadedPlugins.withLock { $0 }
    }

    /// Creates a layer of type `name`.
    public func makeLayer(_ name: String, configuration: LayerConfiguration) throws -> any Layer {
        try type(named: name).make(configuration)
    }
}
