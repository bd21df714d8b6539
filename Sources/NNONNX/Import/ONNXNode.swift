import Foundation

/// One ONNX node being mapped: typed access to its attributes, checked against the attributes the mapping honours,
/// with every problem collected (never thrown one at a time) so that the error lists them all.
struct ONNXNode {
    let proto: Onnx_NodeProto
    /// Problems found with this node, each a full sentence without the node's name.
    private(set) var problems: [String] = []

    init(_ proto: Onnx_NodeProto) { self.proto = proto }

    /// `'name' (Type)`, how messages name the node.
    var label: String { "'\(proto.name.isEmpty ? proto.output.first ?? "?" : proto.name)' (\(proto.opType))" }

    /// The inputs that are given (an empty name means an omitted optional input).
    var inputs: [String] { proto.input }

    /// Records a problem.
    mutating func problem(_ text: String) { problems.append(text) }

    /// Marks the node as not mapped because an input already failed: nothing new to report, but its outputs fail too.
    mutating func reportsNothing() { dependsOnFailure = true }

    /// Whether an input came from a node that could not be mapped.
    private(set) var dependsOnFailure = false

    /// Records every attribute not in `known` as unsupported.
    mutating func allowAttributes(_ known: Set<String>) {
        for attribute in proto.attribute where !known.contains(attribute.name) {
            problem("attribute '\(attribute.name)' is not supported")
        }
    }

    private func attribute(_ name: String) -> Onnx_AttributeProto? { proto.attribute.first { $0.name == name } }

    /// An integer attribute, or `default` when absent.
    func int(_ name: String, default value: Int) -> Int {
        guard let attribute = attribute(name) else { return value }
        return Int(clamping: attribute.i)
    }

    /// A float attribute, or `default` when absent.
    func float(_ name: String, default value: Float) -> Float { attribute(name)?.f ?? value }

    /// An integer-list attribute, or `nil` when absent.
    func ints(_ name: String) -> [Int]? { attribute(name).map { $0.ints.map { Int(clamping: $0) } } }

    /// A string attribute, or `default` when absent.
    func string(_ name: String, default value: String) -> String {
        attribute(name).map { String(decoding: $0.s, as: UTF8.self) } ?? value
    }

    /// A tensor attribute (Constant's `value`).
    func tensor(_ name: String) -> Onnx_TensorProto? { attribute(name)?.t }

    /// Whether an attribute is present.
    func has(_ name: String) -> Bool { attribute(name) != nil }
}
