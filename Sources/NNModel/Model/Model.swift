import Foundation
import NNData
import NNLayers

/// A network built from a model spec: its layers, loss and optimiser, ready to train or predict.
///
/// ```swift
/// let model = try Model(yamlFile: "Models/spiral-mlp.yaml")
/// let scores = try model.predict(batch)     // [N, classes]
/// ```
public final class Model {
    /// The spec the model was built from.
    public let spec: ModelSpec
    /// The layers as a graph, in execution order (blocks expanded).
    public let network: Network
    /// The per-sample output shape of each node (shape inference).
    public let layerShapes: [[Int]]
    /// Each node's layer type (`Linear`, `Add`, …).
    public let layerTypes: [String]
    /// Where each node is written in the spec (`layers[3]`, `blocks.residual.layers[1]`).
    public let layerPaths: [String]
    /// Problems that did not stop the model from being built (a layer whose output nobody uses).
    public let warnings: [SpecDiagnostic]
    /// Where the spec's parts are in its file, when it was read from one.
    public let locations: SpecLocations?
    /// The estimated memory of each node in bytes: parameters with gradients and optimiser state, activations
    /// for the training batch (or an evaluation batch of 1000), working memory.
    public let layerMemory: [Int]

    /// The estimated memory of the whole model in bytes (not counting the data set).
    public var estimatedMemory: Int { layerMemory.reduce(0) { $0.addingReportingOverflow($1).overflow ? Int.max : $0 + $1 } }
    /// The loss.
    public let loss: any Loss
    /// The optimiser, holding its per-parameter state.
    public let optimizer: any Optimizer
    /// Where each layer's type came from (`built-in`, `code`, `plugin NAME VERSION`).
    public let layerOrigins: [String]
    /// The smallest and largest input value of the data the model was trained on, if known: set by `Trainer`,
    /// saved in checkpoints (`input_range`) and restored by `load`, so that `predict` can warn about inputs
    /// scaled otherwise.
    public var trainingInputRange: ClosedRange<Float>?

    /// Reads, validates and instantiates a model file.
    /// - Throws: `ModelSpecError` listing every problem with its `file:line:column`.
    ///   - adjusting: changes applied to the parsed spec before it is instantiated (command-line overrides).
    public convenience init(
        yamlFile path: String, registry: LayerRegistry = .shared, memoryBudget: MemoryBudget = .automatic,
        adjusting: (inout ModelSpec) -> Void = { _ in }
    ) throws(ModelSpecError) {
        let text = try ModelSpecParser.readFile(path).get()
        try self.init(yaml: text, file: path, registry: registry, memoryBudget: memoryBudget, adjusting: adjusting)
    }

    /// Parses, validates and instantiates model YAML; `file` names it in diagnostics.
    public convenience init(
        yaml: String, file: String = "<model>", registry: LayerRegistry = .shared, memoryBudget: MemoryBudget = .automatic,
        adjusting: (inout ModelSpec) -> Void = { _ in }
    ) throws(ModelSpecError) {
        let (parsed, locations, diagnostics) = ModelSpecParser.parse(yaml: yaml, file: file)
        guard var spec = parsed else { throw ModelSpecError(diagnostics) }
        adjusting(&spec)
        var builder = ModelBuilder(spec: spec, locations: locations, registry: registry, budget: memoryBudget)
        let built = builder.build()
        guard diagnostics.isEmpty, let built else { throw ModelSpecError(diagnostics + builder.diagnostics) }
        self.init(spec: spec, built: built, locations: locations)
    }

    /// Validates and instantiates a spec built in code.
    public convenience init(spec: ModelSpec, registry: LayerRegistry = .shared, memoryBudget: MemoryBudget = .automatic) throws(ModelSpecError) {
        var builder = ModelBuilder(spec: spec, locations: nil, registry: registry, budget: memoryBudget)
        guard let built = builder.build() else { throw ModelSpecError(builder.diagnostics) }
        self.init(spec: spec, built: built, locations: nil)
    }

    private init(spec: ModelSpec, built: ModelBuilder.Built, locations: SpecLocations?) {
        self.locations = locations
        self.spec = spec
        network = built.network
        layerShapes = built.shapes
        loss = built.loss
        optimizer = built.optimizer
        layerOrigins = built.origins
        layerTypes = built.types
        layerPaths = built.paths
        warnings = built.warnings
        layerMemory = built.memory
    }

    /// What in the model file does not fit a data set: its sample shape against `input` (reported there) and its
    /// class count against the output (reported at the last layer). Empty when the data fits.
    public func dataDiagnostics(for data: DataSplit) -> [SpecDiagnostic] {
        var found: [SpecDiagnostic] = []
        let size = spec.input.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        for (name, set) in [("training", data.train), ("test", data.test)] {
            if set.sampleShape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) != size {
                found.append(SpecDiagnostic(
                    location: locations?.location("input"), message: "the \(name) samples have shape \(set.sampleShape), but the model's input is \(spec.input)",
                    hint: "set `input: [\(set.sampleShape.map(String.init).joined(separator: ", "))]`, or use a data set of this shape"))
                break
            }
            if set.count == 0 {
                found.append(SpecDiagnostic(location: locations?.location("data"), message: "the \(name) set is empty", hint: "check the data files"))
                break
            }
        }
        let classes = outputShape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        for (name, set) in [("training", data.train), ("test", data.test)] where set.isRegression && set.targetCount != classes {
            found.append(SpecDiagnostic(
                location: locations?.location("layers[\(max(spec.layers.count - 1, 0))]"),
                message: "the \(name) set has \(set.targetCount) regression targets per sample, but the model outputs \(classes) values",
                hint: "set the last layer's units to \(set.targetCount)"))
            return found
        }
        let dataClasses = max(data.train.classCount, data.test.classCount)
        if dataClasses > classes {
            let which = data.test.classCount > data.train.classCount ? "the test set has labels up to \(dataClasses - 1)" : "the data has \(dataClasses) classes"
            found.append(SpecDiagnostic(
                location: locations?.location("layers[\(max(spec.layers.count - 1, 0))]"),
                message: "\(which), but the model outputs \(classes) scores",
                hint: "set the last layer's units to \(dataClasses)"))
        }
        return found
    }

    /// The names of the nodes (or `input`) that node `index` takes, in order.
    public func inputNames(ofLayer index: Int) -> [String] {
        network.inputs[index].map { source in
            switch source {
            case .input: "input"
            case .node(let node): network.names[node]
            }
        }
    }

    /// Every parameter with its dotted name (`hidden.weight`, `layers.2.bias`).
    public var parameters: [NamedParameter] { network.parameters }

    /// The number of learnable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.parameter.value.count } }

    /// The per-sample output shape.
    public var outputShape: [Int] { layerShapes.last ?? spec.input }

    /// The regression targets a CSV data set holds per row for this model: one per output value when the loss takes
    /// target values (`MeanSquaredError`), else 0 (a class label).
    public var csvTargetColumns: Int {
        type(of: loss).takesTargetValues ? outputShape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue } : 0
    }

    /// Inference on a batch `[N] + input`.
    /// - Throws: `LayerError` when the batch does not have the model's input shape.
    public func predict(_ batch: Tensor) throws -> Tensor {
        guard batch.rank == spec.input.count + 1, Array(batch.shape.dropFirst()) == spec.input else {
            throw LayerError.inputShape(layer: "model '\(spec.name)'", expected: "[N, \(spec.input.map(String.init).joined(separator: ", "))]", got: batch.shape)
        }
        return try network.forward(batch, training: false)
    }

    /// A table of layers, output shapes and parameter counts, as `nnrun inspect` prints it.
    public var summary: String {
        let chain = network.isChain
        var rows: [[String]] = [["#", "layer", "output shape", "params"] + (chain ? [] : ["inputs"])]
        rows.append(["", "input", "\(spec.input)", ""] + (chain ? [] : [""]))
        for (index, (name, layer)) in zip(network.names, network.layers).enumerated() {
            let count = layer.parameters.reduce(0) { $0 + $1.parameter.value.count }
            rows.append(["\(index + 1)", "\(name) (\(layerTypes[index]))", "\(layerShapes[index])", count == 0 ? "-" : "\(count)"]
                        + (chain ? [] : [inputNames(ofLayer: index).joined(separator: ", ")]))
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).enumerated().map { index, pair in
                let padding = String(repeating: " ", count: pair.1 - pair.0.count)
                return index == 3 || index == 0 ? padding + pair.0 : pair.0 + padding
            }.joined(separator: "  ").replacing(/\ +$/, with: "")
        }
        var text = "model '\(spec.name)'\n"
        text += rows.map(line).joined(separator: "\n")
        text += "\ntotal parameters: \(parameterCount)"
        text += "\nestimated memory: \(MemoryBudget.format(estimatedMemory)) (batch \(spec.train.batchSize), parameters with gradients and optimizer state, activations)"
        text += "\nloss: \(spec.loss); optimizer: \(optimizer.typeName) "
        text += optimizer.hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\(Float($0.value))" }.joined(separator: " ")
        return text
    }
}
