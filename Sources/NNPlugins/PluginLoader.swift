import Foundation
import NNLayers

/// Loads layer plugins from paths the user names (`--plugin`, `NNKIT_PLUGIN_PATH`); nothing in a model
/// file can cause a library to load.
public enum PluginLoader {
    /// A loaded plugin.
    public struct Plugin: Sendable, Equatable {
        /// Its name and version from its description.
        public let name: String, version: String
        /// The file it came from.
        public let path: String
        /// The layer types it registered.
        public let layerTypes: [String]
    }

    /// Loads one plugin and registers its layer types in `registry`.
    public static func load(_ path: String, into registry: LayerRegistry = .shared) throws(PluginError) -> Plugin {
        guard FileManager.default.fileExists(atPath: path) else { throw .notFound(path: path) }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard let handle = dlopen(absolute, RTLD_NOW | RTLD_GLOBAL) else {
            throw .notALibrary(path: path, reason: dlerror().map { String(cString: $0) } ?? "unknown reason")
        }
        typealias Describe = @convention(c) () -> UnsafePointer<CChar>?
        typealias Register = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>?
        guard let describeSymbol = dlsym(handle, PluginContract.describeSymbol) else {
            throw .missingEntryPoint(path: path, symbol: PluginContract.describeSymbol)
        }
        guard let registerSymbol = dlsym(handle, PluginContract.registerSymbol) else {
            throw .missingEntryPoint(path: path, symbol: PluginContract.registerSymbol)
        }
        let describe = unsafeBitCast(describeSymbol, to: Describe.self)
        guard let text = describe().map({ String(cString: $0) }), let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = object["name"] as? String, let version = object["version"] as? String, let api = object["api"] as? Int,
              !name.isEmpty, !name.contains(" "), !version.contains(" ") else {
            throw .invalidDescription(path: path, reason: "expected {\"name\": …, \"version\": …, \"api\": \(PluginContract.apiVersion)} without spaces in name and version")
        }
        guard api == PluginContract.apiVersion else {
            throw .apiMismatch(path: path, plugin: name, found: api, expected: PluginContract.apiVersion)
        }
        if let loaded = registry.plugins[name] { throw .alreadyLoaded(path: path, plugin: name, version: loaded) }
        let before = Set(registry.types.map(\.name))
        let host = PluginHost(registry: registry, pluginName: name, pluginVersion: version)
        let failure = withExtendedLifetime(host) {
            unsafeBitCast(registerSymbol, to: Register.self)(Unmanaged.passUnretained(host).toOpaque())
        }
        if let failure {
            defer { free(failure) }
            throw .registrationFailed(path: path, plugin: name, reason: String(cString: failure))
        }
        registry.recordPlugin(name: name, version: version)
        return Plugin(name: name, version: version, path: path, layerTypes: registry.types.map(\.name).filter { !before.contains($0) })
    }

    /// The plugin files named by `NNKIT_PLUGIN_PATH` (colon-separated directories; every `.so`/`.dylib` in them).
    public static func pathsFromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        scanEnvironment(environment).paths
    }

    /// The plugin files named by `NNKIT_PLUGIN_PATH`, and a warning for each entry that is not a readable directory.
    public static func scanEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> (paths: [String], warnings: [String]) {
        guard let value = environment["NNKIT_PLUGIN_PATH"], !value.isEmpty else { return ([], []) }
        var paths: [String] = [], warnings: [String] = []
        for directory in value.split(separator: ":").map(String.init) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                warnings.append("NNKIT_PLUGIN_PATH names \(directory), which is not a directory; it is skipped")
                continue
            }
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                warnings.append("NNKIT_PLUGIN_PATH names \(directory), which cannot be read; it is skipped")
                continue
            }
            paths += files.filter { $0.hasSuffix(".so") || $0.hasSuffix(".dylib") }.sorted().map { "\(directory)/\($0)" }
        }
        return (paths, warnings)
    }

    /// The file a path resolves to (links followed), to recognise one plugin named twice.
    public static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
    }
}
