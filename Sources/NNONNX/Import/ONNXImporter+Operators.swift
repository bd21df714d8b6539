import NNCheckpoint
import NNCore
import NNLayers

// The mapping of each supported ONNX operator onto an NNKit layer. Each checks the attributes it honours and
// records a problem for anything else, so that an import is either faithful or refused.

extension ONNXImporter {
    mutating func map(_ node: inout ONNXNode, index: Int) {
        let proto = node.proto
        switch proto.opType {
        case "Constant": mapConstant(&node)
        case "Gemm": mapGemm(&node)
        case "MatMul": mapMatMul(&node)
        case "Conv": mapConv(&node)
        case "MaxPool", "AveragePool": mapPool(&node)
        case "GlobalAveragePool": mapGlobalAveragePool(&node)
        case "BatchNormalization": mapBatchNormalization(&node)
        case "LayerNormalization": mapLayerNormalization(&node)
        case "Relu", "Sigmoid", "Tanh":
            node.allowAttributes([])
            mapElementwise(&node, type: ["Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh"][proto.opType] ?? "")
        case "LeakyRelu":
            node.allowAttributes(["alpha"])
            mapElementwise(&node, type: "LeakyReLU", options: ["alpha": floatOption(node.float("alpha", default: 0.01))])
        case "Elu":
            node.allowAttributes(["alpha"])
            mapElementwise(&node, type: "ELU", options: ["alpha": floatOption(node.float("alpha", default: 1))])
        case "Gelu":
            node.allowAttributes(["approximate"])
            let approximation = node.string("approximate", default: "none")
            if approximation != "none" { node.problem("approximate '\(approximation)' is not supported (NNKit's GELU is the exact erf form)") }
            mapElementwise(&node, type: "GELU")
        case "Div": mapErfGELU(&node, index: index)
        case "Softmax": mapSoftmax(&node)
        case "Flatten": mapFlatten(&node)
        case "Reshape": mapReshape(&node)
        case "Identity":
            node.allowAttributes([])
            guard let input = proto.input.first, let output = proto.output.first else { return node.problem("it needs one input and one output") }
            if let tensor = constants[input] {
                constants[output] = tensor
            } else if let value = value(input, of: &node) {
                values[output] = value
            }
        case "Dropout": mapDropout(&node)
        case "Pad": mapPad(&node)
        case "Add", "Sum", "Mul": mapMerge(&node)
        case "Concat": mapConcat(&node)
        default: node.problem("NNKit has no layer for this operator")
        }
    }

    /// Uses the first input of an elementwise node, which keeps its shape.
    mutating func mapElementwise(_ node: inout ONNXNode, type: String, options: [String: ConfigValue] = [:]) {
        guard node.inputs.count == 1, let input = value(node.inputs[0], of: &node) else {
            if node.inputs.count != 1 { node.problem("it has \(node.inputs.count) inputs where 1 was expected") }
            return
        }
        addLayer(type, for: node, options: options, inputs: [input], shape: input.shape, onnxShape: input.onnxShape)
    }

    mutating func mapConstant(_ node: inout ONNXNode) {
        node.allowAttributes(["value", "value_float", "value_floats", "value_int", "value_ints"])
        let name = node.proto.output.first ?? ""
        if let tensor = node.tensor("value") {
            var named = tensor
            named.name = name
            constants[name] = named
        } else if node.has("value_float") {
            constants[name] = Onnx_TensorProto(name: name, shape: [], values: [node.float("value_float", default: 0)])
        } else if node.has("value_int") {
            constants[name] = Onnx_TensorProto(name: name, shape: [], integers: [Int64(node.int("value_int", default: 0))])
        } else if let list = node.ints("value_ints") {
            constants[name] = Onnx_TensorProto(name: name, shape: [list.count], integers: list.map(Int64.init))
        } else {
            node.problem("it holds no value NNKit reads (value, value_float(s), value_int(s))")
        }
    }

    mutating func mapGemm(_ node: inout ONNXNode) {
        node.allowAttributes(["alpha", "beta", "transA", "transB"])
        let inputs = node.inputs
        guard inputs.count == 2 || inputs.count == 3 else { return node.problem("it has \(inputs.count) inputs where 2 or 3 were expected") }
        if node.int("transA", default: 0) != 0 { node.problem("transA = 1 is not supported") }
        guard let x = value(inputs[0], of: &node), let (b, bShape) = constant(inputs[1], "weight B", of: &node) else { return }
        guard bShape.count == 2 else { return node.problem("its weight has shape \(bShape), not a matrix") }
        let transposed = node.int("transB", default: 0) != 0
        let (rows, columns) = transposed ? (bShape[1], bShape[0]) : (bShape[0], bShape[1])
        guard x.onnxShape.count == 1, x.shape.reduce(1, *) == rows else {
            return node.problem("its input has shape [N, \(x.onnxShape.map(String.init).joined(separator: ", "))] where [N, \(rows)] was expected")
        }
        let alpha = node.float("alpha", default: 1), beta = node.float("beta", default: 1)
        var weight = transposed ? transpose(b, rows: bShape[0], columns: bShape[1]) : b
        if alpha != 1 { weight = weight.map { $0 * alpha } }
        var weights = ["weight": StoredTensor(shape: [rows, columns], values: weight)]
        if inputs.count == 3, !inputs[2].isEmpty {
            guard let (c, _) = constant(inputs[2], "bias C", of: &node) else { return }
            guard c.count == columns || c.count == 1 else { return node.problem("its bias has \(c.count) values for \(columns) outputs; NNKit adds one per output") }
            weights["bias"] = StoredTensor(shape: [columns], values: (c.count == 1 ? Array(repeating: c[0], count: columns) : c).map { $0 * beta })
        }
        if transposed { notes.append("\(node.label): weight transposed from [out, in] to NNKit's [in, out]") }
        addLayer("Linear", for: node, preferredName: preferredName(weight: inputs[1], node: node),
                 options: ["units": .int(columns)].merging(weights["bias"] == nil ? ["bias": .bool(false)] : [:]) { $1 },
                 inputs: [x], weights: weights, shape: [columns])
    }

    /// MatMul by a constant matrix: a Linear layer, with the bias of a following Add folded in (how PyTorch exports
    /// `nn.Linear` on inputs of more than two axes), or a MatMul layer.
    mutating func mapMatMul(_ node: inout ONNXNode) {
        node.allowAttributes([])
        let inputs = node.inputs
        guard inputs.count == 2 else { return node.problem("it has \(inputs.count) inputs where 2 were expected") }
        guard let x = value(inputs[0], of: &node), let (w, wShape) = constant(inputs[1], "weight", of: &node) else { return }
        guard wShape.count == 2 else { return node.problem("its weight has shape \(wShape); NNKit multiplies by a matrix") }
        guard x.onnxShape.count == 1, x.shape.reduce(1, *) == wShape[0] else {
            return node.problem("its input has shape [N, \(x.onnxShape.map(String.init).joined(separator: ", "))] where [N, \(wShape[0])] was expected")
        }
        let output = node.proto.output.first ?? ""
        let weightName = preferredName(weight: inputs[1], node: node)
        if let addIndex = soleConsumer(of: output), nodes[addIndex].opType == "Add", nodes[addIndex].attribute.isEmpty,
           let biasName = nodes[addIndex].input.first(where: { $0 != output }), nodes[addIndex].input.count == 2,
           let bias = try? constants[biasName]?.floatValues(), bias.count == wShape[1] {
            folded.insert(addIndex)
            notes.append("\(node.label) and the Add '\(nodes[addIndex].name)' after it: one Linear layer with bias")
            addLayer("Linear", for: node, preferredName: weightName, options: ["units": .int(wShape[1])], inputs: [x],
                     weights: ["weight": StoredTensor(shape: wShape, values: w), "bias": StoredTensor(shape: [wShape[1]], values: bias)],
                     shape: [wShape[1]], output: nodes[addIndex].output.first)
        } else {
            addLayer("Linear", for: node, preferredName: weightName, options: ["units": .int(wShape[1]), "bias": .bool(false)], inputs: [x],
                     weights: ["weight": StoredTensor(shape: wShape, values: w)], shape: [wShape[1]])
        }
    }

    /// The window of a Conv or pooling node as NNKit options, checking what NNKit cannot express.
    func window(_ node: inout ONNXNode, kernel: [Int]?, allowsDilation: Bool) -> (kernel: [Int], stride: [Int], padding: [Int], dilation: [Int])? {
        let autoPad = node.string("auto_pad", default: "NOTSET")
        if autoPad != "NOTSET" && autoPad != "VALID" { node.problem("auto_pad \(autoPad) is not supported; export with explicit pads") }
        guard let kernel = kernel ?? node.ints("kernel_shape"), kernel.count == 2, kernel.allSatisfy({ $0 >= 1 }) else {
            node.problem("it is not a 2-D window (kernel_shape \(node.ints("kernel_shape") ?? []))")
            return nil
        }
        let stride = node.ints("strides") ?? [1, 1]
        let pads = autoPad == "VALID" ? [0, 0, 0, 0] : node.ints("pads") ?? [0, 0, 0, 0]
        let dilation = node.ints("dilations") ?? [1, 1]
        guard stride.count == 2, pads.count == 4, dilation.count == 2 else {
            node.problem("strides \(stride), pads \(pads) or dilations \(dilation) do not describe a 2-D window")
            return nil
        }
        let limit = 4096
        guard (kernel + stride + dilation).allSatisfy({ (1...limit).contains($0) }), pads.allSatisfy({ (0...limit).contains($0) }) else {
            node.problem("kernel \(kernel), strides \(stride), pads \(pads) or dilations \(dilation) are outside NNKit's range (1 to \(limit), pads from 0)")
            return nil
        }
        if pads[0] != pads[2] || pads[1] != pads[3] { node.problem("pads \(pads) are not symmetric; NNKit pads both sides alike") }
        if !allowsDilation && dilation != [1, 1] { node.problem("dilations \(dilation) are not supported") }
        return (kernel, stride, [pads[0], pads[1]], dilation)
    }

    /// The output size of a window along one axis.
    func windowOutput(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceil: Bool = false) -> Int {
        let span = size + 2 * padding - dilation * (kernel - 1) - 1
        return (ceil ? (span + stride - 1) / stride : span / stride) + 1
    }

    mutating func mapConv(_ node: inout ONNXNode) {
        node.allowAttributes(["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"])
        let inputs = node.inputs
        guard inputs.count == 2 || inputs.count == 3 else { return node.problem("it has \(inputs.count) inputs where 2 or 3 were expected") }
        guard let x = value(inputs[0], of: &node), let (w, wShape) = constant(inputs[1], "weight", of: &node) else { return }
        guard x.shape.count == 3, x.shape == x.onnxShape || x.pendingPadding != [0, 0] else { return node.problem("its input has shape \(x.onnxShape) where [C, H, W] was expected") }
        guard wShape.count == 4 else { return node.problem("its weight has shape \(wShape); NNKit has 2-D convolutions") }
        let groups = node.int("group", default: 1)
        guard groups >= 1, wShape[1].multipliedReportingOverflow(by: groups) == (x.shape[0], false) else { return node.problem("its weight \(wShape) and group \(groups) do not fit \(x.shape[0]) input channels") }
        if let kernel = node.ints("kernel_shape"), kernel != [wShape[2], wShape[3]] { node.problem("kernel_shape \(kernel) differs from the weight's \(wShape)") }
        guard var window = window(&node, kernel: [wShape[2], wShape[3]], allowsDilation: true) else { return }
        window.padding = zip(window.padding, x.pendingPadding).map { $0 + $1 }
        var weights = ["weight": StoredTensor(shape: wShape, values: w)]
        var options: [String: ConfigValue] = ["filters": .int(wShape[0]), "kernel": pairOption(window.kernel)]
        if window.stride != [1, 1] { options["stride"] = pairOption(window.stride) }
        if window.padding != [0, 0] { options["padding"] = pairOption(window.padding) }
        if window.dilation != [1, 1] { options["dilation"] = pairOption(window.dilation) }
        if groups != 1 { options["groups"] = .int(groups) }
        if inputs.count == 3, !inputs[2].isEmpty {
            guard let (b, _) = constant(inputs[2], "bias", of: &node) else { return }
            guard b.count == wShape[0] else { return node.problem("its bias has \(b.count) values for \(wShape[0]) filters") }
            weights["bias"] = StoredTensor(shape: [wShape[0]], values: b)
        } else {
            options["bias"] = .bool(false)
        }
        let height = windowOutput(x.shape[1], kernel: window.kernel[0], stride: window.stride[0], padding: window.padding[0], dilation: window.dilation[0])
        let width = windowOutput(x.shape[2], kernel: window.kernel[1], stride: window.stride[1], padding: window.padding[1], dilation: window.dilation[1])
        guard height >= 1, width >= 1 else { return node.problem("its window is larger than the input \(x.shape)") }
        addLayer("Conv2D", for: node, preferredName: preferredName(weight: inputs[1], node: node), options: options, inputs: [x], weights: weights,
                 shape: [wShape[0], height, width])
    }

    mutating func mapPool(_ node: inout ONNXNode) {
        let isMax = node.proto.opType == "MaxPool"
        node.allowAttributes(isMax ? ["auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"]
                                   : ["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"])
        if node.proto.output.count > 1, !node.proto.output[1].isEmpty, consumers[node.proto.output[1]] != nil || graphOutputs.contains(node.proto.output[1]) {
            node.problem("its Indices output is used; NNKit's MaxPool2D has none")
        }
        guard node.inputs.count == 1, let x = value(node.inputs[0], of: &node) else { return }
        guard x.shape.count == 3, x.shape == x.onnxShape || (!isMax && x.pendingPadding != [0, 0]) else {
            return node.problem("its input has shape \(x.onnxShape) where [C, H, W] was expected")
        }
        guard var window = window(&node, kernel: nil, allowsDilation: isMax) else { return }
        let ownPadding = window.padding
        window.padding = zip(window.padding, x.pendingPadding).map { $0 + $1 }
        var sizes: [Int] = []
        for axis in 0..<2 {
            let floor = windowOutput(x.shape[axis + 1], kernel: window.kernel[axis], stride: window.stride[axis], padding: window.padding[axis], dilation: window.dilation[axis])
            let ceil = windowOutput(x.shape[axis + 1], kernel: window.kernel[axis], stride: window.stride[axis], padding: window.padding[axis], dilation: window.dilation[axis], ceil: true)
            if node.int("ceil_mode", default: 0) != 0 && ceil != floor { node.problem("ceil_mode = 1 gives another output size than NNKit's floor mode") }
            sizes.append(floor)
        }
        if !isMax && ownPadding != [0, 0] && node.int("count_include_pad", default: 0) == 0 {
            node.problem("count_include_pad = 0 with padding is not supported (NNKit divides by the whole window)")
        }
        guard sizes.allSatisfy({ $0 >= 1 }) else { return node.problem("its window is larger than the input \(x.shape)") }
        var options: [String: ConfigValue] = ["kernel": pairOption(window.kernel)]
        if window.stride != window.kernel { options["stride"] = pairOption(window.stride) }
        if window.padding != [0, 0] { options["padding"] = pairOption(window.padding) }
        if window.dilation != [1, 1] { options["dilation"] = pairOption(window.dilation) }
        addLayer(isMax ? "MaxPool2D" : "AvgPool2D", for: node, options: options, inputs: [x], shape: [x.shape[0]] + sizes)
    }

    /// Zero padding of the image axes: nothing when the pads are all zero, else taken over as padding by the Conv or
    /// AveragePool that reads it (how PyTorch exports `nn.AvgPool2d` with padding).
    mutating func mapPad(_ node: inout ONNXNode) {
        node.allowAttributes(["mode"])
        let inputs = node.inputs
        guard (2...3).contains(inputs.count), let x = value(inputs[0], of: &node), let output = node.proto.output.first else {
            return node.problem("it needs the data and constant pads (opset 11 or newer)")
        }
        guard let pads = constants[inputs[1]]?.integerValues() else { return node.problem("its pads are not a constant integer list") }
        if pads.allSatisfy({ $0 == 0 }) {
            values[output] = x
            return
        }
        let rank = x.onnxShape.count + 1
        guard pads.count == 2 * rank, rank == 4, x.shape == x.onnxShape else { return node.problem("pads \(pads) of [N, \(x.onnxShape)] are not image padding") }
        let (top, left, bottom, right) = (pads[2], pads[3], pads[6], pads[7])
        guard pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0, top == bottom, left == right, top >= 0, left >= 0, top <= 4096, left <= 4096 else {
            return node.problem("pads \(pads) are not symmetric zero padding of the image axes")
        }
        if node.string("mode", default: "constant") != "constant" { node.problem("mode '\(node.string("mode", default: ""))' is not supported (only zeros)") }
        if inputs.count == 3, !inputs[2].isEmpty, (try? constants[inputs[2]]?.floatValues()) != [0] { node.problem("only zero padding is supported") }
        guard let reader = soleConsumer(of: output), ["Conv", "AveragePool"].contains(nodes[reader].opType) else {
            return node.problem("padding is supported only right before a Conv or AveragePool, which take it over")
        }
        var padded = x
        padded.pendingPadding = [Int(top), Int(left)]
        padded.onnxShape = [x.shape[0], x.shape[1] + 2 * Int(top), x.shape[2] + 2 * Int(left)]
        values[output] = padded
        notes.append("\(node.label): its padding taken over by the '\(nodes[reader].name)' after it")
    }

    mutating func mapGlobalAveragePool(_ node: inout ONNXNode) {
        node.allowAttributes([])
        guard node.inputs.count == 1, let x = value(node.inputs[0], of: &node) else { return }
        guard x.shape.count == 3, x.shape == x.onnxShape else { return node.problem("its input has shape \(x.onnxShape) where [C, H, W] was expected") }
        addLayer("GlobalAvgPool2D", for: node, inputs: [x], shape: [x.shape[0]], onnxShape: [x.shape[0], 1, 1])
    }

    mutating func mapBatchNormalization(_ node: inout ONNXNode) {
        node.allowAttributes(["epsilon", "momentum", "training_mode", "spatial"])
        let inputs = node.inputs
        guard inputs.count == 5 else { return node.problem("it has \(inputs.count) inputs where 5 were expected") }
        if node.int("training_mode", default: 0) != 0 { node.problem("training_mode = 1 is not supported; export the model in eval mode") }
        if node.int("spatial", default: 1) != 1 { node.problem("spatial = 0 is not supported") }
        if node.proto.output.dropFirst().contains(where: { !$0.isEmpty && consumers[$0] != nil }) { node.problem("its running-statistics outputs are used") }
        guard let x = value(inputs[0], of: &node) else { return }
        let channels = x.shape[0]
        guard x.shape.count == 1 || x.shape.count == 3 else { return node.problem("its input has shape \(x.onnxShape) where [C] or [C, H, W] was expected") }
        var weights: [String: StoredTensor] = [:]
        for (input, key) in zip(inputs.dropFirst(), ["weight", "bias", "running_mean", "running_var"]) {
            guard let (values, _) = constant(input, key, of: &node) else { return }
            guard values.count == channels else { return node.problem("its \(key) has \(values.count) values for \(channels) channels") }
            weights[key] = StoredTensor(shape: [channels], values: values)
        }
        let momentum = 1 - node.float("momentum", default: 0.9)
        addLayer("BatchNorm", for: node, preferredName: preferredName(weight: inputs[1], node: node),
                 options: ["epsilon": floatOption(node.float("epsilon", default: 1e-5)), "momentum": floatOption(momentum > 0 && momentum <= 1 ? momentum : 0.1)],
                 inputs: [x], weights: weights, shape: x.shape, onnxShape: x.onnxShape)
    }

    mutating func mapLayerNormalization(_ node: inout ONNXNode) {
        node.allowAttributes(["axis", "epsilon", "stash_type"])
        let inputs = node.inputs
        guard inputs.count == 2 || inputs.count == 3 else { return node.problem("it has \(inputs.count) inputs where 2 or 3 were expected") }
        guard let x = value(inputs[0], of: &node), let (scale, _) = constant(inputs[1], "scale", of: &node) else { return }
        let rank = x.onnxShape.count + 1
        let axis = node.int("axis", default: -1)
        if (axis < 0 ? axis + rank : axis) != 1 { node.problem("axis \(axis) normalises part of a sample; NNKit's LayerNorm normalises all of it") }
        let count = x.shape.reduce(1, *)
        guard scale.count == count else { return node.problem("its scale has \(scale.count) values for samples of \(count)") }
        var bias = [Float](repeating: 0, count: count)
        if inputs.count == 3, !inputs[2].isEmpty {
            guard let (values, _) = constant(inputs[2], "bias", of: &node) else { return }
            guard values.count == count else { return node.problem("its bias has \(values.count) values for samples of \(count)") }
            bias = values
        }
        addLayer("LayerNorm", for: node, preferredName: preferredName(weight: inputs[1], node: node),
                 options: ["epsilon": floatOption(node.float("epsilon", default: 1e-5))], inputs: [x],
                 weights: ["weight": StoredTensor(shape: x.shape, values: scale), "bias": StoredTensor(shape: x.shape, values: bias)],
                 shape: x.shape, onnxShape: x.onnxShape)
    }

    /// `Div(x, √2) → Erf → Add 1 → Mul x → Mul ½`, GELU as exported below opset 20: one GELU layer.
    mutating func mapErfGELU(_ node: inout ONNXNode, index: Int) {
        let proto = node.proto
        /// The only reader of `value` and its output, when it is a node of `type` with the inputs that type has.
        func next(_ value: String?, _ type: String) -> (node: Onnx_NodeProto, output: String)? {
            guard let value, let reader = soleConsumer(of: value), nodes[reader].opType == type,
                  nodes[reader].input.count == (type == "Erf" ? 1 : 2), let output = nodes[reader].output.first else { return nil }
            return (nodes[reader], output)
        }
        func other(_ node: Onnx_NodeProto, than value: String) -> String? { node.input.first { $0 != value } }
        guard proto.input.count == 2, isScalarConstant(proto.input[1], Float(2).squareRoot()), let x = proto.input.first,
              let (erf, erfOutput) = next(proto.output.first, "Erf"), let (add, addOutput) = next(erfOutput, "Add"),
              let one = other(add, than: erfOutput), isScalarConstant(one, 1),
              let (mul, mulOutput) = next(addOutput, "Mul"), other(mul, than: addOutput) == x,
              let (half, halfOutput) = next(mulOutput, "Mul"), let halfValue = other(half, than: mulOutput), isScalarConstant(halfValue, 0.5),
              let input = value(x, of: &node)
        else {
            return node.problem("NNKit has no layer for Div (it is imported only as part of GELU's erf form)")
        }
        for (offset, candidate) in nodes.enumerated() where [erf, add, mul, half].contains(candidate) { folded.insert(offset) }
        notes.append("\(node.label) and the 4 nodes after it (erf form): one GELU layer")
        addLayer("GELU", for: node, inputs: [input], shape: input.shape, onnxShape: input.onnxShape, output: halfOutput)
    }

    mutating func mapSoftmax(_ node: inout ONNXNode) {
        node.allowAttributes(["axis"])
        guard node.inputs.count == 1, let x = value(node.inputs[0], of: &node) else { return }
        let axis = node.int("axis", default: opset >= 13 ? -1 : 1)
        guard x.onnxShape.count == 1, axis == 1 || axis == -1 else {
            return node.problem("softmax over axis \(axis) of [N, \(x.onnxShape.map(String.init).joined(separator: ", "))]; NNKit's Softmax takes [N, C]")
        }
        addLayer("Softmax", for: node, inputs: [x], shape: x.shape)
    }

    mutating func mapFlatten(_ node: inout ONNXNode) {
        node.allowAttributes(["axis"])
        guard node.inputs.count == 1, let x = value(node.inputs[0], of: &node) else { return }
        let rank = x.onnxShape.count + 1, axis = node.int("axis", default: 1)
        guard (axis < 0 ? axis + rank : axis) == 1 else { return node.problem("axis \(axis) is not supported; NNKit flattens everything but the batch") }
        flatten(x, node: node)
    }

    /// Reshape to `[N, D]` (a flatten, with the batch given as 0, −1 or the export's fixed size) or to the shape it
    /// already has.
    mutating func mapReshape(_ node: inout ONNXNode) {
        node.allowAttributes(["allowzero"])
        guard node.inputs.count == 2, let x = value(node.inputs[0], of: &node) else { return }
        guard let target = constants[node.inputs[1]]?.integerValues() else {
            return node.problem("its shape is computed in the graph (as `x.view(x.size(0), -1)` exports); use torch.flatten or nn.Flatten, or export with constant folding")
        }
        let count = x.shape.reduce(1, *)
        let sample = Array(target.dropFirst())
        if target.count == 2, sample == [-1] || sample == [Int64(count)] {
            return flatten(x, node: node)
        }
        if sample.map({ Int($0) }) == x.onnxShape, let output = node.proto.output.first {
            values[output] = x
            return
        }
        node.problem("reshape of [N, \(x.onnxShape.map(String.init).joined(separator: ", "))] to \(target) is not supported; NNKit reshapes only to [N, D]")
    }

    /// A Flatten layer, or nothing for a value that is already flat in NNKit.
    mutating func flatten(_ x: Value, node: ONNXNode) {
        let count = x.shape.reduce(1, *)
        if x.shape.count == 1, let output = node.proto.output.first {
            values[output] = Value(layer: x.layer, shape: x.shape, onnxShape: [count])
            return
        }
        addLayer("Flatten", for: node, inputs: [x], shape: [count])
    }

    mutating func mapDropout(_ node: inout ONNXNode) {
        node.allowAttributes(["ratio", "seed"])
        let inputs = node.inputs
        guard (1...3).contains(inputs.count), let x = value(inputs[0], of: &node) else { return }
        if node.proto.output.count > 1, !node.proto.output[1].isEmpty, consumers[node.proto.output[1]] != nil { node.problem("its mask output is used") }
        var rate = node.float("ratio", default: 0.5)
        if inputs.count >= 2, !inputs[1].isEmpty {
            guard let (values, _) = constant(inputs[1], "ratio", of: &node), values.count == 1 else { return }
            rate = values[0]
        }
        if inputs.count == 3, !inputs[2].isEmpty {
            guard let (values, _) = constant(inputs[2], "training_mode", of: &node), values == [0] else { return node.problem("training_mode must be a constant false") }
        }
        guard rate >= 0, rate < 1 else { return node.problem("ratio \(rate) is outside [0, 1)") }
        addLayer("Dropout", for: node, options: ["rate": floatOption(rate)], inputs: [x], weights: [:], shape: x.shape, onnxShape: x.onnxShape)
        layers[layers.count - 1].weights["calls"] = StoredTensor(shape: [1], values: [0])
    }

    /// Add and Mul of two computed values of one shape, and Sum of several: the Add and Multiply merge layers.
    mutating func mapMerge(_ node: inout ONNXNode) {
        node.allowAttributes([])
        let type = node.proto.opType == "Mul" ? "Multiply" : "Add"
        guard node.inputs.count >= (node.proto.opType == "Sum" ? 1 : 2) else { return node.problem("it has too few inputs") }
        if node.proto.opType != "Sum" && node.inputs.count != 2 { return node.problem("it has \(node.inputs.count) inputs where 2 were expected") }
        if let constant = node.inputs.first(where: { constants[$0] != nil }) {
            return node.problem("its operand '\(constant)' is a constant; NNKit imports \(node.proto.opType) of computed values (a bias Add only right after MatMul)")
        }
        var operands: [Value] = []
        for input in node.inputs {
            guard let operand = value(input, of: &node) else { return }
            operands.append(operand)
        }
        guard operands.allSatisfy({ $0.onnxShape == operands[0].onnxShape }) else {
            return node.problem("its operands have shapes \(operands.map(\.onnxShape)); NNKit does not broadcast")
        }
        if operands.count == 1, let output = node.proto.output.first {
            values[output] = operands[0]
            return
        }
        addLayer(type, for: node, inputs: operands, shape: operands[0].shape, onnxShape: operands[0].onnxShape)
    }

    mutating func mapConcat(_ node: inout ONNXNode) {
        node.allowAttributes(["axis"])
        guard node.inputs.count >= 2 else { return node.problem("it has \(node.inputs.count) inputs; NNKit concatenates two or more") }
        var operands: [Value] = []
        for input in node.inputs {
            guard let operand = value(input, of: &node) else { return }
            operands.append(operand)
        }
        let rank = operands[0].onnxShape.count + 1
        let given = node.int("axis", default: 1), axis = given < 0 ? given + rank : given
        guard axis >= 1, axis < rank else { return node.problem("axis \(given) is the batch axis or out of range") }
        let sampleAxis = axis - 1
        guard operands.allSatisfy({ $0.shape == $0.onnxShape || sampleAxis == 0 }) else { return node.problem("axis \(given) of a pooled [C, 1, 1] value is not supported") }
        let shapes = operands.map(\.shape)
        guard shapes.allSatisfy({ $0.count == shapes[0].count && sampleAxis < $0.count }),
              shapes.allSatisfy({ shape in shape.indices.allSatisfy { $0 == sampleAxis || shape[$0] == shapes[0][$0] } }) else {
            return node.problem("its inputs \(shapes) do not agree off axis \(given)")
        }
        var shape = shapes[0], onnxShape = operands[0].onnxShape
        var joined = 0
        for part in shapes {
            let (sum, overflow) = joined.addingReportingOverflow(part[sampleAxis])
            guard !overflow, sum <= Self.maximumValueCount else { return node.problem("its output is too large") }
            joined = sum
        }
        shape[sampleAxis] = joined
        onnxShape[sampleAxis] = shape[sampleAxis]
        addLayer("Concatenate", for: node, options: sampleAxis == 0 ? [:] : ["axis": .int(sampleAxis)], inputs: operands, shape: shape, onnxShape: onnxShape)
    }
}

/// The transpose of a `rows × columns` row-major matrix.
func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
    var result = [Float](repeating: 0, count: values.count)
    for row in 0..<rows {
        for column in 0..<columns { result[column * rows + row] = values[row * columns + column] }
    }
    return result
}
