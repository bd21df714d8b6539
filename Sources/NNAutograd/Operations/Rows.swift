import NNCore

/// Selects rows `x[indices]` of `[N, …]` (a mini-batch, or indexing). Gradient: `gy` added back into the
/// selected rows (rows chosen twice receive both gradients).
public final class Rows: Function {
    /// The selected row indices.
    public let indices: [Int]
    /// Creates the selection.
    public init(_ indices: [Int]) { self.indices = indices }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] { [try x[0].gatherRows(indices)] }
    override public func backward(_ gy: [Variable]) throws -> [Variable] {
        [try RowsGradient(indices: indices, shape: inputs[0].shape)(gy[0])]
    }
}

/// The adjoint of `Rows`: scatters rows of `gy` into zeros of `shape`, adding duplicates. Gradient: `Rows`.
public final class RowsGradient: Function {
    let indices: [Int]
    let shape: [Int]
    init(indices: [Int], shape: [Int]) {
        self.indices = indices
        self.shape = shape
    }
    override public func forward(_ x: [Tensor]) throws -> [Tensor] {
        var result = try Tensor.zeros(shape)
        let width = shape.dropFirst().reduce(1, *)
        x[0].withUnsafeBufferPointer { g in
            result.withUnsafeMutableBufferPointer { out in
                for (row, index) in indices.enumerated() {
                    for j in 0..<width { out[index * width + j] += g[row * width + j] }
                }
            }
        }
        return [result]
    }
    override public func backward(_ gy: [Variable]) throws -> [Variable] { [try rows(gy[0], indices)] }
}
