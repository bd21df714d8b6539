import Synchronization

/// Maps layer type names (and aliases) to factories; the link between model files and layer code.
///
/// `LayerRegistry.shared` holds every built-in layer and whatever code or plugins register.
/// All methods are thread-safe.
public final class LayerRegistry: Sendable {
    private struct State {
        var types: [String: LayerType] = [:]
        var nameIndex: [String: String] = [:]
        var plugins: [String: String] = [:]
    }

    private let state = Mutex(State())

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
        let result: Result<Void, RegistryError> = state.withLock { state in
            for name in [type.name] + type.aliases {
                if let holder = state.nameIndex[name], let held = state.types[holder] {
                    return .failure(.nameTaken(name: name, heldBy: held.name, origin: held.origin))
                }
            }
            state.types[type.name] = type
            for name in [type.name] + type.aliases { state.nameIndex[name] = type.name }
            return .success(())
        }
        try result.get()
    }

    /// Registers a `RegistrableLayer` type.
    public func register<L: RegistrableLayer>(_ type: L.Type, origin: String = "code") throws(RegistryError) {
        try register(LayerType(type, origin: origin))
    }

    /// The type registered under `name` or one of its aliases.
    /// - Throws: `RegistryError.unknownType` with the closest known names.
    public func type(named name: String) throws(RegistryError) -> LayerType {
        let found: LayerType? = state.withLock { state in state.nameIndex[name].flatMap { state.types[$0] } }
        if let found { return found }
        throw .unknownType(name: name, suggestions: ClosestNames.suggestions(for: name, among: allNames))
    }

    /// Whether `name` is a registered name or alias.
    public func contains(_ name: String) -> Bool {
        state.withLock { $0.nameIndex[name] != nil }
    }

    /// Every registered type, sorted by name.
    public var types: [LayerType] {
        state.withLock { Array($0.types.values) }.sorted { $0.name < $1.name }
    }

    /// Every registered name and alias.
    public var allNames: [String] {
        state.withLock { Array($0.nameIndex.keys) }.sorted()
    }

    /// Records that plugin `name` at `version` is loaded (its layer types use the origin `plugin NAME VERSION`).
    public func recordPlugin(name: String, version: String) {
        state.withLock { $0.plugins[name] = version }
    }

    /// The loaded plugins: name → version.
    public var plugins: [String: String] {
        state.withLock { $0.plugins }
    }

    /// Creates a layer of type `name`.
    public func makeLayer(_ name: String, configuration: LayerConfiguration) throws -> any Layer {
        try type(named: name).make(configuration)
    }
}
