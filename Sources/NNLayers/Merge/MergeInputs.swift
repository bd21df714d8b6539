/// Checks shared by the merge layers.
enum MergeInputs {
    /// The common per-sample shape of `shapes`, or an error for `layer` when they are not all equal.
    static func commonShape(_ shapes: [[Int]], layer: String) throws(ConfigurationError) -> [Int] {
        guard let first = shapes.first, shapes.allSatisfy({ $0 == first }) else {
            throw .inputShapes(layer: layer, requirement: "needs inputs of one shape", got: shapes)
        }
        return first
    }

    /// Checks a batch of inputs against the shapes the layer was built for: same count, batch and sample shape.
    static func check(_ inputs: [Tensor], expected shapes: [[Int]], layer: String) throws {
        let got = inputs.map(\.shape)
        guard inputs.count == shapes.count, let batch = got.first?.first,
              zip(got, shapes).allSatisfy({ $0.count == $1.count + 1 && $0.first == batch && $0.dropFirst().elementsEqual($1) })
        else {
            throw LayerError.inputShape(
                layer: layer, expected: shapes.map { "[N, \($0.map(String.init).joined(separator: ", "))]" }.joined(separator: " and "),
                got: got.first ?? [])
        }
    }
}
