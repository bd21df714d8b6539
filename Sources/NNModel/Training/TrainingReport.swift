/// The figures of one finished epoch; `nnrun --metrics` writes one per line as JSON.
public struct EpochReport: Codable, Sendable, Equatable {
    /// The epoch number, from 1.
    public var epoch: Int
    /// The mean training loss over the epoch's batches.
    public var trainLoss: Double
    /// The fraction of training samples classified correctly during the epoch; `nil` for regression targets.
    public var trainAccuracy: Double?
    /// The loss on the test set after the epoch (inference mode).
    public var testLoss: Double
    /// The test accuracy after the epoch; `nil` for regression targets.
    public var testAccuracy: Double?
    /// Training throughput.
    public var samplesPerSecond: Double
    /// Wall time of the epoch's training (without evaluation).
    public var seconds: Double
    /// The loss on the held-out validation set, when `validation_split` is set.
    public var validationLoss: Double?
    /// The validation accuracy, when `validation_split` is set.
    public var validationAccuracy: Double?
    /// The learning rate of the epoch's last step.
    public var learningRate: Double?
    /// Seconds of the epoch's training spent summing gradients across processes (data-parallel runs only).
    public var allreduceSeconds: Double?

    /// The value of a monitored metric (`test_loss`, `validation_accuracy`, …).
    public func metric(_ name: String) -> Double? {
        switch name {
        case "test_loss": testLoss
        case "test_accuracy": testAccuracy
        case "validation_loss": validationLoss
        case "validation_accuracy": validationAccuracy
        case "train_loss": trainLoss
        default: nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case epoch, trainLoss = "train_loss", trainAccuracy = "train_accuracy", testLoss = "test_loss"
        case testAccuracy = "test_accuracy", samplesPerSecond = "samples_per_second", seconds
        case validationLoss = "validation_loss", validationAccuracy = "validation_accuracy", learningRate = "learning_rate"
        case allreduceSeconds = "allreduce_seconds"
    }
}

/// Progress inside an epoch, for progress bars.
public struct BatchProgress: Sendable {
    /// The epoch number, from 1.
    public var epoch: Int
    /// Batches done in this epoch.
    public var batch: Int
    /// Batches per epoch.
    public var batches: Int
    /// Samples done in this epoch.
    public var samples: Int
    /// The running mean loss.
    public var loss: Double
    /// The running accuracy; `nil` for regression targets.
    public var accuracy: Double?
    /// Seconds since the epoch started.
    public var seconds: Double
}

/// Loss and accuracy of a model on a data set.
public struct Evaluation: Sendable, Equatable {
    /// The mean loss.
    public var loss: Double
    /// The fraction classified correctly; `nil` for regression targets.
    public var accuracy: Double?
    /// The number of samples.
    public var count: Int
    /// `confusion[label][predicted]`: how many samples of each true class were given each class (empty for
    /// regression targets).
    public var confusion: [[Int]] = []
}

/// A reason training cannot go on.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Double)
    /// The data does not fit the model.
    case dataMismatch(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, value):
            "the loss became \(value) at epoch \(epoch), batch \(batch); training stopped. Lower the learning rate or check the data for NaN values"
        case let .dataMismatch(message): message
        }
    }
}
