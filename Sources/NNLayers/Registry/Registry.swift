import Synchronization

/// Something a `Registry` holds: known by a name and aliases, and from somewhere (`built-in`, `code`, a plugin).
public protocol RegistryEntry: Sendable {
    /// The canonical name.
    var name: String { get }
    /// Other accepted names.
    var aliases: [String] { get }
    /// Where it comes from: `built-in`, `code`, or `plugin NAME VERSION`.
    var origin: String { get }
}

/// A thread-safe map from names and aliases to entries: the one mechanism behind the layer types
/// (`LayerRegistry`), the losses (`Losses.registry`) and the optimisers (`Optimizers.registry`), to which code
/// and plugins add alike.
public final class Registry<Entry: RegistryEntry>: Sendable {
    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var nameIndex: [String: String] = [:]
    }

    /// What the entries are, for messages (`layer type`, `loss`, `optimizer`).
    public let kind: String
    private let state = Mutex(State())

    /// A registry of `kind`, holding `entries` (whose names must differ).
    public init(kind: String, _ entries: [Entry] = []) {
        self.kind = kind
        for entry in entries {
            do { try register(entry) } catch { preconditionFailure("internal: built-in \(kind) \(entry.name) registered twice") }
        }
    }

    /// Registers an entry under its name and aliases.
    /// - Throws: `RegistryError.nameTaken` if any of the names is registered already; nothing is registered then.
    public func register(_ entry: Entry) throws(RegistryError) {
        let kind = self.kind
        let result: Result<Void, RegistryError> = state.withLock { state in
            for name in [entry.name] + entry.aliases {
                if let holder = state.nameIndex[name], let held = state.entries[holder] {
                    return .failure(.nameTaken(name: name, heldBy: held.name, origin: held.origin, kind: kind))
                }
            }
            state.entries[entry.name] = entry
            state.order.append(entry.name)
            for name in [entry.name] + entry.aliases { state.nameIndex[name] = entry.name }
            return .success(())
        }
        try result.get()
    }

    /// The entry registered under `name` or one of its aliases.
    /// - Throws: `RegistryError.unknownType` with the closest known names.
    public func entry(named name: String) throws(RegistryError) -> Entry {
        let found: Entry? = state.withLock { state in state.nameIndex[name].flatMap { state.entries[$0] } }
        if let found { return found }
        throw .unknownType(name: name, suggestions: ClosestNames.suggestions(for: name, among: allNames), kind: kind)
    }

    /// Whether `name` is a registered name or alias.
    public func contains(_ name: String) -> Bool {
        state.withLock { $0.nameIndex[name] != nil }
    }

    /// Every entry, in the order registered.
    public var entries: [Entry] {
        state.withLock { state in state.order.compactMap { state.entries[$0] } }
    }

    /// Every registered name and alias, sorted.
    public var allNames: [String] {
        state.withLock { Array($0.nameIndex.keys) }.sorted()
    }
}
