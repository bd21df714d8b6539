import NNLayers

/// Validates a spec against the registries and instantiates it, running shape inference through every
/// layer; collects every problem, placed at its `file:line:column` when the spec came from a file.
struct ModelBuilder {
    let spec: ModelSpec
    let locations: SpecLocations?
    let registry: LayerRegistry
    var diagnostics: [SpecDiagnostic] = []

    init(spec: ModelSpec, locations: SpecLocations?, registry: LayerRegistry) {
        self.spec = spec
        self.locations = locations
        self.registry = registry
    }

    mutating func report(_ path: String, _ message: String, hint: String? = nil, atKey: Bool = false) {
        let location = atKey ? locations?.keyLocation(path) : locations?.location(path)
        diagnostics.append(SpecDiagnostic(location: location, message: message, hint: hint))
    }

    struct Built {
        var network: Sequential
        var shapes: [[Int]]
        var loss: any Loss
        var optimizer: any Optimizer
        var origins: [String]
    }

    /// The instantiated parts, or `nil` with `diagnostics` filled.
    mutating func build() -> Built? {
        var shape: [Int]? = spec.input.isEmpty ? nil : spec.input
        var layers: [(name: String?, layer: any Layer)] = []
        var shapes: [[Int]] = []
        var names: [String: Int] = [:]
        var origins: [String] = []
        for (index, layerSpec) in spec.layers.enumerated() {
            let path = "layers[\(index)]"
            checkName(layerSpec.name, path: path, index: index, seen: &names)
            guard !layerSpec.type.isEmpty else { shape = nil; continue }
            let type: LayerType
            do {
                type = try registry.type(named: layerSpec.type)
            } catch {
                report(path + ".type", "layer \(index + 1): \(error.description)")
                shape = nil
                continue
            }
            guard checkOptions(layerSpec.options, of: type, path: path, index: index) else { shape = nil; continue }
            guard let inputShape = shape else { continue }
            let configuration = LayerConfiguration(options: layerSpec.options, inputShape: inputShape, seed: Self.seed(spec.train.seed, layer: index))
            let label = "layer \(index + 1) (\(type.name)\(layerSpec.name.map { " '\($0)'" } ?? ""))"
            do {
                let layer = try type.make(configuration)
                let output = try layer.outputShape(forInput: inputShape)
                layers.append((layerSpec.name, layer))
                origins.append(type.origin)
                shapes.append(output)
                shape = output
            } catch let error as ConfigurationError {
                if let key = error.key {
                    report(path + "." + key, "\(label): \(error.description)")
                } else {
                    report(path, "\(label) with input shape \(inputShape): \(error.description)")
                }
                shape = nil
            } catch {
                report(path, "\(label) with input shape \(inputShape): \(error)")
                shape = nil
            }
        }
        let loss = makeLoss(outputShape: shape)
        let optimizer = makeOptimizer()
        guard diagnostics.isEmpty, let loss, let optimizer else { return nil }
        let network = Sequential(named: layers)
        return Built(network: network, shapes: shapes, loss: loss, optimizer: optimizer, origins: origins)
    }

    /// A distinct, reproducible initialisation seed per layer.
    static func seed(_ seed: UInt64, layer index: Int) -> UInt64 {
        var generator = SeededGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1))
        return generator.next()
    }

    mutating func checkName(_ name: String?, path: String, index: Int, seen: inout [String: Int]) {
        guard let name else { return }
        if name.isEmpty || name.contains(".") || name.contains(where: \.isWhitespace) || name.hasPrefix("layers") || name.hasPrefix("optimizer") {
            report(path + ".name", "layer \(index + 1): '\(name)' cannot be a layer name",
                   hint: "use letters, digits, '_' or '-', without dots or spaces, not starting with 'layers' or 'optimizer'")
        } else if let first = seen[name] {
            report(path + ".name", "layer \(index + 1): the name '\(name)' is already used by layer \(first + 1)", hint: "layer names must be unique")
        } else {
            seen[name] = index
        }
    }

    /// Unknown keys (with suggestions), missing required options and value kinds.
    mutating func checkOptions(_ options: [String: ConfigValue], of type: LayerType, path: String, index: Int) -> Bool {
        let before = diagnostics.count
        let known = type.options.map(\.name)
        for key in options.keys.sorted() where !known.contains(key) {
            let suggestions = ClosestNames.suggestions(for: key, among: known + ["type", "name"])
            let hint = suggestions.isEmpty
                ? (known.isEmpty ? "\(type.name) takes no options" : "\(type.name) takes: \(known.joined(separator: ", "))")
                : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
            report(path + "." + key, "layer \(index + 1) (\(type.name)): unknown option '\(key)'", hint: hint, atKey: true)
        }
        for option in type.options {
            guard let value = options[option.name] else {
                if option.required {
                    report(path, "layer \(index + 1) (\(type.name)): missing required option '\(option.name)' (\(option.summary))",
                           hint: "add `\(option.name): <\(option.kind.rawValue)>`")
                }
                continue
            }
            if !Self.value(value, fits: option.kind) {
                report(path + "." + option.name,
                       "layer \(index + 1) (\(type.name)): option '\(option.name)' must be \(option.kind.rawValue), found \(value.kindDescription) '\(value)'")
            }
        }
        return diagnostics.count == before
    }

    static func value(_ value: ConfigValue, fits kind: LayerOption.Kind) -> Bool {
        switch (kind, value) {
        case (.int, .int), (.double, .int), (.double, .double), (.string, .string), (.bool, .bool), (.intList, .int): true
        case (.intList, .list(let items)): items.allSatisfy { if case .int = $0 { true } else { false } }
        default: false
        }
    }

    mutating func makeLoss(outputShape: [Int]?) -> (any Loss)? {
        let loss: any Loss
        do {
            loss = try Losses.make(spec.loss)
        } catch {
            report("loss", error.description.replacingOccurrences(of: "layer type", with: "loss"),
                   hint: "known losses: \(Losses.all.keys.sorted().joined(separator: ", "))")
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
