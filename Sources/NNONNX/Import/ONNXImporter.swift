import Foundation
import NNCheckpoint
import NNLayers
import NNModel

/// Maps an ONNX graph onto NNKit layers, node by node in the graph's (topological) order. Every problem is
/// collected, so that one error lists all the nodes that cannot be imported.
struct ONNXImporter {
    /// The largest ONNX file read (protobuf's own limit is 2 GiB).
    static let maximumFileSize = 2 << 30

    /// An ONNX value as NNKit sees it: which layer (or `input`) produces it, and its per-sample shapes.
    struct Value {
        /// The producing layer's index, or `nil` for the model's input.
        var layer: Int?
        /// NNKit's per-sample shape.
        var shape: [Int]
        /// ONNX's per-sample shape; differs from `shape` only after GlobalAveragePool (`[C, 1, 1]` against `[C]`).
        var onnxShape: [Int]
        /// Zeros a Pad node adds around the image `[top and bottom, left and right]`, for the Conv or AveragePool
        /// that reads it to take as its own padding (`shape` is the image before padding).
        var pendingPadding = [0, 0]
    }

    /// A layer being built: its spec without names and inputs (set at the end) and the layers it reads.
    struct PendingLayer {
        var type: String
        var preferredName: String
        var options: [String: ConfigValue]
        var inputs: [Int?]
        var weights: [String: StoredTensor]
    }

    let model: Onnx_ModelProto
    let path: String
    /// The operator-set version of the default domain (defaults of some attributes depend on it).
    let opset: Int
    var constants: [String: Onnx_TensorProto] = [:]
    var values: [String: Value] = [:]
    var layers: [PendingLayer] = []
    var problems: [String] = []
    var notes: [String] = []
    /// Node indices reading each value.
    var consumers: [String: [Int]] = [:]
    /// Nodes already mapped as part of another node's pattern (a bias Add after MatMul, GELU's erf form).
    var folded: Set<Int> = []
    /// Outputs of nodes that could not be mapped: their readers are not reported again.
    var failedValues: Set<String> = []
    let graphOutputs: Set<String>

    init(model: Onnx_ModelProto, path: String) {
        self.model = model
        self.path = path
        opset = Int(clamping: model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 17)
        graphOutputs = Set(model.graph.output.map(\.name))
    }

    var nodes: [Onnx_NodeProto] { model.graph.node }

    mutating func run(name: String?) throws(ONNXError) -> ONNXImport {
        let graph = model.graph
        for tensor in graph.initializer { constants[tensor.name] = tensor }
        for (index, node) in graph.node.enumerated() {
            for input in node.input where !input.isEmpty { consumers[input, default: []].append(index) }
        }
        let sampleShape = try readInput()
        // Constants first: patterns look ahead at constants that come later in the node list.
        for (index, proto) in graph.node.enumerated() where proto.opType == "Constant" && proto.domain.isEmpty {
            var node = ONNXNode(proto)
            mapConstant(&node)
            problems += node.problems.map { "node \(node.label): \($0)" }
            folded.insert(index)
        }
        for (index, proto) in graph.node.enumerated() where !folded.contains(index) {
            var node = ONNXNode(proto)
            if proto.output.first?.isEmpty ?? true {
                node.problem("it has no output")
            } else if !proto.domain.isEmpty && proto.domain != "ai.onnx" {
                node.problem("operators of domain '\(proto.domain)' are not supported")
            } else {
                map(&node, index: index)
            }
            problems += node.problems.map { "node \(node.label): \($0)" }
            if !node.problems.isEmpty || node.dependsOnFailure { failedValues.formUnion(proto.output) }
        }
        let outputLayer = finishOutput()
        guard problems.isEmpty, let outputLayer else { throw ONNXError.unsupported(path: path, problems: problems) }
        return assemble(name: name ?? graph.name, input: sampleShape, outputLayer: outputLayer)
    }

    /// The sample shape of the graph's one non-initializer input, registered as the value `input`.
    mutating func readInput() throws(ONNXError) -> [Int] {
        let inputs = model.graph.input.filter { constants[$0.name] == nil }
        guard inputs.count == 1, let input = inputs.first else {
            throw ONNXError.unsupported(path: path, problems: ["the graph has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); NNKit models take one"])
        }
        guard case .tensorType(let tensor)? = input.type.value, tensor.elemType == Onnx_TensorProto.ElementType.float.rawValue else {
            throw ONNXError.unsupported(path: path, problems: ["input '\(input.name)' is not a float tensor"])
        }
        let dims = tensor.shape.dim
        guard dims.count >= 2 else {
            throw ONNXError.unsupported(path: path, problems: ["input '\(input.name)' has \(dims.count) dimensions; NNKit needs [N, ...sample]"])
        }
        var shape: [Int] = []
        for (axis, dim) in dims.enumerated().dropFirst() {
            guard case .dimValue(let size)? = dim.value, size > 0, size <= Int64(Int32.max) else {
                throw ONNXError.unsupported(path: path, problems: ["input '\(input.name)' dimension \(axis) is not a fixed positive size; NNKit needs a fixed sample shape"])
            }
            shape.append(Int(size))
        }
        guard let count = Self.elementCount(shape), count <= Self.maximumValueCount else {
            throw ONNXError.unsupported(path: path, problems: ["input '\(input.name)' has samples of \(shape), more than \(Self.maximumValueCount) values"])
        }
        values[input.name] = Value(layer: nil, shape: shape, onnxShape: shape)
        return shape
    }

    /// The layer that computes the graph's output, adding an Identity when that is not the last layer.
    mutating func finishOutput() -> Int? {
        let outputs = model.graph.output
        guard outputs.count == 1, let output = outputs.first else {
            problems.append("the graph has \(outputs.count) outputs; NNKit models have one")
            return nil
        }
        guard let value = values[output.name] else {
            if problems.isEmpty { problems.append("the graph's output '\(output.name)' is not computed by any node") }
            return nil
        }
        guard let layer = value.layer else {
            problems.append("the graph's output is its input: there is nothing to import")
            return nil
        }
        if layer != layers.count - 1 {
            layers.append(PendingLayer(type: "Identity", preferredName: "output", options: [:], inputs: [layer], weights: [:]))
            return layers.count - 1
        }
        return layer
    }

    /// The spec and weights: names where weights or non-adjacent readers need them, inputs where they are not
    /// simply the previous layer.
    func assemble(name: String, input: [Int], outputLayer: Int) -> ONNXImport {
        var needsName = layers.map { !$0.weights.isEmpty }
        for (index, layer) in layers.enumerated() {
            let adjacent = layer.inputs.count == 1 && layer.inputs[0] == (index == 0 ? nil : index - 1)
            if !adjacent { for case let source? in layer.inputs { needsName[source] = true } }
        }
        var used: Set<String> = []
        var names: [String?] = []
        for (index, layer) in layers.enumerated() {
            guard needsName[index] else { names.append(nil); continue }
            var base = Self.layerName(layer.preferredName)
            if base.isEmpty { base = layer.type.lowercased() }
            var candidate = base, suffix = 1
            while used.contains(candidate) {
                suffix += 1
                candidate = "\(base)_\(suffix)"
            }
            used.insert(candidate)
            names.append(candidate)
        }
        var specs: [LayerSpec] = []
        var weights: [String: StoredTensor] = [:]
        for (index, layer) in layers.enumerated() {
            let adjacent = layer.inputs.count == 1 && layer.inputs[0] == (index == 0 ? nil : index - 1)
            let inputs = adjacent ? nil : layer.inputs.map { source in source.map { names[$0] ?? "?" } ?? "input" }
            specs.append(LayerSpec(layer.type, name: names[index], inputs: inputs, options: layer.options))
            for (key, tensor) in layer.weights { weights["\(names[index] ?? "layers.\(index)").\(key)"] = tensor }
        }
        var modelName = Self.layerName(name)
        if modelName.isEmpty { modelName = "imported" }
        let spec = ModelSpec(name: modelName, input: input, layers: specs, optimizer: OptimizerSpec(type: "Adam", options: ["lr": .double(0.001)]))
        return ONNXImport(spec: spec, weights: weights, notes: notes)
    }

    /// A usable NNKit layer name made from an ONNX name: PyTorch's `features.0` becomes `features_0`, a node
    /// path `/fc1/Gemm` becomes `fc1`.
    static func layerName(_ raw: String) -> String {
        var parts = raw.split(separator: "/").map(String.init)
        if parts.count > 1 { parts.removeLast() }
        var name = String(parts.joined(separator: "_").map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" ? $0 : "_" })
        if name.hasPrefix("layers") { name = "layer" + name.dropFirst("layers".count) }
        if name.hasPrefix("optimizer") || name == "input" { name = "n_" + name }
        return name
    }

    // MARK: Helpers for the operator mappings

    /// The value an input names, or a problem.
    func value(_ name: String, of node: inout ONNXNode) -> Value? {
        if let value = values[name] { return value }
        if failedValues.contains(name) {
            node.reportsNothing()
            return nil
        }
        if constants[name] != nil {
            node.problem("input '\(name)' is a constant where NNKit needs a computed value")
        } else {
            node.problem("input '\(name)' is not computed by an earlier node")
        }
        return nil
    }

    /// A constant's values and dimensions, or a problem.
    func constant(_ name: String, _ role: String, of node: inout ONNXNode) -> (values: [Float], shape: [Int])? {
        guard let tensor = constants[name] else {
            node.problem("its \(role) '\(name)' is computed in the graph; NNKit needs it as an initializer or Constant")
            return nil
        }
        do {
            return (try tensor.floatValues(), tensor.dims.map { Int(clamping: $0) })
        } catch {
            node.problem("its \(role): \(error.reason)")
            return nil
        }
    }

    /// The most values one sample of any value may have; larger shapes are refused before anything multiplies them.
    static let maximumValueCount = 1 << 31

    /// The product of `shape`, or `nil` when it overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            guard size >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Adds a layer reading `inputs` and makes it produce the node's first output.
    mutating func addLayer(
        _ type: String, for node: ONNXNode, preferredName: String? = nil, options: [String: ConfigValue] = [:], inputs: [Value],
        weights: [String: StoredTensor] = [:], shape: [Int], onnxShape: [Int]? = nil, output: String? = nil
    ) {
        guard let count = Self.elementCount(shape), count <= Self.maximumValueCount else {
            problems.append("node \(node.label): its output of \(shape) per sample is larger than \(Self.maximumValueCount) values")
            return
        }
        layers.append(PendingLayer(type: type, preferredName: preferredName ?? node.proto.name, options: options, inputs: inputs.map(\.layer), weights: weights))
        values[output ?? node.proto.output.first ?? ""] = Value(layer: layers.count - 1, shape: shape, onnxShape: onnxShape ?? shape)
    }

    /// The NNKit layer name suggested by a weight's initializer (`fc1.weight` → `fc1`), else the node's name.
    func preferredName(weight: String, node: ONNXNode) -> String {
        for suffix in [".weight", ".bias", ".running_mean", ".running_var", ".scale"] where weight.hasSuffix(suffix) && weight.count > suffix.count {
            return String(weight.dropLast(suffix.count))
        }
        return node.proto.name
    }

    /// The only node reading `value`, when exactly one does and the value is not a graph output.
    func soleConsumer(of value: String) -> Int? {
        guard !graphOutputs.contains(value), let readers = consumers[value], readers.count == 1 else { return nil }
        return readers[0]
    }

    /// Whether the constant `name` is a single value within 1e-4 of `expected`.
    func isScalarConstant(_ name: String, _ expected: Float) -> Bool {
        guard let tensor = constants[name], let values = try? tensor.floatValues(), values.count == 1 else { return false }
        return abs(values[0] - expected) <= 1e-4
    }
}

/// An option value for a pair: `k` when both are equal, `[a, b]` otherwise.
func pairOption(_ values: [Int]) -> ConfigValue {
    values.count == 2 && values[0] == values[1] ? .int(values[0]) : .list(values.map(ConfigValue.int))
}

/// A Float option written as the shortest decimal that reads back as the same Float (`1e-05`, not `1.0000000
/// 00000001e-05`).
func floatOption(_ value: Float) -> ConfigValue {
    .double(Double("\(value)") ?? Double(value))
}
