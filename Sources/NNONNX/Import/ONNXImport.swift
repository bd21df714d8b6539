import Foundation
import NNCheckpoint
import NNLayers
import NNModel

/// An ONNX model mapped onto NNKit: a model spec and the weights for it, keyed by the spec's parameter names.
///
/// ```swift
/// let imported = try ONNXImport(contentsOf: "resnet.onnx")
/// try AtomicFile.write(Array(imported.spec.yamlText.utf8), to: "resnet.yaml")
/// let model = try imported.model()                  // weights loaded, ready to predict
/// ```
public struct ONNXImport: Sendable {
    /// The model spec: the graph's layers, with the `input` shape of the ONNX graph (without its batch axis).
    public var spec: ModelSpec
    /// The weights by NNKit parameter and buffer name (`conv1.weight`, `bn1.running_var`), in NNKit's layouts.
    public var weights: [String: StoredTensor]
    /// What the import did beyond a one-to-one mapping (folded nodes, transposed weights, aliases), one line each.
    public var notes: [String]

    /// Imports the ONNX file at `path`.
    /// - Throws: `ONNXError.unsupported` listing every node that has no NNKit form, `.invalidFile`, `.io`.
    public init(contentsOf path: String, name: String? = nil) throws(ONNXError) {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path, limit: ONNXImporter.maximumFileSize) } catch { throw ONNXError.io(path: path, reason: error.description) }
        let fallbackName = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        try self.init(data: Data(bytes), path: path, name: name ?? fallbackName)
    }

    /// Imports an ONNX model from its bytes; `path` names it in messages.
    public init(data: Data, path: String = "<onnx>", name: String? = nil) throws(ONNXError) {
        let proto: Onnx_ModelProto
        do { proto = try Onnx_ModelProto(serializedBytes: data) } catch {
            throw ONNXError.invalidFile(path: path, reason: "it is not an ONNX protobuf (\(error))")
        }
        var importer = ONNXImporter(model: proto, path: path)
        self = try importer.run(name: name)
    }

    init(spec: ModelSpec, weights: [String: StoredTensor], notes: [String]) {
        self.spec = spec
        self.weights = weights
        self.notes = notes
    }

    /// The weights as a checkpoint (what `nnrun import --weights` writes), with the spec in its metadata.
    public var checkpoint: Checkpoint {
        Checkpoint(tensors: weights, metadata: [Model.MetadataKey.modelSpec: spec.yamlText, Model.MetadataKey.modelName: spec.name])
    }

    /// Builds the model and loads the weights into it.
    public func model(registry: LayerRegistry = .shared, memoryBudget: MemoryBudget = .automatic) throws -> Model {
        let model = try Model(spec: spec, registry: registry, memoryBudget: memoryBudget)
        _ = try model.load(checkpoint, path: "<imported weights>", mode: .strict)
        return model
    }
}
