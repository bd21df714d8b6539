import ArgumentParser
import NNKit

/// `--plugin PATH` (repeatable) plus the directories in `NNKIT_PLUGIN_PATH`: the only ways a plugin loads.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin"), help: "Load a layer plugin (a shared library); repeatable. Also loads every library in the NNKIT_PLUGIN_PATH directories.")
    var plugins: [String] = []

    /// Loads the plugins, printing each error to stderr and exiting with code 1 on failure.
    func load() throws {
        for path in PluginLoader.pathsFromEnvironment() + plugins {
            _ = try failing("loading a plugin") { try PluginLoader.load(path) }
        }
    }
}
