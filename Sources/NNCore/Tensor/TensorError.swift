/// An error raised by a tensor operation on user-supplied data.
///
/// Every case names the operation and the shapes involved, so a message reads like
/// `matmul: cannot multiply [128, 784] by [100, 10] (inner dimensions 784 and 100 differ)`.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The two operands of `operation` have shapes that do not fit together.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int], hint: String)
    /// A shape has a negative dimension, or its element count overflows `Int`.
    case invalidShape([Int])
    /// `count` scalars were given for a shape that holds `expected` scalars.
    case countMismatch(shape: [Int], expected: Int, count: Int)
    /// `axis` does not exist in a tensor of `shape`.
    case axisOutOfRange(operation: String, axis: Int, shape: [Int])
    /// The operation needs a tensor of a particular rank.
    case rankMismatch(operation: String, expected: Int, shape: [Int])
    /// A row range or index lies outside the tensor.
    case indexOutOfRange(operation: String, index: String, shape: [Int])
    /// The tensor has no elements, but the operation needs at least one.
    case empty(operation: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, lhs, rhs, hint):
            return "\(operation): shapes \(lhs) and \(rhs) do not fit\(hint.isEmpty ? "" : " (\(hint))")"
        case let .invalidShape(shape):
            return "invalid shape \(shape): dimensions must be non-negative and their product must fit in memory"
        case let .countMismatch(shape, expected, count):
            return "shape \(shape) holds \(expected) scalars, but \(count) were given"
        case let .axisOutOfRange(operation, axis, shape):
            return "\(operation): axis \(axis) is out of range for shape \(shape)"
        case let .rankMismatch(operation, expected, shape):
            return "\(operation): expected a rank-\(expected) tensor, got shape \(shape)"
        case let .indexOutOfRange(operation, index, shape):
            return "\(operation): index \(index) is out of range for shape \(shape)"
        case let .empty(operation):
            return "\(operation): the tensor is empty"
        }
    }
}
