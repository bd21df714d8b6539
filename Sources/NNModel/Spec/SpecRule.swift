import NNLayers

/// What a scalar value of a model file must be, checked the same way for the file and for a command-line override.
public enum SpecRule: Sendable, Equatable {
    /// An integer in `minimum ... maximum`.
    case integer(minimum: Int, maximum: Int = Int.max)
    /// A number greater than `above` and, when given, below `below`.
    case number(above: Double, below: Double? = nil)
    /// A number of at least `minimum`.
    case numberAtLeast(Double)
    /// `true` or `false`.
    case boolean
    /// One of `values`, a `noun` (`schedule`, `metric`) when reported.
    case choice([String], noun: String)

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
        case .numberAtLeast(let minimum):
            guard let number = value.doubleValue, number >= minimum, number.isFinite else {
                return .failure(.init("\(what) must be a number ≥ \(minimum.formatted), found '\(value)'"))
            }
            return .success(.double(number))
        case .boolean:
            guard case .bool = value else { return .failure(.init("\(what) must be true or false, found '\(value)'")) }
            return .success(value)
        case let .choice(values, noun):
            guard case .string(let text) = value else { return .failure(.init("\(what) must be a name, found \(value.kindDescription) '\(value)'")) }
            guard values.contains(text) else {
                let suggestions = ClosestNames.suggestions(for: text, among: values)
                return .failure(.init("unknown \(noun) '\(text)'",
                                      hint: suggestions.isEmpty ? "use one of \(values.joined(separator: ", "))" : "did you mean '\(suggestions[0])'?"))
            }
            return .success(value)
        }
    }
}

/// A value that breaks its `SpecRule`.
public struct SpecRuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    /// What to do, if there is more to say than the message.
    public let hint: String?
    public var description: String { message + (hint.map { "; \($0)" } ?? "") }
    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}

private extension Double {
    /// `1` for 1.0, `0.5` for 0.5.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
