import Foundation

/// Collects the nodes and initializers of an ONNX graph while the exporter walks a network, and makes value and
/// node names unique.
struct ONNXGraphWriter {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    private var usedNames: Set<String> = ["input", "output"]

    /// A name not used yet for a value, node or initializer, `base` itself when it is free.
    mutating func uniqueName(_ base: String) -> String {
        var name = base, suffix = 1
        while usedNames.contains(name) {
            name = "\(base)_\(suffix)"
            suffix += 1
        }
        usedNames.insert(name)
        return name
    }

    /// Adds a float initializer under `name` (NNKit's dotted name for parameters) and returns its name.
    @discardableResult
    mutating func addInitializer(_ name: String, shape: [Int], values: [Float]) -> String {
        let unique = uniqueName(name)
        initializers.append(Onnx_TensorProto(name: unique, shape: shape, values: values))
        return unique
    }

    /// Adds an int64 initializer (a shape or an axis list) and returns its name.
    mutating func addIntegers(_ name: String, _ values: [Int64]) -> String {
        let unique = uniqueName(name)
        initializers.append(Onnx_TensorProto(name: unique, shape: [values.count], integers: values))
        return unique
    }

    /// Adds a node of `type` reading `inputs` and writing `output`, named `name`.
    mutating func addNode(_ type: String, name: String, inputs: [String], output: String, attributes: [Onnx_AttributeProto] = []) {
        var node = Onnx_NodeProto()
        node.opType = type
        node.name = name
        node.input = inputs
        node.output = [output]
        node.attribute = attributes
        nodes.append(node)
    }
}

extension Onnx_AttributeProto {
    /// An integer attribute.
    static func int(_ name: String, _ value: Int) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    /// An integer-list attribute.
    static func ints(_ name: String, _ values: [Int]) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map(Int64.init)
        return attribute
    }

    /// A float attribute.
    static func float(_ name: String, _ value: Float) -> Self {
        var attribute = Self()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }
}
