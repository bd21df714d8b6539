import Foundation
import NNLayers

/// A model file as a plain value: what `Model` instantiates and what `nnrun` reads and writes.
///
/// Build one in code, edit it, and write it back with `yamlText`; `ModelSpec(yaml:)` reads it again.
public struct ModelSpec: Equatable, Sendable {
    /// The model's name, shown in summaries and saved in checkpoints.
    public var name: String
    /// The shape of one input sample, e.g. `[1, 28, 28]`.
    public var input: [Int]
    /// The data set reference (`spiral`, `fashion-mnist`, `mnist-idx:<dir>`, `csv:<file>`, a path), if any.
    public var data: String?
    /// The layers, first to last: a chain unless some name their `inputs`.
    public var layers: [LayerSpec]
    /// Reusable groups of layers by name; a layer whose `type` names a block stands for a copy of it.
    public var blocks: [String: BlockSpec]
    /// Names of the output classes, in output order (`predict` shows them), if given.
    public var classes: [String]?
    /// The loss type (`SoftmaxWithLoss`, `MeanSquaredError`).
    public var loss: String
    /// The optimiser and its options.
    public var optimizer: OptimizerSpec
    /// Training settings.
    public var train: TrainingSpec

    /// Creates a spec.
    public init(
        name: String, input: [Int], data: String? = nil, layers: [LayerSpec], blocks: [String: BlockSpec] = [:],
        loss: String = "SoftmaxWithLoss", optimizer: OptimizerSpec = OptimizerSpec(type: "SGD", options: ["lr": .double(0.01)]),
        train: TrainingSpec = TrainingSpec()
    ) {
        self.name = name
        self.input = input
        self.data = data
        self.layers = layers
        self.blocks = blocks
        self.loss = loss
        self.optimizer = optimizer
        self.train = train
    }
}

/// One layer of a model file: its registered type (or a block's name), an optional name, its inputs and options.
public struct LayerSpec: Equatable, Sendable {
    /// The registered type name or alias (`Linear`, `Affine`, `ReLU`, …), or the name of a block.
    public var type: String
    /// The name that prefixes its parameters (`hidden` → `hidden.weight`) and that later layers' `inputs` use;
    /// `nil` means `layers.<index>`.
    public var name: String?
    /// The names of the layers whose outputs it takes (`input` is the model's, or the block's, input); `nil`
    /// means the previous layer's output. Merge layers (`Add`, `Multiply`, `Concatenate`) take two or more.
    public var inputs: [String]?
    /// The type's options (`units`, `init`, …), or a block's arguments.
    public var options: [String: ConfigValue]

    /// Creates a layer entry.
    public init(_ type: String, name: String? = nil, inputs: [String]? = nil, options: [String: ConfigValue] = [:]) {
        self.type = type
        self.name = name
        self.inputs = inputs
        self.options = options
    }
}

/// A block: layers written once and used as one layer several times (a residual block, an Inception module).
///
/// Each use copies the layers with their names prefixed by the use's name (`block1.c1.weight`). Inside the
/// block, `inputs` name the block's own layers or `input`, the block's input; the block's output is its last
/// layer's. An option written `$name` takes the argument `name`: the use's option of that name, else the
/// default in `arguments`.
public struct BlockSpec: Equatable, Sendable {
    /// The arguments the block accepts, with their default values.
    public var arguments: [String: ConfigValue]
    /// The layers, first to last.
    public var layers: [LayerSpec]

    /// The keys a block definition accepts.
    public static let keys = ["arguments", "layers"]

    /// Creates a block.
    public init(arguments: [String: ConfigValue] = [:], layers: [LayerSpec]) {
        self.arguments = arguments
        self.layers = layers
    }
}

/// The optimiser entry: a registered optimiser type and its options (`lr`, `momentum`, …).
public struct OptimizerSpec: Equatable, Sendable {
    /// `SGD`, `Momentum`, `AdaGrad`, `Adam` or `AdamW`.
    public var type: String
    /// The options.
    public var options: [String: ConfigValue]

    /// Creates an optimiser entry.
    public init(type: String, options: [String: ConfigValue] = [:]) {
        self.type = type
        self.options = options
    }
}

/// The `train:` section: how long and in what order to train.
public struct TrainingSpec: Equatable, Sendable {
    /// Passes over the training set.
    public var epochs: Int
    /// Samples per mini-batch.
    public var batchSize: Int
    /// Seeds weight initialisation and shuffling; the same seed gives the same run.
    public var seed: UInt64
    /// Whether to shuffle the training set every epoch.
    public var shuffle: Bool
    /// How the learning rate changes over epochs, if at all.
    public var schedule: ScheduleSpec?
    /// Epochs over which the learning rate ramps up linearly from near zero (per step), 0 for none.
    public var warmupEpochs: Int
    /// Rescale the gradients when their global L2 norm exceeds this.
    public var clipNorm: Double?
    /// Stop when a metric stops improving.
    public var earlyStopping: EarlyStoppingSpec?
    /// The fraction of the training set held out for validation (when the data set has no validation set).
    public var validationSplit: Double?

    /// Creates training settings.
    public init(
        epochs: Int = 10, batchSize: Int = 100, seed: UInt64 = 0, shuffle: Bool = true, schedule: ScheduleSpec? = nil,
        warmupEpochs: Int = 0, clipNorm: Double? = nil, earlyStopping: EarlyStoppingSpec? = nil, validationSplit: Double? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.schedule = schedule
        self.warmupEpochs = warmupEpochs
        self.clipNorm = clipNorm
        self.earlyStopping = earlyStopping
        self.validationSplit = validationSplit
    }

}

/// A learning-rate schedule over epochs: `step` (× gamma every `step_size` epochs), `exponential`
/// (× gamma every epoch) or `cosine` (from the base rate to `min_lr` over the run).
public struct ScheduleSpec: Equatable, Sendable {
    /// The kinds of schedule.
    public enum Kind: String, Sendable, CaseIterable { case step, exponential, cosine }
    /// The kind.
    public var type: Kind
    /// Epochs between decays (`step`).
    public var stepSize: Int
    /// The decay factor (`step`, `exponential`).
    public var gamma: Double
    /// The final rate (`cosine`).
    public var minimumRate: Double

    /// Creates a schedule.
    public init(type: Kind, stepSize: Int = 1, gamma: Double = 0.1, minimumRate: Double = 0) {
        self.type = type
        self.stepSize = stepSize
        self.gamma = gamma
        self.minimumRate = minimumRate
    }

    /// The learning-rate factor for 0-based `epoch` of `epochs`, relative to `base`.
    public func rate(base: Double, epoch: Int, epochs: Int) -> Double {
        switch type {
        case .step: base * Foundation.pow(gamma, Double(epoch / max(stepSize, 1)))
        case .exponential: base * Foundation.pow(gamma, Double(epoch))
        case .cosine: minimumRate + (base - minimumRate) * (1 + Foundation.cos(Double.pi * Double(epoch) / Double(max(epochs, 1)))) / 2
        }
    }

}

/// Early stopping: stop when `monitor` has not improved for `patience` epochs, optionally restoring the best weights.
public struct EarlyStoppingSpec: Equatable, Sendable {
    /// The metric watched: `test_loss`, `test_accuracy`, `validation_loss` or `validation_accuracy`.
    public var monitor: String
    /// Epochs without improvement before stopping.
    public var patience: Int
    /// Whether to put back the best epoch's weights when training ends.
    public var restoreBest: Bool

    /// The metrics that can be monitored.
    public static let metrics = ["test_loss", "test_accuracy", "validation_loss", "validation_accuracy"]
    /// Creates the setting.
    public init(monitor: String = "validation_loss", patience: Int = 3, restoreBest: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.restoreBest = restoreBest
    }

    /// Whether larger values of the metric are better.
    public var maximizes: Bool { monitor.hasSuffix("accuracy") }

}
