import ArgumentParser
import NNKit

struct Layers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List every registered layer type with its options.")

    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var pluginOptions: PluginOptions

    struct Entry: Encodable {
        struct Option: Encodable {
            var name: String, kind: String, required: Bool, `default`: String?, summary: String
        }
        var name: String, aliases: [String], summary: String, origin: String, options: [Option]
    }

    func run() throws {
        try pluginOptions.load()
        let types = LayerRegistry.shared.types
        if json {
            print(jsonText(types.map { type in
                Entry(name: type.name, aliases: type.aliases, summary: type.summary, origin: type.origin,
                      options: type.options.map { .init(name: $0.name, kind: $0.kind.rawValue, required: $0.required, default: $0.defaultValue, summary: $0.summary) })
            }))
            return
        }
        for type in types {
            let aliases = type.aliases.isEmpty ? "" : " (also \(type.aliases.joined(separator: ", ")))"
            let origin = type.origin == "built-in" ? "" : " [\(type.origin)]"
            print("\(type.name)\(aliases)\(origin): \(type.summary)")
            for option in type.options {
                let requirement = option.required ? "required" : "default \(option.defaultValue ?? "none")"
                print("    \(option.name): \(option.kind.rawValue), \(requirement) — \(option.summary)")
            }
        }
        print("\nlosses: \(Losses.allNames.joined(separator: ", "))")
        print("optimizers: \(Optimizers.all.map(\.name).joined(separator: ", "))")
    }
}
