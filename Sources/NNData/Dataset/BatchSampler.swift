/// Yields the sample indices of each mini-batch of an epoch, shuffled by a seeded generator.
///
/// The shuffle of epoch `e` depends only on the seed and on `e`, so a resumed run sees the same batches.
public struct BatchSampler: Sendable {
    /// Samples in the data set.
    public let count: Int
    /// Samples per batch (the last batch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether to shuffle each epoch.
    public let shuffle: Bool
    /// The base seed.
    public let seed: UInt64
    /// Whether to skip a final batch smaller than `batchSize`.
    public let dropLast: Bool

    /// Creates a sampler.
    public init(count: Int, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false) {
        self.count = count
        // A batch never holds more than the whole set, which also keeps the batch arithmetic from overflowing.
        self.batchSize = Swift.max(1, Swift.min(batchSize, Swift.max(count, 1)))
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
    }

    /// The number of batches in one epoch.
    public var batchesPerEpoch: Int {
        dropLast ? count / batchSize : (count + batchSize - 1) / batchSize
    }

    /// The sample order of `epoch` (0-based).
    public func order(epoch: Int) -> [Int] {
        var indices = Array(0..<count)
        if shuffle {
            var generator = SeededGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
            generator.shuffle(&indices)
        }
        return indices
    }

    /// The index slices of each batch of `epoch`.
    public func batches(epoch: Int) -> [ArraySlice<Int>] {
        let indices = order(epoch: epoch)
        return (0..<batchesPerEpoch).map { b in indices[b * batchSize ..< Swift.min((b + 1) * batchSize, count)] }
    }
}
