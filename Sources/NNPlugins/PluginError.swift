/// Why a plugin could not be loaded; every case names the file.
public enum PluginError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file at the path.
    case notFound(path: String)
    /// `dlopen` refused the file (not a shared library, wrong architecture, missing dependencies).
    case notALibrary(path: String, reason: String)
    /// The library lacks a required entry point.
    case missingEntryPoint(path: String, symbol: String)
    /// The plugin's description is not readable.
    case invalidDescription(path: String, reason: String)
    /// The plugin was built for another plugin API.
    case apiMismatch(path: String, plugin: String, found: Int, expected: Int)
    /// Registration failed: a name is taken, or the plugin reported an error.
    case registrationFailed(path: String, plugin: String, reason: String)
    /// A plugin with this name is already loaded.
    case alreadyLoaded(path: String, plugin: String, version: String)

    public var description: String {
        switch self {
        case let .notFound(path): "plugin \(path): no such file"
        case let .notALibrary(path, reason): "plugin \(path): not a loadable shared library (\(reason))"
        case let .missingEntryPoint(path, symbol): "plugin \(path): no entry point '\(symbol)'; plugins export it with @_cdecl (see Plugins/README.md)"
        case let .invalidDescription(path, reason): "plugin \(path): unreadable plugin description: \(reason)"
        case let .apiMismatch(path, plugin, found, expected):
            "plugin \(path) (\(plugin)) was built for plugin API \(found), but this NNKit provides API \(expected); rebuild it against this NNKit"
        case let .registrationFailed(path, plugin, reason): "plugin \(path) (\(plugin)) failed to register: \(reason)"
        case let .alreadyLoaded(path, plugin, version): "plugin \(path): \(plugin) \(version) is already loaded"
        }
    }
}
