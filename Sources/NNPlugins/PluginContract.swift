import NNLayers

/// The contract between NNKit and a layer plugin (API version 1).
///
/// A plugin is a shared library that exports two C entry points:
/// - `nnkit_plugin_describe() -> const char*`: a JSON object `{"name": …, "version": …, "api": 1}`;
/// - `nnkit_plugin_register(void *host) -> const char*`: registers the plugin's layer types through
///   `PluginHost` and returns `NULL`, or a message (malloc'ed, freed by NNKit) describing a failure.
public enum PluginContract {
    /// The plugin API this NNKit provides.
    public static let apiVersion = 1
    /// The description entry point.
    public static let describeSymbol = "nnkit_plugin_describe"
    /// The registration entry point.
    public static let registerSymbol = "nnkit_plugin_register"
}

/// What a plugin's registration entry point receives: the layer registry and the origin to register under. Losses
/// and optimisers go to the process-wide `Losses.registry` and `Optimizers.registry`.
public final class PluginHost {
    /// The registry to add layer types to.
    public let registry: LayerRegistry
    /// The plugin's name and version, recorded as each type's origin (`plugin NAME VERSION`).
    public let pluginName: String, pluginVersion: String

    init(registry: LayerRegistry, pluginName: String, pluginVersion: String) {
        self.registry = registry
        self.pluginName = pluginName
        self.pluginVersion = pluginVersion
    }

    /// The host behind the opaque pointer a registration entry point receives.
    public static func from(_ pointer: UnsafeMutableRawPointer) -> PluginHost {
        Unmanaged<PluginHost>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// The origin this plugin's entries are registered under.
    public var origin: String { "plugin \(pluginName) \(pluginVersion)" }

    /// Registers a layer type as coming from this plugin.
    public func register<L: RegistrableLayer>(_ type: L.Type) throws {
        try registry.register(type, origin: origin)
    }

    /// Registers a loss (`loss: NAME` in model files) as coming from this plugin.
    public func registerLoss(name: String, aliases: [String] = [], make: @escaping @Sendable () -> any Loss) throws {
        try Losses.registry.register(LossType(name: name, aliases: aliases, origin: origin, make: make))
    }

    /// Registers an optimiser (`optimizer: {type: NAME, …}`) as coming from this plugin.
    public func registerOptimizer(
        name: String, aliases: [String] = [], options: [LayerOption], make: @escaping @Sendable (LayerConfiguration) throws -> any Optimizer
    ) throws {
        try Optimizers.registry.register(OptimizerType(name: name, aliases: aliases, origin: origin, options: options, make: make))
    }

    /// Runs `body` and converts its outcome to what `nnkit_plugin_register` returns: `nil`, or a malloc'ed message.
    public static func result(_ body: () throws -> Void) -> UnsafeMutablePointer<CChar>? {
        do {
            try body()
            return nil
        } catch {
            return strdup("\(error)")
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
