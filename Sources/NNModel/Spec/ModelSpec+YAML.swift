import NNLayers
import Yams

extension ModelSpec {
    /// Parses model YAML into a spec without instantiating it (structure and value types are checked;
    /// layer types and shapes are checked by `Model`).
    /// - Throws: `ModelSpecError` with every structural problem.
    public init(yaml: String, file: String = "<model>") throws(ModelSpecError) {
        let (spec, _, diagnostics) = ModelSpecParser.parse(yaml: yaml, file: file)
        guard let spec, diagnostics.isEmpty else { throw ModelSpecError(diagnostics) }
        self = spec
    }

    /// The spec as YAML in the canonical long form; `ModelSpec(yaml:)` reads it back to an equal value.
    public var yamlText: String {
        let top: [(Node, Node)] = Self.sections.compactMap { section in section.write(self).map { (Node(section.key), $0) } }
        // No line width: a long plain scalar folded at a space could start its next line with `? `, which reads
        // back as an explicit key (refused before Yams composes).
        return (try? Yams.serialize(node: Node(top), width: -1, sortKeys: false)) ?? ""
    }
}

/// The YAML nodes `yamlText` is built from.
enum SpecYAML {
    /// The `train:` section: its table's scalar keys and its two sub-sections, in `TrainingSpec.keys` order.
    static func training(_ train: TrainingSpec) -> Node {
        var pairs: [(Node, Node)] = []
        for key in TrainingSpec.keys {
            if let field = TrainingSpec.field(key) {
                if let value = field.get(train) { pairs.append((Node(key), node(value))) }
            } else if key == "schedule", let schedule = train.schedule {
                pairs.append((Node(key), section(schedule, ScheduleSpec.fields)))
            } else if key == "early_stopping", let stopping = train.earlyStopping {
                pairs.append((Node(key), section(stopping, EarlyStoppingSpec.fields)))
            }
        }
        return Node(pairs)
    }

    /// `blocks:`, by name.
    static func blocks(_ blocks: [String: BlockSpec]) -> Node {
        Node(blocks.keys.sorted().map { name in
            let block = blocks[name] ?? BlockSpec(layers: [])
            var pairs: [(Node, Node)] = []
            if !block.arguments.isEmpty {
                pairs.append((Node("arguments"), Node(block.arguments.sorted { $0.key < $1.key }.map { (scalar($0.key), node($0.value)) }, .implicit, .flow)))
            }
            pairs.append((Node("layers"), Node(block.layers.map(layer))))
            return (scalar(name), Node(pairs))
        })
    }

    /// `optimizer:` as a flow mapping, `type` first.
    static func optimizer(_ optimizer: OptimizerSpec) -> Node {
        var pairs: [(Node, Node)] = [(Node("type"), scalar(optimizer.type))]
        for (key, value) in optimizer.options.sorted(by: { $0.key < $1.key }) { pairs.append((scalar(key), node(value))) }
        return Node(pairs, .implicit, .flow)
    }

    /// A section written by its table, as a flow mapping.
    static func section<Section>(_ value: Section, _ fields: [SpecField<Section>]) -> Node {
        Node(fields.compactMap { field in field.get(value).map { (Node(field.key), node($0)) } }, .implicit, .flow)
    }

    /// One layer entry: `type`, `name`, `inputs`, then its options by key.
    static func layer(_ layer: LayerSpec) -> Node {
        var pairs: [(Node, Node)] = [(Node("type"), scalar(layer.type))]
        if let name = layer.name { pairs.append((Node("name"), scalar(name))) }
        if let inputs = layer.inputs { pairs.append((Node("inputs"), Node(inputs.map(scalar), .implicit, .flow))) }
        for (key, value) in layer.options.sorted(by: { $0.key < $1.key }) { pairs.append((scalar(key), node(value))) }
        return Node(pairs)
    }

    /// A string as YAML writes it, double-quoted (with escapes) when it holds a line break: a quoted scalar
    /// written over several lines folds its breaks when read back.
    static func scalar(_ string: String) -> Node {
        if string.unicodeScalars.contains(where: { "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }) {
            return Node(string, Tag(.str), .doubleQuoted)
        }
        return (try? string.represented()) ?? Node(string, Tag(.str), .doubleQuoted)
    }

    /// A value with the tag of its kind.
    static func node(_ value: ConfigValue) -> Node {
        switch value {
        case .int(let v): Node(String(v), Tag(.int))
        case .double(let v): Node(v.description, Tag(.float))
        case .bool(let v): Node(v ? "true" : "false", Tag(.bool))
        case .string(let v): scalar(v)
        case .list(let items): flow(items)
        }
    }

    /// A list as a flow sequence.
    static func flow(_ items: [ConfigValue]) -> Node {
        Node(items.map(node), .implicit, .flow)
    }
}
