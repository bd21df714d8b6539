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
        var top: [(Node, Node)] = [(Node("name"), scalar(name)), (Node("input"), flow(input.map { .int($0) }))]
        if let data { top.append((Node("data"), scalar(data))) }
        if !blocks.isEmpty {
            let blockPairs: [(Node, Node)] = blocks.keys.sorted().map { name in
                let block = blocks[name] ?? BlockSpec(layers: [])
                var pairs: [(Node, Node)] = []
                if !block.arguments.isEmpty {
                    pairs.append((Node("arguments"), Node(block.arguments.sorted { $0.key < $1.key }.map { (scalar($0.key), node($0.value)) }, .implicit, .flow)))
                }
                pairs.append((Node("layers"), Node(block.layers.map(layerNode))))
                return (scalar(name), Node(pairs))
            }
            top.append((Node("blocks"), Node(blockPairs)))
        }
        top.append((Node("layers"), Node(layers.map(layerNode))))
        if let classes { top.append((Node("classes"), Node(classes.map(scalar), .implicit, .flow))) }
        top.append((Node("loss"), scalar(loss)))
        var optimizerPairs: [(Node, Node)] = [(Node("type"), scalar(optimizer.type))]
        for key in optimizer.options.keys.sorted() { optimizerPairs.append((scalar(key), node(optimizer.options[key]!))) }
        top.append((Node("optimizer"), Node(optimizerPairs, .implicit, .flow)))
        var trainPairs: [(Node, Node)] = []
        for key in TrainingSpec.keys {
            if let field = TrainingSpec.field(key) {
                if let value = field.get(train) { trainPairs.append((Node(key), node(value))) }
            } else if key == "schedule", let schedule = train.schedule {
                trainPairs.append((Node(key), section(schedule, ScheduleSpec.fields)))
            } else if key == "early_stopping", let stopping = train.earlyStopping {
                trainPairs.append((Node(key), section(stopping, EarlyStoppingSpec.fields)))
            }
        }
        top.append((Node("train"), Node(trainPairs)))
        // No line width: a long plain scalar folded at a space could start its next line with `? `, which reads
        // back as an explicit key (refused before Yams composes).
        return (try? Yams.serialize(node: Node(top), width: -1, sortKeys: false)) ?? ""
    }

    /// A section written by its table, as a flow mapping.
    private func section<Section>(_ value: Section, _ fields: [SpecField<Section>]) -> Node {
        Node(fields.compactMap { field in field.get(value).map { (Node(field.key), node($0)) } }, .implicit, .flow)
    }

    private func layerNode(_ layer: LayerSpec) -> Node {
        var pairs: [(Node, Node)] = [(Node("type"), scalar(layer.type))]
        if let name = layer.name { pairs.append((Node("name"), scalar(name))) }
        if let inputs = layer.inputs { pairs.append((Node("inputs"), Node(inputs.map(scalar), .implicit, .flow))) }
        for (key, value) in layer.options.sorted(by: { $0.key < $1.key }) { pairs.append((scalar(key), node(value))) }
        return Node(pairs)
    }

    /// A string as YAML writes it, double-quoted (with escapes) when it holds a line break: a quoted scalar
    /// written over several lines folds its breaks when read back.
    private func scalar(_ string: String) -> Node {
        if string.unicodeScalars.contains(where: { "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }) {
            return Node(string, Tag(.str), .doubleQuoted)
        }
        return (try? string.represented()) ?? Node(string, Tag(.str), .doubleQuoted)
    }

    private func node(_ value: ConfigValue) -> Node {
        switch value {
        case .int(let v): Node(String(v), Tag(.int))
        case .double(let v): Node(v.description, Tag(.float))
        case .bool(let v): Node(v ? "true" : "false", Tag(.bool))
        case .string(let v): scalar(v)
        case .list(let items): flow(items)
        }
    }

    private func flow(_ items: [ConfigValue]) -> Node {
        Node(items.map(node), .implicit, .flow)
    }
}
