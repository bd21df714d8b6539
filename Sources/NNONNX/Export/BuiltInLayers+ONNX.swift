import NNCore
import NNLayers

// The ONNX form of each built-in layer. Parameters keep NNKit's layouts and dotted names: a Linear weight stays
// `[in, out]` (Gemm with transB = 0), a Conv2D weight is already ONNX's `[F, C/groups, kh, kw]`.

extension Linear: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        let x = node.flatInput(&graph)
        let w = node.initializer("weight", weight.value, into: &graph)
        // `activation: relu` is a Relu node after the product.
        let product = activation == nil ? node.output : graph.uniqueName(node.name + "/product")
        if let bias {
            graph.addNode("Gemm", name: node.name, inputs: [x, w, node.initializer("bias", bias.value, into: &graph)], output: product)
        } else {
            graph.addNode("MatMul", name: node.name, inputs: [x, w], output: product)
        }
        if activation == .relu { graph.addNode("Relu", name: node.name + "/relu", inputs: [product], output: node.output) }
    }
}

extension MatMul: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        let x = node.flatInput(&graph)
        graph.addNode("MatMul", name: node.name, inputs: [x, node.initializer("weight", weight.value, into: &graph)], output: node.output)
    }
}

extension ConvolutionGeometry {
    /// ONNX's window attributes: kernel, strides, symmetric pads `[top, left, bottom, right]` and dilations.
    var onnxAttributes: [Onnx_AttributeProto] {
        [.ints("kernel_shape", [kernelHeight, kernelWidth]), .ints("strides", [strideHeight, strideWidth]),
         .ints("pads", [paddingHeight, paddingWidth, paddingHeight, paddingWidth]), .ints("dilations", [dilationHeight, dilationWidth])]
    }
}

extension Conv2D: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        var inputs = [node.inputs[0], node.initializer("weight", weight.value, into: &graph)]
        if let bias { inputs.append(node.initializer("bias", bias.value, into: &graph)) }
        graph.addNode("Conv", name: node.name, inputs: inputs, output: node.output, attributes: geometry.onnxAttributes + [.int("group", groups)])
    }
}

extension MaxPool2D: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("MaxPool", name: node.name, inputs: node.inputs, output: node.output, attributes: geometry.onnxAttributes + [.int("ceil_mode", 0)])
    }
}

extension AvgPool2D: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        // NNKit divides by the whole window, padding included; ONNX's AveragePool has no dilations.
        let attributes = geometry.onnxAttributes.filter { $0.name != "dilations" } + [.int("count_include_pad", 1), .int("ceil_mode", 0)]
        graph.addNode("AveragePool", name: node.name, inputs: node.inputs, output: node.output, attributes: attributes)
    }
}

extension GlobalAvgPool2D: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        // GlobalAveragePool keeps `[N, C, 1, 1]`; NNKit's output is `[N, C]`.
        let pooled = graph.uniqueName(node.name + "/pooled")
        graph.addNode("GlobalAveragePool", name: pooled, inputs: node.inputs, output: pooled)
        graph.addNode("Flatten", name: node.name, inputs: [pooled], output: node.output, attributes: [.int("axis", 1)])
    }
}

extension Flatten: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Flatten", name: node.name, inputs: node.inputs, output: node.output, attributes: [.int("axis", 1)])
    }
}

extension BatchNorm: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        let inputs = [node.inputs[0], node.initializer("weight", gamma.value, into: &graph), node.initializer("bias", beta.value, into: &graph),
                      node.initializer("running_mean", runningMean.value, into: &graph), node.initializer("running_var", runningVariance.value, into: &graph)]
        // ONNX's momentum is the weight of the old running value: 1 − NNKit's (PyTorch's) update rate.
        graph.addNode("BatchNormalization", name: node.name, inputs: inputs, output: node.output,
                      attributes: [.float("epsilon", epsilon), .float("momentum", 1 - momentum)])
    }
}

extension LayerNorm: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        let inputs = [node.inputs[0], node.initializer("weight", gamma.value, into: &graph), node.initializer("bias", beta.value, into: &graph)]
        graph.addNode("LayerNormalization", name: node.name, inputs: inputs, output: node.output, attributes: [.int("axis", 1), .float("epsilon", epsilon)])
    }
}

extension Dropout: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        // The identity in inference; the ratio is kept so that an import gives the same layer back.
        let ratio = graph.addInitializer(node.name + ".ratio", shape: [], values: [rate])
        graph.addNode("Dropout", name: node.name, inputs: [node.inputs[0], ratio], output: node.output)
    }
}

extension ReLU: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Relu", name: node.name, inputs: node.inputs, output: node.output)
    }
}

extension Sigmoid: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Sigmoid", name: node.name, inputs: node.inputs, output: node.output)
    }
}

extension Tanh: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Tanh", name: node.name, inputs: node.inputs, output: node.output)
    }
}

extension Softmax: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Softmax", name: node.name, inputs: node.inputs, output: node.output, attributes: [.int("axis", 1)])
    }
}

extension LeakyReLU: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("LeakyRelu", name: node.name, inputs: node.inputs, output: node.output, attributes: [.float("alpha", alpha)])
    }
}

extension ELU: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Elu", name: node.name, inputs: node.inputs, output: node.output, attributes: [.float("alpha", alpha)])
    }
}

extension GELU: ONNXExportable {
    /// `x · ½(1 + erf(x/√2))` in the nodes PyTorch emits for `nn.GELU` below opset 20, which has no Gelu.
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        let x = node.inputs[0]
        let root2 = graph.addInitializer(node.name + ".sqrt2", shape: [], values: [Float(2).squareRoot()])
        let one = graph.addInitializer(node.name + ".one", shape: [], values: [1])
        let half = graph.addInitializer(node.name + ".half", shape: [], values: [0.5])
        let (scaled, erf, shifted, product) = (graph.uniqueName(node.name + "/div"), graph.uniqueName(node.name + "/erf"),
                                               graph.uniqueName(node.name + "/add"), graph.uniqueName(node.name + "/mul"))
        graph.addNode("Div", name: scaled, inputs: [x, root2], output: scaled)
        graph.addNode("Erf", name: erf, inputs: [scaled], output: erf)
        graph.addNode("Add", name: shifted, inputs: [erf, one], output: shifted)
        graph.addNode("Mul", name: product, inputs: [x, shifted], output: product)
        graph.addNode("Mul", name: node.name, inputs: [product, half], output: node.output)
    }
}

extension Identity: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Identity", name: node.name, inputs: node.inputs, output: node.output)
    }
}

/// Writes an n-ary merge as a chain of binary `type` nodes, the last one writing the node's output.
private func chain(_ type: String, _ node: ExportedNode, into graph: inout ONNXGraphWriter) {
    var running = node.inputs[0]
    for (index, next) in node.inputs.dropFirst().enumerated() {
        let isLast = index == node.inputs.count - 2
        let output = isLast ? node.output : graph.uniqueName("\(node.name)/\(index)")
        graph.addNode(type, name: isLast ? node.name : output, inputs: [running, next], output: output)
        running = output
    }
}

extension Add: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) { chain("Add", node, into: &graph) }
}

extension Multiply: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) { chain("Mul", node, into: &graph) }
}

extension Concatenate: ONNXExportable {
    func exportONNX(_ node: ExportedNode, into graph: inout ONNXGraphWriter) {
        graph.addNode("Concat", name: node.name, inputs: node.inputs, output: node.output, attributes: [.int("axis", axis + 1)])
    }
}
