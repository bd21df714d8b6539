import NNLayers

/// Validates a spec against the registries and instantiates it: expands blocks, resolves every layer's
/// inputs, and runs shape inference through the graph; collects every problem, placed at its
/// `file:line:column` when the spec came from a file.
struct ModelBuilder {
    let spec: ModelSpec
    let locations: SpecLocations?
    let registry: LayerRegistry
    let budget: MemoryBudget
    var diagnostics: [SpecDiagnostic] = []
    /// The memory planned so far, and each node's share of it.
    var plannedBytes = 0
    var nodeBytes: [Int] = []
    var nodeNames: [String] = []
    var budgetReported = false
    /// The batch `Trainer.evaluate` uses, which layers keep buffers for.
    static let evaluationBatch = 1000
    /// How deeply blocks may use other blocks.
    static let maximumBlockDepth = 16
    /// The most layers a model may expand to (blocks multiply them).
    static let maximumNodes = 10_000

    init(spec: ModelSpec, locations: SpecLocations?, registry: LayerRegistry, budget: MemoryBudget = .automatic) {
        self.spec = spec
        self.locations = locations
        self.registry = registry
        self.budget = budget
    }

    mutating func report(_ path: String, _ message: String, hint: String? = nil, atKey: Bool = false, severity: SpecDiagnostic.Severity = .error) {
        let location = atKey ? locations?.keyLocation(path) : locations?.location(path)
        diagnostics.append(SpecDiagnostic(location: location, message: message, hint: hint, severity: severity))
    }

    var errors: [SpecDiagnostic] { diagnostics.filter { $0.severity == .error } }

    struct Built {
        var network: Network
        var shapes: [[Int]]
        var loss: any Loss
        var optimizer: any Optimizer
        var origins: [String]
        /// Each node's layer type as written (`Linear`, `Add`, …).
        var types: [String]
        /// Where each node is defined (`layers[3]`, `blocks.residual.layers[1]`).
        var paths: [String]
        var warnings: [SpecDiagnostic]
        /// The estimated memory of each node (parameters with gradients and optimiser state, activations).
        var memory: [Int]
    }

    /// One node of the expanded graph, built or not.
    struct Node {
        var name: String
        var type: String
        var path: String
        var inputs: [Network.Source]
        var layer: (any Layer)?
        var shape: [Int]?
        var origin: String
    }

    /// A name space of layer names: the model's top level, or one use of a block.
    struct Scope {
        /// The prefix of full names (`""`, `block1.`).
        var prefix: String
        /// What `input` means here.
        var input: Network.Source
        /// Names visible here → their node.
        var names: [String: Network.Source] = [:]
        /// The argument values of a block use.
        var arguments: [String: ConfigValue] = [:]
        /// The blocks being expanded, outermost first (to catch a block that uses itself).
        var blockStack: [String] = []
        /// How a layer here is named in messages (`layer 3`, `layer 2 of block 'residual' (in block1)`).
        var label: (Int) -> String = { "layer \($0 + 1)" }
    }

    /// The instantiated parts, or `nil` with `diagnostics` filled.
    mutating func build() -> Built? {
        var nodes: [Node] = []
        var scope = Scope(prefix: "", input: .input)
        let output = expand(spec.layers, path: "layers", scope: &scope, nodes: &nodes)
        warnUnused(nodes)
        let outputShape: [Int]? = output.flatMap { shape(of: $0, nodes) }
        if let classes = spec.classes, let outputShape {
            let outputs = outputShape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            if classes.count != outputs {
                report("classes", "classes names \(classes.count) classes, but the model outputs \(outputs) scores", hint: "give one name per output")
            }
        }
        let loss = makeLoss(outputShape: outputShape)
        let optimizer = makeOptimizer()
        guard errors.isEmpty, let loss, let optimizer, !nodes.isEmpty else { return nil }
        let layers = nodes.compactMap(\.layer)
        guard layers.count == nodes.count, let network = try? Network(nodes: nodes.map { ($0.name, $0.layer!, $0.inputs) }) else {
            report("layers", "internal: the graph could not be built")
            return nil
        }
        return Built(
            network: network, shapes: nodes.map { $0.shape ?? [] }, loss: loss, optimizer: optimizer, origins: nodes.map(\.origin),
            types: nodes.map(\.type), paths: nodes.map(\.path), warnings: diagnostics.filter { $0.severity == .warning }, memory: nodeBytes)
    }

    func shape(of source: Network.Source, _ nodes: [Node]) -> [Int]? {
        switch source {
        case .input: spec.input.isEmpty ? nil : spec.input
        case .node(let index): nodes[index].shape
        }
    }

    /// Expands the layer list at `path` into `nodes`, in the name space `scope`; returns the last layer's output.
    mutating func expand(_ layers: [LayerSpec], path listPath: String, scope: inout Scope, nodes: inout [Node]) -> Network.Source? {
        var previous: Network.Source? = scope.input
        let laterNames = Dictionary(layers.enumerated().compactMap { index, layer in layer.name.map { ($0, index) } }, uniquingKeysWith: { a, _ in a })
        var seen: [String: Int] = [:]
        for (index, written) in layers.enumerated() {
            let path = "\(listPath)[\(index)]"
            let label = scope.label(index)
            checkName(written.name, path: path, label: label, seen: &seen, index: index)
            var layerSpec = written
            let substituted = substitute(written.options, scope: scope, path: path, label: label)
            layerSpec.options = substituted ?? written.options
            let sources = resolveInputs(layerSpec, index: index, path: path, label: label, previous: previous, scope: scope, laterNames: laterNames)
            let localName = written.name ?? "layers.\(index)"
            let fullName = scope.prefix + localName
            guard nodes.count < Self.maximumNodes else {
                report(path, "the model expands to more than \(Self.maximumNodes) layers", hint: "use fewer or smaller blocks")
                return nil
            }
            let result: Network.Source?
            if let block = spec.blocks[written.type] {
                result = expandBlock(named: written.type, block, use: layerSpec, fullName: fullName, path: path, label: label,
                                     sources: sources, scope: scope, nodes: &nodes)
                if result != nil, written.name != nil {
                    // A block's own named layers are visible after it as `use.layer`.
                    for (name, source) in innerNames(fullName + ".", nodes) { scope.names[String(name.dropFirst(scope.prefix.count))] = source }
                }
            } else if substituted == nil {
                result = nil
            } else {
                result = makeNode(layerSpec, fullName: fullName, path: path, label: label, sources: sources, scope: scope, index: index, nodes: &nodes)
            }
            if let name = written.name, let result { scope.names[name] = result }
            previous = result
        }
        return previous
    }

    /// The full names (and nodes) of the named layers under `prefix`.
    func innerNames(_ prefix: String, _ nodes: [Node]) -> [(String, Network.Source)] {
        nodes.enumerated().compactMap { index, node in
            node.name.hasPrefix(prefix) && !node.name.dropFirst(prefix.count).hasPrefix("layers.") ? (node.name, .node(index)) : nil
        }
    }

    /// Replaces `$argument` option values with the block use's arguments.
    mutating func substitute(_ options: [String: ConfigValue], scope: Scope, path: String, label: String) -> [String: ConfigValue]? {
        var result: [String: ConfigValue]? = options
        for (key, value) in options {
            guard case .string(let text) = value, text.hasPrefix("$") else { continue }
            let argument = String(text.dropFirst())
            if let bound = scope.arguments[argument] {
                result?[key] = bound
                continue
            }
            result = nil
            if scope.blockStack.isEmpty {
                report(path + "." + key, "\(label): '\(text)' names a block argument, but this layer is not inside a block",
                       hint: "write the value itself, or move the layer into a block under `blocks:`")
            } else {
                let known = scope.arguments.keys.sorted()
                let suggestions = ClosestNames.suggestions(for: argument, among: known)
                report(path + "." + key, "\(label): block '\(scope.blockStack.last ?? "")' has no argument '\(argument)'",
                       hint: suggestions.isEmpty
                           ? (known.isEmpty ? "declare it under the block's `arguments:` with a default" : "its arguments are: \(known.joined(separator: ", "))")
                           : "did you mean '$\(suggestions[0])'?")
            }
        }
        return result
    }

    /// The nodes a layer takes its inputs from; `nil` where a name does not resolve (reported).
    mutating func resolveInputs(
        _ layer: LayerSpec, index: Int, path: String, label: String, previous: Network.Source?, scope: Scope, laterNames: [String: Int]
    ) -> [Network.Source?] {
        guard let names = layer.inputs else { return [previous] }
        return names.enumerated().map { slot, name in
            if name == "input" { return scope.input }
            if let source = scope.names[name] { return source }
            let inputPath = path + ".inputs[\(slot)]"
            if name == layer.name {
                report(inputPath, "\(label) takes its own output '\(name)' as an input, which would make a cycle",
                       hint: "a layer can only take the outputs of layers above it")
            } else if let later = laterNames[name], later > index {
                let line = locations?.location(path.replacingOccurrences(of: "[\(index)]", with: "[\(later)]")).map { " (line \($0.line))" } ?? ""
                report(inputPath, "\(label) takes '\(name)', which is defined further down\(line)",
                       hint: "a layer can only take the outputs of layers above it, so the graph has no cycles; move '\(name)' up")
            } else {
                let known = ["input"] + scope.names.keys.sorted()
                let suggestions = ClosestNames.suggestions(for: name, among: known)
                let scopeNote = scope.blockStack.isEmpty ? "" : "a block sees only its own layers and `input`; "
                report(inputPath, "\(label): input \(slot + 1) '\(name)' names no layer above it",
                       hint: suggestions.isEmpty
                           ? scopeNote + "inputs name earlier layers by their `name:` (or `input`); known here: \(known.joined(separator: ", "))"
                           : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?")
            }
            return nil
        }
    }

    /// Expands one use of a block; returns the block's output.
    mutating func expandBlock(
        named blockName: String, _ block: BlockSpec, use: LayerSpec, fullName: String, path: String, label: String,
        sources: [Network.Source?], scope outer: Scope, nodes: inout [Node]
    ) -> Network.Source? {
        if registry.contains(blockName) {
            report("blocks." + blockName, "block '\(blockName)' has the name of a layer type", hint: "rename the block", atKey: true)
            return nil
        }
        if outer.blockStack.contains(blockName) {
            report(path + ".type", "\(label) uses block '\(blockName)' inside itself (\((outer.blockStack + [blockName]).joined(separator: " → ")))",
                   hint: "a block cannot contain itself")
            return nil
        }
        guard outer.blockStack.count < Self.maximumBlockDepth else {
            report(path + ".type", "\(label): blocks nest more than \(Self.maximumBlockDepth) levels deep")
            return nil
        }
        guard sources.count == 1 else {
            report(path + ".inputs", "\(label) uses block '\(blockName)', which takes one input, but names \(sources.count)",
                   hint: "give a block one input; merge inside it")
            return nil
        }
        var arguments = block.arguments
        for (key, value) in use.options.sorted(by: { $0.key < $1.key }) {
            guard block.arguments[key] != nil else {
                let known = block.arguments.keys.sorted()
                let suggestions = ClosestNames.suggestions(for: key, among: known)
                report(path + "." + key, "\(label): block '\(blockName)' has no argument '\(key)'",
                       hint: suggestions.isEmpty ? (known.isEmpty ? "the block takes no arguments" : "its arguments are: \(known.joined(separator: ", "))")
                                                 : "did you mean '\(suggestions[0])'?", atKey: true)
                continue
            }
            arguments[key] = value
        }
        guard let input = sources[0] else { return nil }
        var inner = Scope(prefix: fullName + ".", input: input, arguments: arguments, blockStack: outer.blockStack + [blockName])
        let useLabel = "\(label) ('\(fullName)', block '\(blockName)')"
        inner.label = { "layer \($0 + 1) of block '\(blockName)' in \(useLabel)" }
        if block.layers.isEmpty {
            report("blocks." + blockName, "block '\(blockName)' has no layers", hint: "list its layers under `layers:`")
            return nil
        }
        return expand(block.layers, path: "blocks.\(blockName).layers", scope: &inner, nodes: &nodes)
    }

    /// Validates and instantiates one layer; returns its node.
    mutating func makeNode(
        _ layerSpec: LayerSpec, fullName: String, path: String, label typeless: String, sources: [Network.Source?], scope: Scope, index: Int,
        nodes: inout [Node]
    ) -> Network.Source? {
        guard !layerSpec.type.isEmpty else { return nil }
        let type: LayerType
        do {
            type = try registry.type(named: layerSpec.type)
        } catch {
            var description = error.description
            if !spec.blocks.isEmpty { description += " (nor a block: blocks here are \(spec.blocks.keys.sorted().joined(separator: ", ")))" }
            report(path + ".type", "\(typeless): \(description)")
            return nil
        }
        let label = "\(typeless) (\(type.name)\(layerSpec.name.map { " '\($0)'" } ?? ""))"
        guard checkOptions(layerSpec.options, of: type, path: path, label: label) else { return nil }
        guard type.inputCount.contains(sources.count) else {
            let wanted = type.inputCount.count == 1 ? "one input" : "\(type.inputCount.lowerBound) or more inputs"
            report(path + (layerSpec.inputs == nil ? "" : ".inputs"), "\(label) takes \(wanted), but \(layerSpec.inputs == nil ? "has only the previous layer's output" : "names \(sources.count)")",
                   hint: type.inputCount.count == 1 ? "merge the branches first with Add, Multiply or Concatenate" : "list them, e.g. `inputs: [a, b]`")
            return nil
        }
        let resolved = sources.compactMap { $0 }
        // Past the memory budget nothing more is allocated; the rest of the file is still checked up to here.
        guard resolved.count == sources.count, !budgetReported else { return nil }
        let inputShapes = resolved.map { shape(of: $0, nodes) }
        guard inputShapes.allSatisfy({ $0 != nil }) else { return nil }
        let shapes = inputShapes.map { $0! }
        let seed = scope.prefix.isEmpty ? Self.seed(spec.train.seed, layer: index) : Self.seed(spec.train.seed ^ Self.nameHash(fullName), layer: index)
        var configuration = LayerConfiguration(options: layerSpec.options, inputShapes: shapes, seed: seed)
        configuration.parameterBudget = budget.bytes == Int.max ? LayerConfiguration.maximumParameterSize
            : Swift.max(0, budget.bytes - plannedBytes) / Self.bytesPerParameter
        let shapeText = shapes.count == 1 ? "input shape \(shapes[0])" : "input shapes " + zip(resolved, shapes).map { "'\(name(of: $0, nodes))' \($1)" }.joined(separator: ", ")
        do {
            let layer = try type.make(configuration)
            let output = try (layer as? any MergeLayer)?.outputShape(forInputs: shapes) ?? layer.outputShape(forInput: shapes[0])
            nodes.append(Node(name: fullName, type: layerSpec.type, path: path, inputs: resolved, layer: layer, shape: output, origin: type.origin))
            plan(layer, output: output, name: fullName, path: path, label: label)
            return .node(nodes.count - 1)
        } catch let error as ConfigurationError {
            if case .inputShapes(_, let requirement, _) = error {
                report(path + (layerSpec.inputs == nil ? "" : ".inputs"), "\(label) \(requirement), but its inputs differ: \(shapeText.dropFirst("input shapes ".count))",
                       hint: "make the branches end in the same shape, or use Concatenate")
            } else if let key = error.key {
                report(path + "." + key, "\(label): \(error.description)")
            } else {
                report(path, "\(label) with \(shapeText): \(error.description)")
            }
        } catch {
            report(path, "\(label) with \(shapeText): \(error)")
        }
        return nil
    }

    /// Bytes per parameter value: the value, its gradient and two optimiser slots (Adam's), in Float32.
    static let bytesPerParameter = 16

    /// Adds a node's memory to the plan: its parameters with their gradients and optimiser state, its output,
    /// output gradient and cached input for a training batch (or its output for an evaluation batch, if larger),
    /// and its working memory. Reports the first node that takes the plan over the budget.
    mutating func plan(_ layer: any Layer, output: [Int], name: String, path: String, label: String) {
        func product(_ values: [Int]) -> Int {
            values.reduce(1) { let (p, o) = $0.multipliedReportingOverflow(by: $1); return o ? Int.max : p }
        }
        func sum(_ values: [Int]) -> Int {
            values.reduce(0) { let (s, o) = $0.addingReportingOverflow($1); return o ? Int.max : s }
        }
        let parameters = sum((layer.parameters + layer.buffers).map(\.parameter.value.count))
        let batch = Swift.max(spec.train.batchSize, Self.evaluationBatch)
        let activations = product([Swift.max(spec.train.batchSize.multipliedReportingOverflow(by: 3).partialValue, Self.evaluationBatch), product(output)])
        let bytes = sum([product([parameters, Self.bytesPerParameter]), product([sum([activations, layer.workspaceSize(forBatch: batch)]), 4])])
        nodeBytes.append(bytes)
        nodeNames.append(name)
        plannedBytes = sum([plannedBytes, bytes])
        guard plannedBytes > budget.bytes, !budgetReported else { return }
        budgetReported = true
        let needed = plannedBytes == Int.max ? "more than 8 EiB" : "about " + MemoryBudget.format(plannedBytes)
        report(path, "\(label): the model would need \(needed) by this layer, over the memory budget of \(budget) "
               + "(batch \(spec.train.batchSize); largest so far: \(largestNodes()))",
               hint: "use a smaller batch_size or smaller layers, or set the budget with --max-memory")
    }

    /// The three nodes with the most planned memory, for the over-budget message.
    func largestNodes() -> String {
        nodeBytes.enumerated().sorted { $0.element > $1.element }.prefix(3).map { index, bytes in
            "\(index < nodeNames.count ? nodeNames[index] : "layer \(index + 1)") \(MemoryBudget.format(bytes))"
        }.joined(separator: ", ")
    }

    /// How a node is named in messages: its name, or `input`.
    func name(of source: Network.Source, _ nodes: [Node]) -> String {
        switch source {
        case .input: "input"
        case .node(let index): nodes[index].name
        }
    }

    /// Warns about layers whose output no layer takes (they cannot change the model's output).
    mutating func warnUnused(_ nodes: [Node]) {
        guard nodes.count > 1 else { return }
        var used = Array(repeating: false, count: nodes.count)
        used[nodes.count - 1] = true
        for node in nodes { for case .node(let source) in node.inputs { used[source] = true } }
        for (index, node) in nodes.enumerated() where !used[index] {
            report(node.path, "the output of '\(node.name)' (\(node.type)) is not used by any later layer, so it does not affect the model",
                   hint: "name it in a later layer's `inputs`, or remove it", severity: .warning)
        }
    }

    /// A stable 64-bit hash of a node's full name (FNV-1a), for per-node seeds inside blocks.
    static func nameHash(_ name: String) -> UInt64 {
        name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// A distinct, reproducible initialisation seed per layer.
    static func seed(_ seed: UInt64, layer index: Int) -> UInt64 {
        var generator = SeededGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1))
        return generator.next()
    }

    mutating func checkName(_ name: String?, path: String, label: String, seen: inout [String: Int], index: Int) {
        guard let name else { return }
        if name.isEmpty || name.contains(".") || name.contains(where: \.isWhitespace) || name.hasPrefix("layers") || name.hasPrefix("optimizer")
            || name == "input" {
            report(path + ".name", "\(label): '\(name)' cannot be a layer name",
                   hint: "use letters, digits, '_' or '-', without dots or spaces, not 'input' and not starting with 'layers' or 'optimizer'")
        } else if let first = seen[name] {
            report(path + ".name", "\(label): the name '\(name)' is already used by layer \(first + 1)", hint: "layer names must be unique")
        } else {
            seen[name] = index
        }
    }

    /// Unknown keys (with suggestions), missing required options and value kinds.
    mutating func checkOptions(_ options: [String: ConfigValue], of type: LayerType, path: String, label: String) -> Bool {
        let before = diagnostics.count
        let known = type.options.map(\.name)
        for key in options.keys.sorted() where !known.contains(key) {
            let suggestions = ClosestNames.suggestions(for: key, among: known + ["type", "name", "inputs"])
            let hint = suggestions.isEmpty
                ? (known.isEmpty ? "\(type.name) takes no options" : "\(type.name) takes: \(known.joined(separator: ", "))")
                : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            report(path + "." + key, "\(label): unknown option '\(key)'", hint: hint, atKey: true)
        }
        for option in type.options {
            guard let value = options[option.name] else {
                if option.required, locations?.invalid.contains(path + "." + option.name) != true {
                    report(path, "\(label): missing required option '\(option.name)' (\(option.summary))",
                           hint: "add `\(option.name): <\(option.kind.rawValue)>`")
                }
                continue
            }
            if !Self.value(value, fits: option.kind) {
                report(path + "." + option.name,
                       "\(label): option '\(option.name)' must be \(option.kind.rawValue), found \(value.kindDescription) '\(value)'")
            }
        }
        return diagnostics.count == before
    }

    static func value(_ value: ConfigValue, fits kind: LayerOption.Kind) -> Bool {
        switch (kind, value) {
        case (.int, .int), (.double, .int), (.double, .double), (.string, .string), (.bool, .bool), (.intList, .int): true
        case (.intList, .list(let items)), (.padding, .list(let items)): items.allSatisfy { if case .int = $0 { true } else { false } }
        case (.padding, .int): true
        case (.padding, .string(let text)): text == "same"
        default: false
        }
    }

    mutating func makeLoss(outputShape: [Int]?) -> (any Loss)? {
        let loss: any Loss
        do {
            loss = try Losses.make(spec.loss)
        } catch {
            report("loss", error.description, hint: "known losses: \(Losses.allNames.joined(separator: ", "))")
            return nil
        }
        if loss is SoftmaxWithLoss, let outputShape, outputShape.count != 1 {
            report("loss", "\(spec.loss) needs the last layer to output class scores of shape [C], but the network outputs \(outputShape)",
                   hint: "end the network with `Flatten` and a `Linear` layer")
        }
        return loss
    }

    mutating func makeOptimizer() -> (any Optimizer)? {
        let type: OptimizerType
        do {
            type = try Optimizers.type(named: spec.optimizer.type)
        } catch {
            report("optimizer.type", error.description.replacingOccurrences(of: "layer type", with: "optimizer"),
                   hint: "known optimizers: \(Optimizers.all.map(\.name).joined(separator: ", "))")
            return nil
        }
        let known = type.options.map(\.name)
        var ok = true
        for key in spec.optimizer.options.keys.sorted() where !known.contains(key) {
            let suggestions = ClosestNames.suggestions(for: key, among: known)
            report("optimizer." + key, "unknown option '\(key)' for optimizer \(type.name)",
                   hint: suggestions.isEmpty ? "\(type.name) takes: \(known.joined(separator: ", "))" : "did you mean '\(suggestions[0])'?", atKey: true)
            ok = false
        }
        guard ok else { return nil }
        do {
            return try type.make(LayerConfiguration(options: spec.optimizer.options, inputShape: []))
        } catch let error as ConfigurationError {
            report("optimizer" + (error.key.map { "." + $0 } ?? ""), "optimizer \(type.name): \(error.description)")
        } catch {
            report("optimizer", "optimizer \(type.name): \(error)")
        }
        return nil
    }
}
