import NNLayers

/// Builds a model's graph in code, in the style of Keras' functional API: each call adds a layer that takes
/// earlier outputs and returns its own output, which later layers can take.
///
/// ```swift
/// var graph = ModelGraph(input: [1, 28, 28])
/// let stem = graph.add("Conv2D", name: "stem", options: ["filters": 16, "kernel": 3, "padding": 1])
/// let a = graph.add("ReLU", stem, name: "a")
/// let c = graph.add("Conv2D", a, name: "c", options: ["filters": 16, "kernel": 3, "padding": 1])
/// let sum = graph.add("Add", a, c, name: "res")
/// graph.add("Flatten")
/// let logits = graph.add("Linear", name: "out", options: ["units": 10])
/// let model = try Model(spec: graph.spec(name: "tiny-resnet", output: logits, optimizer: OptimizerSpec(type: "Adam")))
/// ```
///
/// The result is a `ModelSpec`, so a model built this way trains, saves, resumes and writes its YAML
/// (`spec.yamlText`) exactly as one read from a file. Layers not given a name get one from their type
/// (`linear_1`, `relu_2`), since later layers refer to outputs by name.
public struct ModelGraph: Sendable {
    /// The output of a layer (or the model's input), to pass as an input to later layers.
    public struct Output: Hashable, Sendable {
        /// The layer's name, or `input`.
        public let name: String
    }

    /// The shape of one input sample.
    public let inputShape: [Int]
    /// The layers added so far, in order.
    public private(set) var layers: [LayerSpec] = []
    /// Blocks that `add` can use by name, like layer types.
    public var blocks: [String: BlockSpec] = [:]
    private var counts: [String: Int] = [:]

    /// The model's input.
    public let input = Output(name: "input")

    /// Starts a graph for samples of `input` shape.
    public init(input: [Int]) {
        inputShape = input
    }

    /// The output of the last layer added (the model's input before any).
    public var last: Output { layers.last.flatMap(\.name).map(Output.init) ?? input }

    /// Adds a layer of registered type (or block) `type` taking `inputs` (the last output when none are given).
    @discardableResult
    public mutating func add(_ type: String, _ inputs: Output..., name: String? = nil, options: [String: ConfigValue] = [:]) -> Output {
        add(type, inputs: inputs, name: name, options: options)
    }

    /// Adds a layer taking the outputs in `inputs` (the last output when empty).
    @discardableResult
    public mutating func add(_ type: String, inputs: [Output], name: String? = nil, options: [String: ConfigValue] = [:]) -> Output {
        let name = name ?? generatedName(for: type)
        let sources = inputs.isEmpty ? [last] : inputs
        let takesPrevious = sources == [last]
        layers.append(LayerSpec(type, name: name, inputs: takesPrevious ? nil : sources.map(\.name), options: options))
        return Output(name: name)
    }

    private mutating func generatedName(for type: String) -> String {
        let stem = type.lowercased()
        var count = counts[stem, default: 0]
        var name: String
        repeat {
            count += 1
            name = "\(stem)_\(count)"
        } while layers.contains(where: { $0.name == name })
        counts[stem] = count
        return name
    }

    /// The model spec whose output is `output` (the last layer added when `nil`; it must be the last layer).
    public func spec(
        name: String, output: Output? = nil, data: String? = nil, loss: String = "SoftmaxWithLoss",
        optimizer: OptimizerSpec = OptimizerSpec(type: "SGD", options: ["lr": .double(0.01)]), train: TrainingSpec = TrainingSpec()
    ) -> ModelSpec {
        var layers = self.layers
        if let output, output != last {
            layers.append(LayerSpec("Identity", name: "output", inputs: [output.name]))
        }
        return ModelSpec(name: name, input: inputShape, data: data, layers: layers, blocks: blocks, loss: loss, optimizer: optimizer, train: train)
    }
}
