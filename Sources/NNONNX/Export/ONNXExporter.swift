import Foundation
import NNCheckpoint
import NNLayers
import NNModel

/// Writes a model's network as an ONNX graph: opset 17, one float input `input` of shape `[N] + input` with a
/// dynamic batch `N`, one output `output` (the last node's, before the loss: logits for a classifier), and the
/// parameters and buffers as initializers under their NNKit names (`conv1.weight`, `block1.bn1.running_mean`).
enum ONNXExporter {
    /// The operator set the exported graphs use.
    static let opset: Int64 = 17
    /// The IR version that goes with opset 17.
    static let irVersion: Int64 = 8

    /// The ONNX model of `model`.
    /// - Throws: `ONNXError.layersWithoutONNXForm` naming every layer that has none (plugin and custom layers).
    static func modelProto(of model: Model) throws(ONNXError) -> Onnx_ModelProto {
        let network = model.network
        let missing = zip(network.names, network.layers).enumerated().compactMap { index, pair in
            pair.1 is any ONNXExportable ? nil : (name: pair.0, type: model.layerTypes[index])
        }
        guard missing.isEmpty else { throw ONNXError.layersWithoutONNXForm(missing) }

        var graph = ONNXGraphWriter()
        var values: [String] = []
        for (index, layer) in network.layers.enumerated() {
            let isLast = index == network.layers.count - 1
            let inputs = network.inputs[index].map { source in
                switch source {
                case .input: "input"
                case .node(let node): values[node]
                }
            }
            let shapes = network.inputs[index].map { source in
                switch source {
                case .input: model.spec.input
                case .node(let node): model.layerShapes[node]
                }
            }
            let output = isLast ? "output" : graph.uniqueName(network.names[index])
            values.append(output)
            // The cast cannot fail: every layer was checked above.
            (layer as? any ONNXExportable)?.exportONNX(
                ExportedNode(name: network.names[index], inputs: inputs, inputShapes: shapes, output: output), into: &graph)
        }

        var proto = Onnx_GraphProto()
        proto.name = model.spec.name
        proto.node = graph.nodes
        proto.initializer = graph.initializers
        proto.input = [valueInfo("input", sampleShape: model.spec.input)]
        proto.output = [valueInfo("output", sampleShape: model.outputShape)]

        var modelProto = Onnx_ModelProto()
        modelProto.irVersion = irVersion
        modelProto.producerName = "NNKit"
        modelProto.graph = proto
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.domain = ""
        opsetID.version = opset
        modelProto.opsetImport = [opsetID]
        var spec = Onnx_StringStringEntryProto()
        spec.key = "nnkit.model_spec"
        spec.value = model.spec.yamlText
        modelProto.metadataProps = [spec]
        return modelProto
    }

    /// A float tensor value `[N] + sampleShape` with the symbolic batch dimension `N`.
    static func valueInfo(_ name: String, sampleShape: [Int]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        shape.dim = [batch] + sampleShape.map { size in
            var dimension = Onnx_TensorShapeProto.Dimension()
            dimension.dimValue = Int64(size)
            return dimension
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Onnx_TensorProto.ElementType.float.rawValue
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }
}

extension Model {
    /// The model as an ONNX file's bytes (opset 17, dynamic batch, parameters named as in NNKit checkpoints; the
    /// loss is not part of it).
    /// - Throws: `ONNXError.layersWithoutONNXForm` for plugin or custom layers.
    public func onnxData() throws(ONNXError) -> Data {
        let proto = try ONNXExporter.modelProto(of: self)
        do { return try proto.serializedData() } catch { throw ONNXError.invalidFile(path: spec.name, reason: "encoding failed: \(error)") }
    }

    /// Writes the model as an ONNX file at `path`, atomically (see `onnxData()`).
    public func exportONNX(to path: String) throws(ONNXError) {
        let data = try onnxData()
        do { try AtomicFile.write([UInt8](data), to: path) } catch { throw ONNXError.io(path: path, reason: error.description) }
    }
}
