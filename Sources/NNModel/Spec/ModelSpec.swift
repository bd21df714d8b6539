import NNLayers

/// A model file as a plain value: what `Model` instantiates and what `nnrun` reads and writes.
///
/// Build one in code, edit it, and write it back with `yamlText`; `ModelSpec(yaml:)` reads it again.
public struct ModelSpec: Codable, Equatable, Sendable {
    /// The model's name, shown in summaries and saved in checkpoints.
    public var name: String
    /// The shape of one input sample, e.g. `[1, 28, 28]`.
    public var input: [Int]
    /// The data set reference (`spiral`, `fashion-mnist`, `mnist-idx:<dir>`, `csv:<file>`, a path), if any.
    public var data: String?
    /// The layers, first to last.
    public var layers: [LayerSpec]
    /// The loss type (`SoftmaxWithLoss`, `MeanSquaredError`).
    public var loss: String
    /// The optimiser and its options.
    public var optimizer: OptimizerSpec
    /// Training settings.
    public var train: TrainingSpec

    /// Creates a spec.
    public init(
        name: String, input: [Int], data: String? = nil, layers: [LayerSpec], loss: String = "SoftmaxWithLoss",
        optimizer: OptimizerSpec = OptimizerSpec(type: "SGD", options: ["lr": .double(0.01)]), train: TrainingSpec = TrainingSpec()
    ) {
        self.name = name
        self.input = input
        self.data = data
        self.layers = layers
        self.loss = loss
        self.optimizer = optimizer
        self.train = train
    }
}

/// One layer of a model file: its registered type, an optional name, and its options.
public struct LayerSpec: Codable, Equatable, Sendable {
    /// The registered type name or alias (`Linear`, `Affine`, `ReLU`, …).
    public var type: String
    /// The name that prefixes its parameters (`hidden` → `hidden.weight`); `nil` means `layers.<index>`.
    public var name: String?
    /// The type's options (`units`, `init`, …).
    public var options: [String: ConfigValue]

    /// Creates a layer entry.
    public init(_ type: String, name: String? = nil, options: [String: ConfigValue] = [:]) {
        self.type = type
        self.name = name
        self.options = options
    }
}

/// The optimiser entry: a registered optimiser type and its options (`lr`, `momentum`, …).
public struct OptimizerSpec: Codable, Equatable, Sendable {
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
public struct TrainingSpec: Codable, Equatable, Sendable {
    /// Passes over the training set.
    public var epochs: Int
    /// Samples per mini-batch.
    public var batchSize: Int
    /// Seeds weight initialisation and shuffling; the same seed gives the same run.
    public var seed: UInt64
    /// Whether to shuffle the training set every epoch.
    public var shuffle: Bool

    /// The keys the section accepts.
    public static let keys = ["epochs", "batch_size", "seed", "shuffle"]

    /// Creates training settings.
    public init(epochs: Int = 10, batchSize: Int = 100, seed: UInt64 = 0, shuffle: Bool = true) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", seed, shuffle
    }
}
