extension Kernels {
    /// Softmax and cross-entropy in one pass per row, against class indices.
    ///
    /// Writes `p = softmax(x)` row-wise into `probabilities` and returns `Σₙ −log p[n, labelₙ]`, computed as
    /// `log sₙ + mₙ − x[n, labelₙ]` (`mₙ` the row's maximum, `sₙ = Σ_c exp(x[n, c] − mₙ)`): exact log-softmax, so
    /// the loss of a confident wrong answer is its true size rather than `−log` of a rounded-to-zero probability.
    /// Labels must be in `0 ..< columns` (callers validate them); `probabilities` may alias `logits`.
    public static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, rows: Int, columns: Int, labels: UnsafePointer<Int>,
        into probabilities: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let row = logits + r &* columns
            let target = row[labels[r]]  // read before the row is overwritten when aliased
            let (maximum, sum) = softmaxRow(row, probabilities + r &* columns, count: columns)
            total += _log(Double(sum)) + Double(maximum) - Double(target)
        }
        return total
    }

    /// Softmax and cross-entropy in one pass per row, against target distributions (one-hot or soft).
    ///
    /// Writes `p = softmax(x)` into `probabilities` and returns `Σₙ Σ_c −t[n, c] · log p[n, c]`, with
    /// `log p[n, c] = x[n, c] − mₙ − log sₙ` as above. `probabilities` must not alias `logits`.
    public static func softmaxCrossEntropy(
        _ logits: UnsafePointer<Float>, rows: Int, columns: Int, targets: UnsafePointer<Float>,
        into probabilities: UnsafeMutablePointer<Float>
    ) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let row = logits + r &* columns, t = targets + r &* columns
            let (maximum, sum) = softmaxRow(row, probabilities + r &* columns, count: columns)
            let logSum = _log(Double(sum)) + Double(maximum)
            for c in 0..<columns where t[c] != 0 {
                total -= Double(t[c]) * (Double(row[c]) - logSum)
            }
        }
        return total
    }
}
