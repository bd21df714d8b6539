/// Everything a layer factory needs: its options, the shape of one input sample, and a seed.
///
/// Typed accessors validate each option and throw `ConfigurationError` naming the key, so a factory
/// reads like `let units = try configuration.positiveInt("units")`.
public struct LayerConfiguration: Sendable {
    /// The options from the model file (or code), by key.
    public var options: [String: ConfigValue]
    /// The shape of one input sample (without the batch dimension); the first input's for a merge layer.
    public var inputShape: [Int]
    /// The per-sample shape of every input, in order (one entry except for merge layers).
    public var inputShapes: [[Int]]
    /// The seed for this layer's initialisation; distinct per layer in a model.
    public var seed: UInt64
    /// How many parameter values the model's memory budget leaves for this layer (checked by
    /// `checkParameterSize` before anything is allocated).
    public var parameterBudget: Int = LayerConfiguration.maximumParameterSize

    /// Creates a configuration.
    public init(options: [String: ConfigValue] = [:], inputShape: [Int], seed: UInt64 = 0) {
        self.init(options: options, inputShapes: [inputShape], seed: seed)
    }

    /// Creates a configuration for a node with several inputs.
    public init(options: [String: ConfigValue] = [:], inputShapes: [[Int]], seed: UInt64 = 0) {
        self.options = options
        self.inputShape = inputShapes.first ?? []
        self.inputShapes = inputShapes
        self.seed = seed
    }

    /// The most values one layer's parameter may hold (2³⁰, 4 GiB of Float32): larger requests from a model file
    /// are reported instead of exhausting memory.
    public static let maximumParameterSize = 1 << 30

    /// Checks that a parameter of `count` values (computed with overflow checks) fits `maximumParameterSize`.
    /// - Throws: `ConfigurationError.invalidValue` naming `key`.
    public func checkParameterSize(_ factors: [Int], key: String, layer: String) throws(ConfigurationError) {
        var count = 1
        let limit = Swift.min(Self.maximumParameterSize, parameterBudget)
        for factor in factors {
            let (product, overflow) = count.multipliedReportingOverflow(by: factor)
            guard !overflow, product <= limit else {
                let reason = limit == Self.maximumParameterSize
                    ? "\(layer)'s weights would need more than \(Self.maximumParameterSize) values"
                    : "\(layer)'s weights would need more than the \(limit) values the memory budget leaves (raise it with --max-memory)"
                throw .invalidValue(key: key, value: "\(options[key]?.description ?? "?")",
                                    requirement: reason + " (\(factors.map(String.init).joined(separator: " × ")))")
            }
            count = product
        }
    }

    /// An integer option, or `defaultValue` when absent (`nil` default means required).
    public func int(_ key: String, default defaultValue: Int? = nil) throws(ConfigurationError) -> Int {
        switch options[key] {
        case .int(let v)?: return v
        case .double(let v)? where v.rounded() == v && abs(v) < 1e15: return Int(v)
        case let other?: throw .wrongType(key: key, expected: "an integer", found: other.kindDescription)
        case nil:
            guard let defaultValue else { throw .missing(key: key, expected: "an integer") }
            return defaultValue
        }
    }

    /// An integer option that must be at least 1.
    public func positiveInt(_ key: String, default defaultValue: Int? = nil) throws(ConfigurationError) -> Int {
        let value = try int(key, default: defaultValue)
        guard value >= 1 else { throw .invalidValue(key: key, value: "\(value)", requirement: "it must be at least 1") }
        return value
    }

    /// A numeric option (integers are accepted).
    public func double(_ key: String, default defaultValue: Double? = nil) throws(ConfigurationError) -> Double {
        switch options[key] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        case let other?: throw .wrongType(key: key, expected: "a number", found: other.kindDescription)
        case nil:
            guard let defaultValue else { throw .missing(key: key, expected: "a number") }
            return defaultValue
        }
    }

    /// A string option; when `allowed` is given the value must be one of them.
    public func string(_ key: String, default defaultValue: String? = nil, allowed: [String]? = nil) throws(ConfigurationError) -> String {
        let value: String
        switch options[key] {
        case .string(let v)?: value = v
        case let other?: throw .wrongType(key: key, expected: "a string", found: other.kindDescription)
        case nil:
            guard let defaultValue else { throw .missing(key: key, expected: "a string") }
            value = defaultValue
        }
        if let allowed, !allowed.contains(value) {
            throw .invalidValue(key: key, value: "'\(value)'", requirement: "it must be one of \(allowed.joined(separator: ", "))")
        }
        return value
    }

    /// A boolean option.
    public func bool(_ key: String, default defaultValue: Bool? = nil) throws(ConfigurationError) -> Bool {
        switch options[key] {
        case .bool(let v)?: return v
        case let other?: throw .wrongType(key: key, expected: "a boolean", found: other.kindDescription)
        case nil:
            guard let defaultValue else { throw .missing(key: key, expected: "a boolean") }
            return defaultValue
        }
    }

    /// The `padding` option of a 2-D window over inputs `[C, H, W]`: an integer, `[ph, pw]`, or `same`, the zeros
    /// on each side that make the output `⌈H / stride⌉ × ⌈W / stride⌉` (`H × W` at stride 1). `same` is refused
    /// where it would need one zero more on one side than on the other (an even kernel at stride 1), since
    /// NNKit's windows pad both sides alike.
    public func padding(kernel: [Int], stride: [Int], dilation: [Int] = [1, 1]) throws(ConfigurationError) -> [Int] {
        guard case .string(let text)? = options["padding"] else { return try intList("padding", count: 2, default: [0, 0]) }
        guard text == "same" else {
            throw .wrongType(key: "padding", expected: "an integer, a list of 2 integers or 'same'", found: "'\(text)'")
        }
        guard inputShape.count == 3, kernel.count == 2, stride.count == 2, dilation.count == 2 else { return [0, 0] }
        var padding: [Int] = []
        for axis in 0..<2 {
            let size = inputShape[axis + 1], step = Swift.max(stride[axis], 1)
            let outputs = (size + step - 1) / step
            let (span, spanOverflow) = dilation[axis].multipliedReportingOverflow(by: kernel[axis] - 1)
            let (reach, reachOverflow) = (outputs - 1).multipliedReportingOverflow(by: step)
            guard !spanOverflow, !reachOverflow else {
                throw .invalidValue(key: "padding", value: "same", requirement: "the window is too large")
            }
            let total = Swift.max(reach + span + 1 - size, 0)
            guard total % 2 == 0 else {
                throw .invalidValue(key: "padding", value: "same", requirement: "it needs \(total) zeros \(axis == 0 ? "down" : "across") here, which cannot be split evenly between the two sides; give padding as [ph, pw]")
            }
            padding.append(total / 2)
        }
        return padding
    }

    /// A list of integers, or a single integer repeated `count` times (as `kernel: 3` for `[3, 3]`).
    public func intList(_ key: String, count: Int, default defaultValue: [Int]? = nil) throws(ConfigurationError) -> [Int] {
        switch options[key] {
        case .int(let v)?: return Array(repeating: v, count: count)
        case .list(let items)?:
            var values: [Int] = []
            for item in items {
                guard case .int(let v) = item else {
                    throw .wrongType(key: key, expected: "a list of \(count) integers", found: "a list containing \(item.kindDescription)")
                }
                values.append(v)
            }
            guard values.count == count else {
                throw .invalidValue(key: key, value: "\(values)", requirement: "it must have \(count) entries")
            }
            return values
        case let other?: throw .wrongType(key: key, expected: "an integer or a list of \(count) integers", found: other.kindDescription)
        case nil:
            guard let defaultValue else { throw .missing(key: key, expected: "an integer or a list of \(count) integers") }
            return defaultValue
        }
    }
}
