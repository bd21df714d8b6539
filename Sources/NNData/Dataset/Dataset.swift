@_exported import NNCore

/// A labelled data set held in memory: one feature block per sample and either one class label per sample or, for
/// regression, a row of target values per sample.
///
/// Images stay as the bytes they were stored as and are scaled to `[0, 1]` when a batch is made,
/// so an image set holds a quarter of the memory it would as `Float`.
public struct Dataset: Sendable {
    /// How the features are stored.
    public enum Features: Sendable {
        /// Raw bytes, multiplied by `scale` when batched (1/255 for images).
        case bytes([UInt8], scale: Float)
        /// Floating-point values used as they are.
        case floats([Float])
    }

    /// The features of all samples, sample-major.
    public let features: Features
    /// The class label of each sample (0 for every sample of a regression set).
    public let labels: [Int]
    /// The regression targets, `targetCount` per sample and sample-major, or `nil` for a set of class labels.
    public let targetValues: [Float]?
    /// Target values per sample: 0 for a set of class labels.
    public var targetCount: Int { targetValues.map { $0.count / Swift.max(labels.count, 1) } ?? 0 }
    /// Whether the samples carry regression targets rather than class labels.
    public var isRegression: Bool { targetValues != nil }
    /// The shape of one sample (`[1, 28, 28]`, `[2]`, …).
    public let sampleShape: [Int]
    /// The number of classes (labels lie in `0 ..< classCount`); 1 for a regression set.
    public let classCount: Int

    /// The number of samples.
    public var count: Int { labels.count }
    /// Scalars per sample.
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// The smallest and largest feature value as batches hold them (bytes scaled), or `nil` without samples.
    public var valueRange: ClosedRange<Float>? {
        switch features {
        case .bytes(let bytes, let scale):
            guard let low = bytes.min(), let high = bytes.max() else { return nil }
            let (a, b) = (Float(low) * scale, Float(high) * scale)
            return Swift.min(a, b)...Swift.max(a, b)
        case .floats(let values):
            guard let first = values.first else { return nil }
            var (low, high) = (first, first)
            for value in values {
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
            return low.isFinite && high.isFinite ? low...high : nil
        }
    }

    /// Creates a data set, checking that the sizes agree and that every label is in range.
    public init(features: Features, labels: [Int], sampleShape: [Int], classCount: Int) throws(DataError) {
        var sampleSize = 1
        for dimension in sampleShape {
            let (product, overflow) = sampleSize.multipliedReportingOverflow(by: dimension)
            guard !overflow, dimension >= 0, product <= 1 << 28 else {
                throw .inconsistent("samples of shape \(sampleShape) would hold more than \(1 << 28) values")
            }
            sampleSize = product
        }
        let featureCount: Int
        switch features {
        case .bytes(let b, _): featureCount = b.count
        case .floats(let f): featureCount = f.count
        }
        guard sampleSize > 0, featureCount == sampleSize.multipliedReportingOverflow(by: labels.count).partialValue, !sampleSize.multipliedReportingOverflow(by: labels.count).overflow else {
            throw .inconsistent("\(labels.count) labels and \(featureCount) feature values do not fit samples of shape \(sampleShape)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            throw .inconsistent("label \(labels[bad]) of sample \(bad) is outside 0..<\(classCount)")
        }
        self.init(validated: features, labels: labels, sampleShape: sampleShape, classCount: classCount)
    }

    /// Creates a regression set: `targets` holds `targetCount` values per sample, sample-major.
    public init(features: Features, targets: [Float], targetCount: Int, sampleShape: [Int]) throws(DataError) {
        guard targetCount > 0, targets.count % targetCount == 0 else {
            throw .inconsistent("\(targets.count) target values do not make rows of \(targetCount)")
        }
        let checked = try Dataset(features: features, labels: [Int](repeating: 0, count: targets.count / targetCount), sampleShape: sampleShape, classCount: 1)
        self.init(validated: features, labels: checked.labels, sampleShape: sampleShape, classCount: 1, targets: targets)
    }

    /// Creates a data set whose consistency the caller guarantees.
    init(validated features: Features, labels: [Int], sampleShape: [Int], classCount: Int, targets: [Float]? = nil) {
        self.features = features
        self.labels = labels
        self.sampleShape = sampleShape
        self.classCount = classCount
        self.targetValues = targets
    }

    /// Writes the regression targets of the samples at `indices` into `targets` (resized to
    /// `[indices.count, targetCount]`, reusing its storage); `false`, writing nothing, for a set of class labels.
    /// Every index must lie in `0 ..< count`.
    @discardableResult
    public func fillTargets(indices: ArraySlice<Int>, into targets: inout Tensor) -> Bool {
        guard let targetValues else { return false }
        precondition(indices.allSatisfy { labels.indices.contains($0) }, "Dataset.fillTargets: a sample index is outside 0..<\(count)")
        let width = targetCount
        targets.resize(batch: indices.count, sampleShape: [width])
        targets.withUnsafeMutableBufferPointer { out in
            targetValues.withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    (out.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
                }
            }
        }
        return true
    }

    /// The regression targets of the samples at `indices` as a new tensor `[indices.count, targetCount]`, or `nil`
    /// for a set of class labels.
    public func targets(_ indices: ArraySlice<Int>) -> Tensor? {
        var targets = Tensor(scalar: 0)
        return fillTargets(indices: indices, into: &targets) ? targets : nil
    }

    /// Writes the samples at `indices` into `batch` (resized to `[indices.count] + sampleShape`, reusing
    /// its storage) and their labels into `batchLabels`. Allocates nothing once the buffers have grown. Every index
    /// must lie in `0 ..< count` (a precondition: an index from elsewhere is a programming error).
    public func fillBatch(indices: ArraySlice<Int>, into batch: inout Tensor, labels batchLabels: inout [Int]) {
        precondition(indices.allSatisfy { labels.indices.contains($0) }, "Dataset.fillBatch: a sample index is outside 0..<\(count)")
        let size = sampleSize
        batch.resize(batch: indices.count, sampleShape: sampleShape)
        batchLabels.removeAll(keepingCapacity: true)
        batch.withUnsafeMutableBufferPointer { out in
            switch features {
            case .bytes(let bytes, let scale):
                bytes.withUnsafeBufferPointer { source in
                    indices.withUnsafeBufferPointer { indices in
                        // On the kernel threads for a large batch: its samples are scattered over the data set, so
                        // the conversion waits on memory, and two threads wait on twice as many cache lines at once.
                        let (source, out) = (source.baseAddress!, out.baseAddress!)
                        ThreadPool.shared.forEachRange(indices.count, minimumPerThread: Swift.max(1, 16_384 / Swift.max(1, size))) { rows in
                            Kernels.gatherRows(of: source, rowLength: size, at: UnsafeBufferPointer(rebasing: indices[rows]),
                                               scale: scale, into: out + rows.lowerBound * size)
                        }
                    }
                }
            case .floats(let values):
                values.withUnsafeBufferPointer { source in
                    for (row, index) in indices.enumerated() {
                        (out.baseAddress! + row * size).update(from: source.baseAddress! + index * size, count: size)
                    }
                }
            }
        }
        for index in indices { batchLabels.append(labels[index]) }
    }

    /// The samples at `indices` as a new batch tensor and labels.
    public func batch(_ indices: ArraySlice<Int>) -> (features: Tensor, labels: [Int]) {
        var features = Tensor(scalar: 0)
        var labels: [Int] = []
        fillBatch(indices: indices, into: &features, labels: &labels)
        return (features, labels)
    }

    /// All samples as one tensor `[count] + sampleShape`.
    public var allFeatures: Tensor { batch(Array(labels.indices)[...]).features }

    /// The samples at `indices` as a new data set (for validation splits and subsets).
    public func subset(_ indices: [Int]) -> Dataset {
        let size = sampleSize
        let newFeatures: Features
        switch features {
        case .bytes(let bytes, let scale):
            newFeatures = .bytes(indices.flatMap { bytes[$0 * size ..< ($0 + 1) * size] }, scale: scale)
        case .floats(let values):
            newFeatures = .floats(indices.flatMap { values[$0 * size ..< ($0 + 1) * size] })
        }
        let width = targetCount
        let newTargets = targetValues.map { values in indices.flatMap { values[$0 * width ..< ($0 + 1) * width] } }
        return Dataset(validated: newFeatures, labels: indices.map { labels[$0] }, sampleShape: sampleShape, classCount: classCount,
                       targets: newTargets)
    }
}

/// A training set and a test set.
public struct DataSplit: Sendable {
    /// Samples to learn from.
    public var train: Dataset
    /// Held-out samples to evaluate on.
    public var test: Dataset

    /// Pairs two sets.
    public init(train: Dataset, test: Dataset) {
        self.train = train
        self.test = test
    }
}
