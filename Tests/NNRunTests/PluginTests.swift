import Foundation
import NNKit
import Testing

/// Layer plugins: the example plugin is compiled the way a third party would build one (swiftc against the
/// NNKit module files, resolving NNKit's symbols from the host at load time) and loaded by the real `nnrun`.
@Suite(.serialized) struct PluginTests {
    static let modules = CommandRunner.executable.deletingLastPathComponent().appendingPathComponent("Modules").path

    /// Compiles Swift sources into a plugin library in `directory`.
    static func buildPlugin(_ sources: [String], name: String, in directory: URL) throws -> String {
        let output = directory.appendingPathComponent("lib\(name).so").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-emit-library", "-parse-as-library", "-module-name", name, "-I", modules, "-o", output] + sources
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: message]) }
        return output
    }

    static func source(_ text: String, in directory: URL, named name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func describe(_ json: String) -> String {
        """
        @_cdecl("nnkit_plugin_describe")
        public func describe() -> UnsafePointer<CChar> {
            let text: StaticString = #"\(json)"#
            return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
        }
        """
    }

    @Test func examplePluginTrainsAndEvaluatesThroughNNRun() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = try FileManager.default.contentsOfDirectory(atPath: CommandRunner.repository.path + "/Plugins/ExampleLayers/Sources")
            .map { CommandRunner.repository.path + "/Plugins/ExampleLayers/Sources/" + $0 }
        let plugin = try Self.buildPlugin(sources, name: "ExampleLayers", in: directory)

        let layers = try CommandRunner.run(["layers", "--plugin", plugin])
        #expect(layers.status == 0, "\(layers.stderr)")
        #expect(layers.stdout.contains("Swish [plugin example-layers 1.0.0]"))
        #expect(layers.stdout.contains("Mish [plugin example-layers 1.0.0]"))
        let fromEnvironment = try CommandRunner.run(["layers"], environment: ["NNKIT_PLUGIN_PATH": "/nonexistent:" + directory.path])
        #expect(fromEnvironment.stdout.contains("Swish [plugin example-layers 1.0.0]"))
        #expect(!(try CommandRunner.run(["layers"]).stdout.contains("Swish")))
        // One file named twice (or by NNKIT_PLUGIN_PATH and --plugin) loads once; another file with the same plugin is an error.
        let twice = try CommandRunner.run(["layers", "--plugin", plugin, "--plugin", plugin])
        #expect(twice.status == 0 && twice.stdout.contains("Swish [plugin"), "\(twice.stderr)")
        let both = try CommandRunner.run(["layers", "--plugin", plugin], environment: ["NNKIT_PLUGIN_PATH": directory.path])
        #expect(both.status == 0 && both.stdout.contains("Swish [plugin"), "\(both.stderr)")
        let copy = directory.appendingPathComponent("copy").path
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: plugin, toPath: copy + "/libSame.so")
        let clash = try CommandRunner.run(["layers", "--plugin", plugin, "--plugin", copy + "/libSame.so"])
        #expect(clash.status == 1 && clash.stderr.contains("example-layers 1.0.0 is already loaded"), "\(clash.stderr)")
        // A missing directory and a junk library in NNKIT_PLUGIN_PATH are warnings; the good plugin still loads.
        let junk = directory.appendingPathComponent("junk").path
        try FileManager.default.createDirectory(atPath: junk, withIntermediateDirectories: true)
        try Data("not a library".utf8).write(to: URL(fileURLWithPath: junk + "/libJunk.so"))
        let shared = try CommandRunner.run(["layers"], environment: ["NNKIT_PLUGIN_PATH": "/nonexistent:\(junk):\(directory.path)"])
        #expect(shared.status == 0 && shared.stdout.contains("Swish [plugin"), "\(shared.stderr)")
        #expect(shared.stderr.contains("warning: NNKIT_PLUGIN_PATH names /nonexistent") && shared.stderr.contains("libJunk.so"), "\(shared.stderr)")

        let weights = directory.appendingPathComponent("w.safetensors").path
        let train = try CommandRunner.run(["train", "Models/spiral-plugin.yaml", "--plugin", plugin, "--epochs", "1", "--out", weights])
        #expect(train.status == 0, "\(train.stderr)")
        let eval = try CommandRunner.run(["eval", "Models/spiral-plugin.yaml", "--plugin", plugin, "--weights", weights, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("\"accuracy\""))
        let checkpoint = try Checkpoint(contentsOf: weights)
        #expect(checkpoint.metadata["plugins"] == #"[{"name":"example-layers","version":"1.0.0"}]"#)
        #expect(checkpoint.tensors["swish.beta"]?.shape == [1])

        // Plugin layer types take part in graphs like built-in ones: Swish on one branch, Mish on the other.
        let graph = try Self.source("""
            input: [2]
            data: spiral
            layers:
              - {type: Linear, name: a, units: 8}
              - {type: Swish, name: s}
              - {type: Mish, name: m, inputs: a}
              - {type: Add, name: sum, inputs: [s, m]}
              - {type: Linear, name: out, units: 3}
            optimizer: {type: Adam, lr: 0.01}
            train: {epochs: 2, batch_size: 30}
            """, in: directory, named: "graph.yaml")
        let graphRun = try CommandRunner.run(["train", graph, "--plugin", plugin, "--quiet"])
        #expect(graphRun.status == 0 && graphRun.stdout.contains("final: test accuracy"), "\(graphRun.stderr)")
        let graphInspect = try CommandRunner.run(["inspect", graph, "--plugin", plugin, "--json"])
        #expect(graphInspect.stdout.contains(#"{"from":"m","to":"sum"}"#), "\(graphInspect.stdout)")

        let withoutPlugin = try CommandRunner.run(["eval", "Models/spiral-plugin.yaml", "--weights", weights])
        #expect(withoutPlugin.status == 1)
        #expect(withoutPlugin.stderr.contains("needs plugin example-layers version 1.0.0"))
    }

    @Test func eachLoadingErrorIsExplained() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func layers(_ plugins: String...) throws -> CommandRunner.Output {
            try CommandRunner.run(["layers"] + plugins.flatMap { ["--plugin", $0] })
        }

        let missing = try layers(directory.path + "/absent.so")
        #expect(missing.status == 1 && missing.stderr.contains("no such file"), "\(missing.stderr)")

        let text = try Self.source("not a library", in: directory, named: "text.so")
        let notLibrary = try layers(text)
        #expect(notLibrary.status == 1 && notLibrary.stderr.contains("not a loadable shared library"), "\(notLibrary.stderr)")

        let empty = try Self.buildPlugin([try Self.source("public func unrelated() {}", in: directory, named: "Empty.swift")], name: "Empty", in: directory)
        let noEntry = try layers(empty)
        #expect(noEntry.status == 1 && noEntry.stderr.contains("no entry point 'nnkit_plugin_describe'"), "\(noEntry.stderr)")

        let future = try Self.buildPlugin([try Self.source(Self.describe(#"{"name": "future", "version": "9.0", "api": 2}"#) + """

            @_cdecl("nnkit_plugin_register")
            public func register(_ host: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? { nil }
            """, in: directory, named: "Future.swift")], name: "Future", in: directory)
        let mismatch = try layers(future)
        #expect(mismatch.status == 1 && mismatch.stderr.contains("built for plugin API 2, but this NNKit provides API 1"), "\(mismatch.stderr)")

        let failing = try Self.buildPlugin([try Self.source(Self.describe(#"{"name": "failing", "version": "1.0", "api": 1}"#) + """

            import Glibc
            @_cdecl("nnkit_plugin_register")
            public func register(_ host: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? { strdup("the license file is missing") }
            """, in: directory, named: "Failing.swift")], name: "Failing", in: directory)
        let failed = try layers(failing)
        #expect(failed.status == 1 && failed.stderr.contains("(failing) failed to register: the license file is missing"), "\(failed.stderr)")

        let clash = try Self.buildPlugin([try Self.source("""
            import NNLayers
            import NNPlugins

            final class Dense2: RegistrableLayer {
                static let typeName = "Dense"
                static let summary = "clashes with the built-in alias"
                init(configuration: LayerConfiguration) throws {}
                func outputShape(forInput shape: [Int]) -> [Int] { shape }
                func forward(_ x: Tensor, training: Bool) throws -> Tensor { x }
                func backward(_ g: Tensor) throws -> Tensor { g }
            }

            """ + Self.describe(#"{"name": "clash", "version": "0.1", "api": 1}"#) + """

            @_cdecl("nnkit_plugin_register")
            public func register(_ host: UnsafeMutableRawPointer) -> UnsafeMutablePointer<CChar>? {
                PluginHost.result { try PluginHost.from(host).register(Dense2.self) }
            }
            """, in: directory, named: "Clash.swift")], name: "Clash", in: directory)
        let taken = try layers(clash)
        #expect(taken.status == 1 && taken.stderr.contains("'Dense' is already registered (by Linear, built-in)"), "\(taken.stderr)")
    }
}
