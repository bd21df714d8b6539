import ArgumentParser
import NNKit

/// `--plugin PATH` (repeatable) plus the directories in `NNKIT_PLUGIN_PATH`: the only ways a plugin loads.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin"), help: "Load a layer plugin (a shared library); repeatable. Also loads every library in the NNKIT_PLUGIN_PATH directories.")
    var plugins: [String] = []

    /// Loads the plugins. A `--plugin` that fails to load is an error (exit 1); a library found through
    /// `NNKIT_PLUGIN_PATH` that fails, or a directory there that does not exist, is a warning, so that one bad file
    /// in a shared directory does not stop every command. A file named both ways loads once.
    func load() throws {
        let (found, warnings) = PluginLoader.scanEnvironment()
        for warning in warnings { printError("warning: \(warning)") }
        var loaded = Set<String>()
        for path in found where loaded.insert(PluginLoader.canonicalPath(path)).inserted {
            do { _ = try PluginLoader.load(path) } catch {
                printError("warning: skipping a plugin from NNKIT_PLUGIN_PATH: \(error)")
            }
        }
        for path in plugins where loaded.insert(PluginLoader.canonicalPath(path)).inserted {
            _ = try failing("loading a plugin") { try PluginLoader.load(path) }
        }
    }
}
