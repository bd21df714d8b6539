import Foundation
import NNLayers
import Yams

/// Where each part of a parsed spec came from, keyed by path (`layers[1].units`), for diagnostics.
public struct SpecLocations: Sendable {
    /// The file the spec was read from.
    public var file: String
    /// Key positions (`layers[1].units`) and value positions (`layers[1].units=`).
    var positions: [String: SourceLocation] = [:]
    /// Options whose value was reported as unreadable (so they are not reported as missing too).
    var invalid: Set<String> = []

    /// The position of the value at `path` (`input`, `layers[2].units`), else of its key, else of the closest
    /// enclosing entry.
    public func location(_ path: String) -> SourceLocation? {
        var current = path
        while true {
            if let found = positions[current + "="] ?? positions[current] { return found }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            current = String(current[..<cut])
        }
    }

    /// The position of the key at `path` (for "unknown key" messages).
    func keyLocation(_ path: String) -> SourceLocation? { positions[path] ?? location(path) }
}

/// Reads model YAML into a `ModelSpec`, reporting every structural problem with its `file:line:column`.
///
/// Uses Yams' composer (libyaml) so every node keeps its position. Alias expansion is bounded by a node
/// budget, libyaml bounds nesting at 1000 levels, and files over 1 MiB are refused, so no input can
/// hang the reader or exhaust memory.
enum ModelSpecParser {
    static let maximumFileSize = 1 << 20
    static let nodeBudget = 100_000
    static let maximumKeyLength = 128

    static func parse(yaml original: String, file: String) -> (ModelSpec?, SpecLocations, [SpecDiagnostic]) {
        let reader = ModelSpecReader(file: file)
        // A UTF-8 byte-order mark (as some Windows editors write) is not part of the document.
        let text = original.hasPrefix("\u{FEFF}") ? String(original.dropFirst()) : original
        guard text.utf8.count <= maximumFileSize else {
            return (nil, reader.locations, [SpecDiagnostic(
                location: SourceLocation(file: file, line: 1, column: 1),
                message: "the file is \(text.utf8.count) bytes; model files are limited to \(maximumFileSize) bytes")])
        }
        if let key = ComplexKeyScan.firstComplexKey(in: text) {
            return (nil, reader.locations, [SpecDiagnostic(
                location: SourceLocation(file: file, line: key.line, column: key.column),
                message: key.explicit ? "explicit mapping keys (`? …`) are not accepted in model files" : "an alias cannot be a mapping key in a model file",
                hint: "keys are plain names, such as `units:`")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return (nil, reader.locations, [reader.diagnostic(for: error)])
        } catch {
            return (nil, reader.locations, [SpecDiagnostic(location: SourceLocation(file: file, line: 1, column: 1), message: "\(error)")])
        }
        guard let root, case .mapping = root else {
            let location = root.flatMap(reader.location) ?? SourceLocation(file: file, line: 1, column: 1)
            return (nil, reader.locations, [SpecDiagnostic(
                location: location, message: root == nil ? "the file is empty" : "a model file must be a mapping of keys",
                hint: "start with `name:`, `input:` and `layers:` (see Models/spiral-mlp.yaml)")])
        }
        let spec = reader.readModel(root)
        return (spec, reader.locations, reader.diagnostics)
    }

    /// Reads `path` as UTF-8 text, or explains why it cannot.
    static func readFile(_ path: String) -> Result<String, ModelSpecError> {
        let start = SourceLocation(file: path, line: 1, column: 1)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ModelSpecError([SpecDiagnostic(location: start, message: "cannot open the model file", hint: "check the path")]))
        }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maximumFileSize + 1) ?? Data() else {
            return .failure(ModelSpecError([SpecDiagnostic(location: start, message: "cannot read the model file")]))
        }
        guard data.count <= maximumFileSize else {
            return .failure(ModelSpecError([SpecDiagnostic(location: start, message: "the file is larger than \(maximumFileSize) bytes; model files are small YAML documents")]))
        }
        guard let text = String(validating: data, as: UTF8.self), !text.contains("\u{0}") else {
            return .failure(ModelSpecError([SpecDiagnostic(location: start, message: "the file is not UTF-8 text", hint: "a model file is YAML")]))
        }
        return .success(text)
    }
}

/// The walk over the composed YAML tree; the top-level keys are read through `ModelSpec.sections`.
final class ModelSpecReader {
    var locations: SpecLocations
    var diagnostics: [SpecDiagnostic] = []
    private var budget = ModelSpecParser.nodeBudget
    private var budgetReported = false

    init(file: String) { locations = SpecLocations(file: file) }

    func location(_ node: Node) -> SourceLocation? {
        node.mark.map { SourceLocation(file: locations.file, line: $0.line, column: $0.column) }
    }

    func error(_ node: Node?, _ message: String, hint: String? = nil) {
        diagnostics.append(SpecDiagnostic(location: node.flatMap(location) ?? SourceLocation(file: locations.file, line: 1, column: 1), message: message, hint: hint))
    }

    func diagnostic(for error: YamlError) -> SpecDiagnostic {
        let file = locations.file
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let hint = context.map { "\($0.text) at line \($0.mark.line)" }
            return SpecDiagnostic(location: SourceLocation(file: file, line: mark.line, column: mark.column), message: "YAML syntax: \(problem)", hint: hint)
        case let .duplicatedKeysInMapping(duplicates, context):
            return SpecDiagnostic(
                location: SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")): it appears more than once in this mapping (first here)", hint: "remove the repeated entries")
        case let .reader(problem, offset, _, _):
            return SpecDiagnostic(location: SourceLocation(file: file, line: 1, column: 1), message: "YAML reader: \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return SpecDiagnostic(location: SourceLocation(file: file, line: 1, column: 1), message: "YAML: \(error)")
        }
    }

    /// Charges one node against the budget; false once it is spent (aliases can multiply nodes).
    func spend() -> Bool {
        budget -= 1
        if budget < 0 {
            if !budgetReported {
                budgetReported = true
                error(nil, "the document has more than \(ModelSpecParser.nodeBudget) values (counting each use of an alias)",
                      hint: "model files are small; use `blocks:` for repeated layers, and avoid aliases of aliases")
            }
            return false
        }
        return true
    }

    /// The string-keyed entries of a mapping, recording key and value positions under `path`.
    func entries(_ node: Node, path: String, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what) must be a mapping of keys to values", hint: "write `key: value` entries")
            return nil
        }
        var seen: [String: Node] = [:]
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard spend() else { return result }
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "keys in \(what) must be plain names")
                continue
            }
            let key = scalar.string
            // No key of a model file is this long or spans lines; YAML writes such keys (over 128 bytes of UTF-8, or
            // with a line break) in the explicit form this reader refuses.
            guard key.utf8.count <= ModelSpecParser.maximumKeyLength else {
                error(keyNode, "a key of \(key.utf8.count) bytes in \(what); keys are at most \(ModelSpecParser.maximumKeyLength) bytes of UTF-8",
                      hint: "keys are names such as `units`")
                continue
            }
            guard !key.unicodeScalars.contains(where: { "\n\r\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }) else {
                error(keyNode, "a key with a line break in \(what)", hint: "keys are names such as `units`, on one line")
                continue
            }
            if let first = seen[key] {
                error(keyNode, "duplicate key '\(key)' in \(what)", hint: "the first is at line \(first.mark?.line ?? 0); remove one")
                continue
            }
            seen[key] = keyNode
            let entryPath = path.isEmpty ? key : path + "." + key
            locations.positions[entryPath] = location(keyNode)
            locations.positions[entryPath + "="] = location(value)
            result.append((key, keyNode, value))
        }
        return result
    }

    func unknownKey(_ key: String, _ node: Node, in what: String, known: [String]) {
        let suggestions = ClosestNames.suggestions(for: key, among: known)
        let hint = suggestions.isEmpty
            ? "known keys: \(known.joined(separator: ", "))"
            : "did you mean \(suggestions.map { "'\($0)'" }.joined(separator: " or "))?"
        error(node, "unknown key '\(key)' in \(what)", hint: hint)
    }

    // MARK: Scalars

    func string(_ node: Node, _ what: String) -> String? {
        guard spend() else { return nil }
        guard case .scalar(let scalar) = node, Resolver.default.resolveTag(of: node) != .null || scalar.style != .plain else {
            error(node, "\(what) must be a string")
            return nil
        }
        guard !scalar.string.isEmpty else {
            error(node, "\(what) must not be empty")
            return nil
        }
        return scalar.string
    }

    /// The node's value if it keeps `rule`; otherwise the problem is reported at the node.
    func value(_ node: Node, _ what: String, _ rule: SpecRule) -> ConfigValue? {
        guard case .value(let value) = configValue(node, depth: 0) else { return nil }
        switch rule.check(value, what) {
        case .success(let checked): return checked
        case .failure(let violation):
            error(node, violation.message, hint: violation.hint)
            return nil
        }
    }

    func integer(_ node: Node, _ what: String, minimum: Int, maximum: Int = Int.max) -> Int? {
        value(node, what, .integer(minimum: minimum, maximum: maximum))?.checkedInt
    }

    func bool(_ node: Node, _ what: String) -> Bool? {
        guard case .bool(let v)? = value(node, what, .boolean) else { return nil }
        return v
    }

    enum Converted { case value(ConfigValue), failed }

    /// A YAML integer's text (decimal, `0x` hex, `0o` or leading-zero octal, `0b` binary, `_` separators) as an
    /// `Int`, or `nil` when it does not fit; read here rather than by Yams, whose conversion traps on overflow.
    static func integer(_ text: String) -> Int? {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if let sign = digits.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = 10
        if digits.hasPrefix("0x") { radix = 16; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0o") { radix = 8; digits = digits.dropFirst(2) }
        else if digits.hasPrefix("0b") { radix = 2; digits = digits.dropFirst(2) }
        else if digits.count > 1, digits.hasPrefix("0") { radix = 8; digits = digits.dropFirst() }
        guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative { return magnitude <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    /// A YAML value as a `ConfigValue`: scalars by their resolved tag, sequences as lists (two levels deep).
    func configValue(_ node: Node, depth: Int) -> Converted {
        guard spend() else { return .failed }
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .int:
                if scalar.string.contains(":") {
                    error(node, "'\(scalar.string.prefix(40))' is a YAML 1.1 base-60 integer, which model files do not accept",
                          hint: "write the number in decimal, or quote it to make it a string")
                    return .failed
                }
                guard let v = Self.integer(scalar.string) else {
                    error(node, "the integer \(scalar.string.prefix(40)) is out of range", hint: "integers must fit in 64 bits")
                    return .failed
                }
                return .value(.int(v))
            case .float:
                if scalar.string.contains(":") {
                    error(node, "'\(scalar.string.prefix(40))' is a YAML 1.1 base-60 number, which model files do not accept",
                          hint: "write the number in decimal, or quote it to make it a string")
                    return .failed
                }
                guard let v = node.float, v.isFinite else {
                    error(node, "the number \(scalar.string.prefix(40)) is not finite", hint: "use a finite number")
                    return .failed
                }
                return .value(.double(v))
            case .bool:
                return node.bool.map { .value(.bool($0)) } ?? .value(.string(scalar.string))
            case .null:
                error(node, "a value is missing here", hint: "write a value after the colon")
                return .failed
            default:
                return .value(.string(scalar.string))
            }
        case .sequence(let sequence):
            guard depth < 2 else {
                error(node, "lists nest at most two levels deep here")
                return .failed
            }
            var values: [ConfigValue] = []
            for item in sequence {
                guard case .value(let value) = configValue(item, depth: depth + 1) else { return .failed }
                values.append(value)
            }
            return .value(.list(values))
        case .mapping:
            error(node, "expected a single value or a list here, found a mapping")
            return .failed
        case .alias:
            error(node, "unresolved alias")
            return .failed
        }
    }

    // MARK: Sections

    func readModel(_ root: Node) -> ModelSpec? {
        guard let top = entries(root, path: "", what: "the model file") else { return nil }
        var spec = ModelSpec(name: (locations.file as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: ""), input: [], layers: [])
        for (key, keyNode, value) in top {
            guard let section = ModelSpec.sections.first(where: { $0.key == key }) else {
                unknownKey(key, keyNode, in: "the model file", known: ModelSpec.keys)
                continue
            }
            section.read(self, value, &spec)
        }
        for section in ModelSpec.sections where !top.contains(where: { $0.key == section.key }) {
            if let hint = section.requiredHint { error(root, "missing `\(section.key):`", hint: hint) }
        }
        return spec
    }

    func readShape(_ node: Node) -> [Int]? {
        guard case .value(let value) = configValue(node, depth: 0) else { return nil }
        let items: [ConfigValue]
        switch value {
        case .list(let list): items = list
        case .int: items = [value]
        default:
            error(node, "input must be a list of positive integers, found '\(value)'", hint: "e.g. `input: [1, 28, 28]`")
            return nil
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let n) = item, n >= 1, n <= 1 << 24 else {
                error(node, "input dimensions must be integers from 1 to \(1 << 24), found '\(item)'", hint: "e.g. `input: [1, 28, 28]`")
                return nil
            }
            shape.append(n)
        }
        guard !shape.isEmpty, shape.count <= 8 else {
            error(node, "input must have between 1 and 8 dimensions")
            return nil
        }
        guard shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) <= 1 << 28 else {
            error(node, "input \(shape) has more than \(1 << 28) elements per sample")
            return nil
        }
        return shape
    }

    func readLayers(_ node: Node, path listPath: String) -> [LayerSpec] {
        guard case .sequence(let sequence) = node else {
            error(node, "\(listPath) must be a list", hint: "write one `- type: Name` item per layer")
            return []
        }
        if sequence.isEmpty { error(node, "\(listPath) must not be empty", hint: "add at least one layer") }
        var layers: [LayerSpec] = []
        for (index, item) in sequence.enumerated() {
            guard spend() else { break }
            let path = "\(listPath)[\(index)]"
            locations.positions[path] = location(item)
            layers.append(readLayer(item, path: path, index: index) ?? LayerSpec(""))
        }
        return layers
    }

    /// `- ReLU`, `- Linear: {units: 10}` or `- {type: Linear, units: 10}`.
    func readLayer(_ node: Node, path: String, index: Int) -> LayerSpec? {
        let what = "layer \(index + 1)"
        switch node {
        case .scalar:
            locations.positions[path + ".type"] = location(node)
            return string(node, "the layer type").map { LayerSpec($0) }
        case .mapping(let mapping):
            var body = node
            var layer = LayerSpec("")
            if let complex = mapping.keys.first(where: { $0.scalar == nil }) {
                error(complex, "\(what): a key here is a \(complex.mapping != nil ? "mapping" : "list"), but keys must be plain names",
                      hint: "write the layer as `- {type: Name, …}` (a `:` after a `{…}` makes it a key)")
                return nil
            }
            if mapping.count == 1, let (keyNode, value) = mapping.first.map({ ($0.key, $0.value) }),
               keyNode.string != "type", value.mapping != nil || value.null != nil {
                // The same rule as `type:` (an empty key, e.g. `{&anchor}`, is an empty type).
                guard let type = string(keyNode, "the layer type") else { return nil }
                layer.type = type
                locations.positions[path + ".type"] = location(keyNode)
                guard value.mapping != nil else { return layer }
                body = value
            }
            guard let items = entries(body, path: path, what: what) else { return nil }
            for (key, _, value) in items {
                switch key {
                case "type": layer.type = string(value, "the layer type") ?? ""
                case "name": layer.name = string(value, "the layer name")
                case "inputs": layer.inputs = readInputs(value, path: path + ".inputs")
                default:
                    if case .value(let v) = configValue(value, depth: 0) { layer.options[key] = v } else { locations.invalid.insert(path + "." + key) }
                }
            }
            if layer.type.isEmpty, !items.contains(where: { $0.key == "type" }) {
                error(node, "\(what) has no `type`", hint: "add `type: Linear` (run `nnrun layers` for the list)")
            }
            return layer
        default:
            error(node, "\(what) must be a layer type name or a mapping with `type:`")
            return nil
        }
    }

    /// `classes: [T-shirt, Trouser, …]`: one non-empty name per output class.
    func readClasses(_ node: Node) -> [String]? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            error(node, "classes must be a list of class names", hint: "e.g. `classes: [cat, dog]`")
            return nil
        }
        var names: [String] = []
        for item in items {
            guard case .scalar = item, let name = string(item, "a class name") else {
                if case .scalar = item {} else { error(item, "classes must be a list of names") }
                return nil
            }
            names.append(name)
        }
        return names
    }

    /// `inputs: a` or `inputs: [a, b]`: names of earlier layers.
    func readInputs(_ node: Node, path: String) -> [String]? {
        if case .scalar = node {
            locations.positions[path + "[0]="] = location(node)
            return string(node, "inputs").map { [$0] }
        }
        guard case .sequence(let items) = node, !items.isEmpty else {
            error(node, "inputs must be a layer name or a list of layer names", hint: "e.g. `inputs: [a, c2]`")
            return nil
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            locations.positions[path + "[\(index)]="] = location(item)
            guard case .scalar = item, let name = string(item, "an input name") else {
                if case .scalar = item {} else { error(item, "inputs must be a list of layer names", hint: "e.g. `inputs: [a, c2]`") }
                return nil
            }
            names.append(name)
        }
        return names
    }

    /// `blocks: {NAME: {arguments: {…}, layers: […]}, …}`.
    func readBlocks(_ node: Node) -> [String: BlockSpec] {
        guard let items = entries(node, path: "blocks", what: "blocks") else { return [:] }
        var blocks: [String: BlockSpec] = [:]
        for (name, keyNode, value) in items {
            let path = "blocks." + name
            guard !name.isEmpty, !name.contains("."), !name.contains("["), !name.contains(where: \.isWhitespace) else {
                error(keyNode, "'\(name)' cannot be a block name", hint: "use letters, digits, '_' or '-'")
                continue
            }
            guard let body = entries(value, path: path, what: "block '\(name)'") else { continue }
            var block = BlockSpec(layers: [])
            var sawLayers = false
            for (key, bodyKey, bodyValue) in body {
                switch key {
                case "layers":
                    sawLayers = true
                    block.layers = readLayers(bodyValue, path: path + ".layers")
                case "arguments":
                    guard let arguments = entries(bodyValue, path: path + ".arguments", what: "the arguments of block '\(name)'") else { continue }
                    for (argument, _, argumentValue) in arguments {
                        if case .value(let v) = configValue(argumentValue, depth: 0) { block.arguments[argument] = v }
                    }
                default: unknownKey(key, bodyKey, in: "block '\(name)'", known: BlockSpec.keys)
                }
            }
            if !sawLayers { error(value, "block '\(name)' has no `layers`", hint: "list its layers under `layers:`") }
            blocks[name] = block
        }
        return blocks
    }

    func readOptimizer(_ node: Node) -> OptimizerSpec? {
        if case .scalar = node {
            locations.positions["optimizer.type="] = location(node)
            return string(node, "optimizer").map { OptimizerSpec(type: $0) }
        }
        guard let items = entries(node, path: "optimizer", what: "optimizer") else { return nil }
        var spec = OptimizerSpec(type: "")
        for (key, _, value) in items {
            if key == "type" {
                spec.type = string(value, "the optimizer type") ?? ""
            } else if case .value(let v) = configValue(value, depth: 0) {
                spec.options[key] = v
            }
        }
        if !items.contains(where: { $0.key == "type" }) {
            error(node, "optimizer has no `type`", hint: "e.g. `optimizer: {type: SGD, lr: 0.1}`")
        }
        return spec
    }

    func number(_ node: Node, _ what: String, above minimum: Double) -> Double? {
        value(node, what, .number(above: minimum))?.checkedNumber
    }

    func readSchedule(_ node: Node) -> ScheduleSpec? {
        if case .scalar = node, let name = string(node, "train.schedule") {
            guard let kind = ScheduleSpec.Kind(rawValue: name) else {
                error(node, "unknown schedule '\(name)'", hint: "use one of \(ScheduleSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                return nil
            }
            return ScheduleSpec(type: kind)
        }
        guard let items = entries(node, path: "train.schedule", what: "train.schedule") else { return nil }
        var spec = ScheduleSpec(type: .step)
        read(items, into: &spec, fields: ScheduleSpec.fields, section: "train.schedule")
        if !items.contains(where: { $0.key == "type" }) {
            error(node, "train.schedule has no `type`", hint: "e.g. `schedule: {type: step, step_size: 2, gamma: 0.5}`")
        }
        return spec
    }

    func readEarlyStopping(_ node: Node) -> EarlyStoppingSpec? {
        guard let items = entries(node, path: "train.early_stopping", what: "train.early_stopping") else { return nil }
        var spec = EarlyStoppingSpec()
        read(items, into: &spec, fields: EarlyStoppingSpec.fields, section: "train.early_stopping")
        return spec
    }

    /// Reads a section's keys by its table: each value checked by its field's rule at its node, unknown keys
    /// reported with the closest known ones.
    func read<Section>(_ items: [(key: String, keyNode: Node, value: Node)], into spec: inout Section, fields: [SpecField<Section>], section: String) {
        for (key, keyNode, value) in items {
            guard let field = fields.first(where: { $0.key == key }) else {
                unknownKey(key, keyNode, in: section, known: fields.map(\.key))
                continue
            }
            if let v = self.value(value, "\(section).\(key)", field.rule) { field.set(&spec, v) }
        }
    }

    func readTraining(_ node: Node) -> TrainingSpec? {
        guard let items = entries(node, path: "train", what: "train") else { return nil }
        var spec = TrainingSpec()
        for (key, keyNode, value) in items {
            if let field = TrainingSpec.field(key) {
                if let v = self.value(value, "train.\(key)", field.rule) { field.set(&spec, v) }
                continue
            }
            switch key {
            case "schedule": spec.schedule = readSchedule(value)
            case "early_stopping": spec.earlyStopping = readEarlyStopping(value)
            default: unknownKey(key, keyNode, in: "train", known: TrainingSpec.keys)
            }
        }
        return spec
    }
}
