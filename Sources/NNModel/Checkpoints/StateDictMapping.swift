import NNCheckpoint
import NNLayers

/// The weights of a PyTorch `state_dict` (saved with safetensors) mapped onto a model's parameter names.
///
/// Modules are matched by name where the model has a layer of the same name (`fc1.weight` → layer `fc1`), the
/// rest in order: the state_dict's module prefixes sorted numerically (`0`, `2`, `10` as in `nn.Sequential`) onto
/// the model's layers with parameters, in network order, each pair checked by tensor names and shapes. Linear
/// weights are transposed from PyTorch's `[out, in]` to NNKit's `[in, out]`; `num_batches_tracked` is ignored.
///
/// ```swift
/// let mapping = try StateDictMapping(stateDict: Checkpoint(contentsOf: "torch.safetensors"), model: model)
/// _ = try model.load(mapping.checkpoint, mode: .strict)
/// ```
public struct StateDictMapping: Sendable {
    /// One matched tensor.
    public struct Match: Sendable, Equatable {
        /// Its name in the state_dict.
        public var source: String
        /// Its name in the model.
        public var target: String
        /// Whether it was transposed (Linear weights).
        public var transposed: Bool

        /// Creates a match.
        public init(source: String, target: String, transposed: Bool) {
            self.source = source
            self.target = target
            self.transposed = transposed
        }
    }

    /// Every tensor matched, in the model's order.
    public var matches: [Match]
    /// State_dict tensors deliberately left out (`num_batches_tracked`).
    public var ignored: [String]
    /// The mapped weights under the model's names, as `Model.load` takes them.
    public var checkpoint: Checkpoint

    /// Maps `stateDict` onto `model`.
    /// - Throws: `StateDictMappingError` naming the first module pair that does not fit, or the counts that differ.
    public init(stateDict: Checkpoint, model: Model) throws(StateDictMappingError) {
        var ignored: [String] = []
        var sourceModules: [String: [String: StoredTensor]] = [:]
        for (name, tensor) in stateDict.tensors {
            if name.hasSuffix("num_batches_tracked") {
                ignored.append(name)
                continue
            }
            let (module, key) = Self.split(name)
            sourceModules[module, default: [:]][key] = tensor
        }
        let network = model.network
        let buffersByLayer = network.layers.map { layer in layer.buffers.filter { $0.name == "running_mean" || $0.name == "running_var" } }
        var targets: [(layer: Int, tensors: [NamedParameter])] = []
        for (index, layer) in network.layers.enumerated() {
            let tensors = layer.parameters + buffersByLayer[index]
            if !tensors.isEmpty { targets.append((index, tensors)) }
        }

        var pairs: [(source: String, target: Int)] = []
        var unmatchedTargets: [Int] = []
        for (position, target) in targets.enumerated() {
            if sourceModules[network.names[target.layer]] != nil {
                pairs.append((network.names[target.layer], position))
            } else {
                unmatchedTargets.append(position)
            }
        }
        let named = Set(pairs.map(\.source))
        let remainingSources = sourceModules.keys.filter { !named.contains($0) }.sorted(by: Self.naturalOrder)
        guard remainingSources.count == unmatchedTargets.count else {
            throw .countMismatch(
                modules: remainingSources, layers: unmatchedTargets.map { network.names[targets[$0].layer] })
        }
        pairs += zip(remainingSources, unmatchedTargets).map { ($0, $1) }
        pairs.sort { $0.target < $1.target }

        var tensors: [String: StoredTensor] = [:]
        var matches: [Match] = []
        for (source, position) in pairs {
            let (layerIndex, targetTensors) = targets[position]
            let layer = network.layers[layerIndex], layerName = network.names[layerIndex]
            let sourceTensors = sourceModules[source] ?? [:]
            guard Set(sourceTensors.keys) == Set(targetTensors.map(\.name)) else {
                throw .tensorsDiffer(module: source, tensors: sourceTensors.keys.sorted(), layer: layerName, expected: targetTensors.map(\.name).sorted())
            }
            for named in targetTensors {
                guard var tensor = sourceTensors[named.name] else { continue }
                let expected = named.parameter.value.shape
                var transposed = false
                if layer is Linear || layer is MatMul, named.name == "weight", tensor.shape.count == 2, expected.count == 2,
                   tensor.shape == [expected[1], expected[0]] {
                    tensor = StoredTensor(shape: expected, values: transposeMatrix(tensor.values, rows: tensor.shape[0], columns: tensor.shape[1]))
                    transposed = true
                } else if tensor.values.count == expected.reduce(1, *), tensor.shape != expected, layer is LayerNorm {
                    tensor = StoredTensor(shape: expected, values: tensor.values)
                }
                guard tensor.shape == expected else {
                    throw .shapeMismatch(source: source + "." + named.name, shape: tensor.shape, target: layerName + "." + named.name, expected: expected)
                }
                tensors[layerName + "." + named.name] = tensor
                matches.append(Match(source: source + "." + named.name, target: layerName + "." + named.name, transposed: transposed))
            }
        }
        // Buffers PyTorch has no counterpart for keep the model's current values.
        for (index, layer) in network.layers.enumerated() {
            for buffer in layer.buffers where tensors[network.names[index] + "." + buffer.name] == nil {
                tensors[network.names[index] + "." + buffer.name] = StoredTensor(shape: buffer.parameter.value.shape, values: buffer.parameter.value.scalars)
            }
        }
        self.matches = matches
        self.ignored = ignored.sorted()
        checkpoint = Checkpoint(tensors: tensors, metadata: [:])
    }

    /// `features.0.weight` → (`features.0`, `weight`).
    static func split(_ name: String) -> (module: String, key: String) {
        guard let dot = name.lastIndex(of: ".") else { return ("", name) }
        return (String(name[..<dot]), String(name[name.index(after: dot)...]))
    }

    /// Dotted names compared part by part, numbers as numbers: `2` < `10`, `features.9` < `features.10`.
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        let left = a.split(separator: "."), right = b.split(separator: ".")
        for (x, y) in zip(left, right) where x != y {
            if let m = Int(x), let n = Int(y) { return m < n }
            return x < y
        }
        return left.count < right.count
    }
}

/// The transpose of a `rows × columns` row-major matrix.
private func transposeMatrix(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    var result = [Float](repeating: 0, count: values.count)
    for row in 0..<rows {
        for column in 0..<columns { result[column * rows + row] = values[row * columns + column] }
    }
    return result
}

/// Why a state_dict does not map onto a model.
public enum StateDictMappingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The state_dict and the model have different numbers of modules with weights (after name matches).
    case countMismatch(modules: [String], layers: [String])
    /// A module's tensors are not the layer's (`weight, bias` against `weight`).
    case tensorsDiffer(module: String, tensors: [String], layer: String, expected: [String])
    /// A tensor's shape does not fit.
    case shapeMismatch(source: String, shape: [Int], target: String, expected: [Int])

    public var description: String {
        switch self {
        case .countMismatch(let modules, let layers):
            "the state_dict has \(modules.count) modules with weights to match by order (\(modules.joined(separator: ", "))) but the model has \(layers.count) layers with parameters (\(layers.joined(separator: ", "))); check that the model file describes the same network"
        case .tensorsDiffer(let module, let tensors, let layer, let expected):
            "module '\(module)' has tensors \(tensors.joined(separator: ", ")) but its counterpart, layer '\(layer)', has \(expected.joined(separator: ", ")) (a bias: true/false or a different layer type?)"
        case .shapeMismatch(let source, let shape, let target, let expected):
            "'\(source)' has shape \(shape) but '\(target)' needs \(expected)"
        }
    }
}
