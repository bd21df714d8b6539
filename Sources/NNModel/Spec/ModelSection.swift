import Yams

/// One top-level key of a model file: how the reader puts its value into a `ModelSpec` and how `yamlText` writes it
/// back. The table, `ModelSpec.sections`, drives the parser, the did-you-mean of unknown keys, the check for
/// required keys and `yamlText`, so that a key is spelled once (`train:`'s own keys have their table,
/// `TrainingSpec.fields`).
struct ModelSection: Sendable {
    /// The key (`input`).
    let key: String
    /// For a required key, what to tell a file that lacks it; `nil` for an optional one.
    let requiredHint: String?
    /// Reads the key's value, reporting problems through the reader.
    let read: @Sendable (ModelSpecReader, Node, inout ModelSpec) -> Void
    /// The value to write, or `nil` to leave the key out.
    let write: @Sendable (ModelSpec) -> Node?

    init(_ key: String, required hint: String? = nil, read: @escaping @Sendable (ModelSpecReader, Node, inout ModelSpec) -> Void,
         write: @escaping @Sendable (ModelSpec) -> Node?) {
        self.key = key
        self.requiredHint = hint
        self.read = read
        self.write = write
    }
}

extension ModelSpec {
    /// The top-level keys, in the order `yamlText` writes them.
    static let sections: [ModelSection] = [
        ModelSection("name", read: { reader, node, spec in if let name = reader.string(node, "name") { spec.name = name } },
                     write: { SpecYAML.scalar($0.name) }),
        // Free text for readers of the file; not kept.
        ModelSection("description", read: { reader, node, _ in _ = reader.string(node, "description") }, write: { _ in nil }),
        ModelSection("input", required: "give the shape of one sample, e.g. `input: [1, 28, 28]` or `input: [2]`",
                     read: { reader, node, spec in if let shape = reader.readShape(node) { spec.input = shape } },
                     write: { SpecYAML.flow($0.input.map { .int($0) }) }),
        ModelSection("data", read: { reader, node, spec in spec.data = reader.string(node, "data") }, write: { $0.data.map(SpecYAML.scalar) }),
        ModelSection("blocks", read: { reader, node, spec in spec.blocks = reader.readBlocks(node) },
                     write: { $0.blocks.isEmpty ? nil : SpecYAML.blocks($0.blocks) }),
        ModelSection("layers", required: "list the layers, e.g. `layers: [{type: Linear, units: 10}]`",
                     read: { reader, node, spec in spec.layers = reader.readLayers(node, path: "layers") },
                     write: { Node($0.layers.map(SpecYAML.layer)) }),
        ModelSection("classes", read: { reader, node, spec in spec.classes = reader.readClasses(node) },
                     write: { $0.classes.map { Node($0.map(SpecYAML.scalar), .implicit, .flow) } }),
        ModelSection("loss", read: { reader, node, spec in if let loss = reader.string(node, "loss") { spec.loss = loss } },
                     write: { SpecYAML.scalar($0.loss) }),
        ModelSection("optimizer", read: { reader, node, spec in if let optimizer = reader.readOptimizer(node) { spec.optimizer = optimizer } },
                     write: { SpecYAML.optimizer($0.optimizer) }),
        ModelSection("train", read: { reader, node, spec in if let train = reader.readTraining(node) { spec.train = train } },
                     write: { SpecYAML.training($0.train) }),
    ]

    /// Every top-level key a model file accepts, in the order `yamlText` writes them.
    public static var keys: [String] { sections.map(\.key) }
}
