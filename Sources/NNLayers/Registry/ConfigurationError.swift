/// A problem with one option of a layer's configuration; the model module adds the file location.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A required option is absent.
    case missing(key: String, expected: String)
    /// The option has a value of the wrong kind.
    case wrongType(key: String, expected: String, found: String)
    /// The option's value is outside its allowed range or set.
    case invalidValue(key: String, value: String, requirement: String)
    /// The layer cannot take an input of this shape.
    case inputShape(layer: String, expected: String, got: [Int])
    /// A merge layer cannot combine inputs of these shapes (one per input, in order).
    case inputShapes(layer: String, requirement: String, got: [[Int]])

    /// The option the error is about, if any.
    public var key: String? {
        switch self {
        case .missing(let key, _), .wrongType(let key, _, _), .invalidValue(let key, _, _): key
        case .inputShape, .inputShapes: nil
        }
    }

    public var description: String {
        switch self {
        case let .missing(key, expected):
            return "missing required option '\(key)' (\(expected))"
        case let .wrongType(key, expected, found):
            return "option '\(key)' must be \(expected), found \(found)"
        case let .invalidValue(key, value, requirement):
            return "option '\(key)' is \(value), but \(requirement)"
        case let .inputShape(layer, expected, got):
            return "\(layer) expects an input of shape \(expected), but receives \(got)"
        case let .inputShapes(layer, requirement, got):
            return "\(layer) \(requirement), but receives \(got.map { "\($0)" }.joined(separator: ", "))"
        }
    }
}
