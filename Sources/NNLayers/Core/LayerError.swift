/// An error raised by a layer on its input or configuration.
public enum LayerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input's shape does not fit the layer.
    case inputShape(layer: String, expected: String, got: [Int])
    /// `backward` was called before `forward`, or with a gradient of the wrong shape.
    case backwardWithoutForward(layer: String)
    /// The gradient passed to `backward` does not have the output's shape.
    case gradientShape(layer: String, expected: [Int], got: [Int])
    /// The targets do not fit the predictions.
    case targets(loss: String, message: String)
    /// A tensor operation failed inside the layer.
    case tensor(layer: String, TensorError)
    /// A network's nodes do not form a valid graph.
    case graph(String)

    public var description: String {
        switch self {
        case let .inputShape(layer, expected, got):
            return "\(layer): expected input of shape \(expected), got \(got)"
        case let .backwardWithoutForward(layer):
            return "\(layer): backward called before forward"
        case let .gradientShape(layer, expected, got):
            return "\(layer): gradient of shape \(got) does not match the output shape \(expected)"
        case let .targets(loss, message):
            return "\(loss): \(message)"
        case let .tensor(layer, error):
            return "\(layer): \(error)"
        case let .graph(message):
            return "network: \(message)"
        }
    }
}
