import NNLayers

/// One scalar key of a section of the model file (`train:`, `train.schedule:`, `train.early_stopping:`): its
/// rule, and how it reads and writes the section's value. A section's table (`TrainingSpec.fields`, …) drives
/// the parser, the did-you-mean of unknown keys, `yamlText` and `nnrun train`'s overrides, so that a key is
/// spelled once.
public struct SpecField<Section>: Sendable {
    /// The key in the model file (`batch_size`).
    public let key: String
    /// What its value must be.
    public let rule: SpecRule
    /// The value to write back, or `nil` to leave the key out (an unset option).
    let get: @Sendable (Section) -> ConfigValue?
    /// Stores a value that passed the rule.
    let set: @Sendable (inout Section, ConfigValue) -> Void

    /// The command-line option that overrides the key (`--batch-size`).
    public var flag: String { "--" + key.replacingOccurrences(of: "_", with: "-") }
}

/// A key of `train:`.
public typealias TrainingField = SpecField<TrainingSpec>

extension ScheduleSpec {
    /// The keys of `train.schedule:`.
    public static let fields: [SpecField<ScheduleSpec>] = [
        SpecField(key: "type", rule: .choice(Kind.allCases.map(\.rawValue), noun: "schedule"), get: { .string($0.type.rawValue) },
                  set: { if case .string(let name) = $1, let kind = Kind(rawValue: name) { $0.type = kind } }),
        SpecField(key: "step_size", rule: .integer(minimum: 1), get: { .int($0.stepSize) }, set: { $0.stepSize = $1.checkedInt }),
        SpecField(key: "gamma", rule: .number(above: 0), get: { .double($0.gamma) }, set: { $0.gamma = $1.checkedNumber }),
        SpecField(key: "min_lr", rule: .numberAtLeast(0), get: { .double($0.minimumRate) }, set: { $0.minimumRate = $1.checkedNumber }),
    ]

    /// Every key `train.schedule:` accepts, in the order `yamlText` writes them.
    public static var keys: [String] { fields.map(\.key) }
}

extension EarlyStoppingSpec {
    /// The keys of `train.early_stopping:`.
    public static let fields: [SpecField<EarlyStoppingSpec>] = [
        SpecField(key: "monitor", rule: .choice(metrics, noun: "metric"), get: { .string($0.monitor) },
                  set: { if case .string(let name) = $1 { $0.monitor = name } }),
        SpecField(key: "patience", rule: .integer(minimum: 1), get: { .int($0.patience) }, set: { $0.patience = $1.checkedInt }),
        SpecField(key: "restore_best", rule: .boolean, get: { .bool($0.restoreBest) }, set: { if case .bool(let v) = $1 { $0.restoreBest = v } }),
    ]

    /// Every key `train.early_stopping:` accepts, in the order `yamlText` writes them.
    public static var keys: [String] { fields.map(\.key) }
}

extension TrainingSpec {
    /// The scalar keys of `train:`; `schedule` and `early_stopping` are sections of their own.
    public static let fields: [TrainingField] = [
        TrainingField(key: "epochs", rule: .integer(minimum: 1), get: { .int($0.epochs) }, set: { $0.epochs = $1.checkedInt }),
        // A batch larger than this could not be allocated; the limit keeps the memory estimate exact.
        TrainingField(key: "batch_size", rule: .integer(minimum: 1, maximum: 1 << 24), get: { .int($0.batchSize) }, set: { $0.batchSize = $1.checkedInt }),
        // Its rule keeps a seed within Int, in the file and on the command line alike.
        TrainingField(key: "seed", rule: .integer(minimum: 0), get: { .int(Int(truncatingIfNeeded: $0.seed)) }, set: { $0.seed = UInt64($1.checkedInt) }),
        TrainingField(key: "shuffle", rule: .boolean, get: { .bool($0.shuffle) }, set: { if case .bool(let v) = $1 { $0.shuffle = v } }),
        TrainingField(key: "warmup_epochs", rule: .integer(minimum: 0), get: { $0.warmupEpochs > 0 ? .int($0.warmupEpochs) : nil }, set: { $0.warmupEpochs = $1.checkedInt }),
        TrainingField(key: "clip_norm", rule: .number(above: 0), get: { $0.clipNorm.map(ConfigValue.double) }, set: { $0.clipNorm = $1.checkedNumber }),
        TrainingField(key: "validation_split", rule: .number(above: 0, below: 1), get: { $0.validationSplit.map(ConfigValue.double) }, set: { $0.validationSplit = $1.checkedNumber }),
    ]

    /// Every key `train:` accepts, in the order `yamlText` writes them.
    public static let keys = ["epochs", "batch_size", "seed", "shuffle", "schedule", "warmup_epochs", "clip_norm", "validation_split", "early_stopping"]

    /// The field for `key`, if it is a scalar key.
    public static func field(_ key: String) -> TrainingField? { fields.first { $0.key == key } }

    /// Sets `key` to `value` after checking the key's rule, as a command-line override of the model file; the
    /// message names the option (`--epochs must be at least 1, found 0`).
    public mutating func override(_ key: String, with value: ConfigValue) throws(SpecRuleViolation) {
        guard let field = Self.field(key) else { throw SpecRuleViolation("train has no key '\(key)'") }
        switch field.rule.check(value, field.flag) {
        case .success(let checked): field.set(&self, checked)
        case .failure(let violation): throw violation
        }
    }
}

extension ConfigValue {
    /// The integer of an `.int` (0 otherwise; only called on values that passed an integer rule).
    var checkedInt: Int { if case .int(let v) = self { v } else { 0 } }
    /// The number of an `.int` or `.double` (0 otherwise).
    var checkedNumber: Double {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        default: 0
        }
    }
}
