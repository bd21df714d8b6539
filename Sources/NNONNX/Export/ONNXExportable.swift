import NNCore
import NNLayers

/// A layer that can write itself as ONNX nodes: built-in layers conform in `BuiltInLayers+ONNX.swift`.
protocol ONNXExportable {
    /// Adds the nodes (and initializers) that compute this layer from `node.inputs` into `node.output`.
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter)
}

/// One network node as the exporter sees it: its name, the ONNX values it reads and writes, and its input shapes.
struct ExportedNode {
    /// The node's name in the network (`conv1`, `block1.c1`), which prefixes its initializers.
    var name: String
    /// The ONNX values the node reads, in order.
    var inputs: [String]
    /// The per-sample shapes of those inputs.
    var inputShapes: [[Int]]
    /// The ONNX value the node writes.
    var output: String

    /// The single input, flattened to `[N, D]` by an extra Flatten node when a sample has more than one axis.
    func flatInput(_ graph: inout ONNXGraphWriter) -> String {
        guard inputShapes[0].count > 1 else { return inputs[0] }
        let flat = graph.uniqueName(name + "/flatten")
        graph.addNode("Flatten", name: flat, inputs: [inputs[0]], output: flat, attributes: [.int("axis", 1)])
        return flat
    }

    /// Adds `parameter` as the initializer `name.suffix` and returns its name.
    func initializer(_ suffix: String, _ tensor: Tensor, into graph: inout ONNXGraphWriter) -> String {
        graph.addInitializer(name + "." + suffix, shape: tensor.shape, values: tensor.scalars)
    }
}
