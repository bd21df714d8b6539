import NNLayers

/// What a scalar value of a model file must be, checked the same way for the file and for a command-line override.
public enum SpecRule: Sendable, Equatable {
    /// An integer in `minimum ... maximum`.
    case integer(minimum: Int, maximum: Int = Int.max)
    /// A number greater than `above` and, when given, below `below`.
    case number(above: Double, below: Double? = nil)
    /// `true` or `false`.
    case boolean

    /// `value` as the rule wants it (an integer where a number is wanted becomes a `.double`), or the problem,
    /// naming the value as `what` (`train.epochs`, `--epochs`).
    public func check(_ value: ConfigValue, _ what: String) -> Result<ConfigValue, SpecRuleViolation> {
        switch self {
        case let .integer(minimum, maximum):
            guard case .int(let v) = value else { return .failure(.init("\(what) must be an integer, found \(value.kindDescription) '\(value)'")) }
            guard v >= minimum else { return .failure(.init("\(what) must be at least \(minimum), found \(v)")) }
            guard v <= maximum else { return .failure(.init("\(what) must be at most \(maximum), found \(v)")) }
            return .success(value)
        case let .number(above, below):
            let number: Double
            switch value {
            case .int(let v): number = Double(v)
            case .double(let v): number = v
            default: return .failure(.init("\(what) must be a number, found \(value.kindDescription) '\(value)'"))
            }
            guard number > above, number.isFinite else { return .failure(.init("\(what) must be greater than \(above), found \(number)")) }
            if let below, number >= below { return .failure(.init("\(what) must be below \(below.formatted), found \(number)")) }
            return .success(.double(number))
        case .boolean:
            guard case .bool = value else { return .failure(.init("\(what) must be true or false, found '\(value)'")) }
            return .success(value)
        }
    }
}

/// A value that breaks its `SpecRule`.
public struct SpecRuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

private extension Double {
    /// `1` for 1.0, `0.5` for 0.5.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
