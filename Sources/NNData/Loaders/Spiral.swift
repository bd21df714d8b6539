#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// DeZero's spiral: three interleaved arms of 100 points each in the plane, a small data set that a
/// linear model cannot separate but a two-layer network can.
///
/// Point `i` of class `j` has radius `r = i/100` and angle `θ = 4j + 4r + 0.2·ε` with ε standard normal;
/// its features are `(r sin θ, r cos θ)`. The samples are then shuffled. The training set uses seed
/// 1984 and the test set 2020, as in DeZero (the noise comes from `SeededGenerator`, not NumPy).
public enum Spiral {
    /// Generates the set with `pointsPerClass` points per class.
    public static func make(pointsPerClass: Int = 100, classes: Int = 3, seed: UInt64) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var features = [Float](repeating: 0, count: pointsPerClass * classes * 2)
        var labels = [Int](repeating: 0, count: pointsPerClass * classes)
        for j in 0..<classes {
            for i in 0..<pointsPerClass {
                let rate = Double(i) / Double(pointsPerClass)
                let theta = Double(j) * 4 + 4 * rate + generator.nextNormal() * 0.2
                let index = pointsPerClass * j + i
                features[2 * index] = Float(rate * sin(theta))
                features[2 * index + 1] = Float(rate * cos(theta))
                labels[index] = j
            }
        }
        var order = Array(labels.indices)
        generator.shuffle(&order)
        let shuffledFeatures = order.flatMap { [features[2 * $0], features[2 * $0 + 1]] }
        return Dataset(validated: .floats(shuffledFeatures), labels: order.map { labels[$0] }, sampleShape: [2], classCount: classes)
    }

    /// The training (seed 1984) and test (seed 2020) sets.
    public static func split() -> DataSplit {
        DataSplit(train: make(seed: 1984), test: make(seed: 2020))
    }
}
