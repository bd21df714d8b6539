import Foundation

/// The per-epoch metrics of a `--metrics` file, and their drawing as an SVG chart: loss and accuracy side by side,
/// one line each for the training, validation and test sets.
struct TrainingCurve {
    /// One named series of values by epoch; `nil` where the file has `null` (a non-finite value) or no value.
    struct Series {
        var name: String, color: String, values: [Double?]
    }

    var epochs: [Int] = []
    var loss: [Series] = []
    var accuracy: [Series] = []

    /// Reads a metrics file: one JSON object per line with `epoch` and any of `train_loss`, `validation_loss`,
    /// `test_loss` and the `_accuracy` keys.
    /// - Throws: `MetricsFileError` naming the first line that is not such an object.
    init(jsonLines text: String) throws(MetricsFileError) {
        let sets = [("train", "#1f77b4"), ("validation", "#2ca02c"), ("test", "#d62728")]
        var rows: [[String: Any]] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let epoch = object["epoch"] as? Int else {
                throw MetricsFileError(description: "line \(index + 1) is not a metrics line (a JSON object with \"epoch\", as `nnrun train --metrics` writes)")
            }
            epochs.append(epoch)
            rows.append(object)
        }
        guard !epochs.isEmpty else { throw MetricsFileError(description: "no epochs in the file") }
        for (set, color) in sets {
            for metric in ["loss", "accuracy"] {
                let values = rows.map { ($0["\(set)_\(metric)"] as? NSNumber)?.doubleValue.finiteOrNil }
                guard values.contains(where: { $0 != nil }) else { continue }
                let series = Series(name: set, color: color, values: values)
                if metric == "loss" { loss.append(series) } else { accuracy.append(series) }
            }
        }
    }

    /// The chart as SVG text, `width × height` pixels.
    func svg(width: Int = 960, height: Int = 380) -> String {
        let panelWidth = Double(width) / 2
        var body = ""
        body += panel(title: "loss", series: loss, x: 0, width: panelWidth, height: Double(height))
        body += panel(title: "accuracy", series: accuracy, x: panelWidth, width: panelWidth, height: Double(height))
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            \(body)</svg>

            """
    }

    /// One chart: axes with rounded ticks, a polyline per series (broken where a value is missing), a legend.
    private func panel(title: String, series: [Series], x originX: Double, width: Double, height: Double) -> String {
        let left = originX + 56, right = originX + width - 16, top = 30.0, bottom = height - 40
        var out = "<text x=\"\(format((left + right) / 2))\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
        let values = series.flatMap { $0.values.compactMap { $0 } }
        guard let low = values.min(), let high = values.max() else {
            return out + "<text x=\"\(format((left + right) / 2))\" y=\"\(format(height / 2))\" text-anchor=\"middle\">no values</text>\n"
        }
        let yTicks = Self.ticks(from: low, to: high)
        let yLow = min(low, yTicks.first ?? low), yHigh = max(high, yTicks.last ?? high)
        let firstEpoch = Double(epochs.min() ?? 1), lastEpoch = Double(epochs.max() ?? 1)
        func px(_ epoch: Int) -> Double {
            lastEpoch == firstEpoch ? (left + right) / 2 : left + (Double(epoch) - firstEpoch) / (lastEpoch - firstEpoch) * (right - left)
        }
        func py(_ value: Double) -> Double {
            yHigh == yLow ? (top + bottom) / 2 : bottom - (value - yLow) / (yHigh - yLow) * (bottom - top)
        }
        out += "<rect x=\"\(format(left))\" y=\"\(format(top))\" width=\"\(format(right - left))\" height=\"\(format(bottom - top))\" fill=\"none\" stroke=\"#888\"/>\n"
        for tick in yTicks where tick >= yLow && tick <= yHigh {
            out += "<line x1=\"\(format(left))\" x2=\"\(format(right))\" y1=\"\(format(py(tick)))\" y2=\"\(format(py(tick)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(format(left - 6))\" y=\"\(format(py(tick) + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>\n"
        }
        for tick in Self.ticks(from: firstEpoch, to: lastEpoch, integers: true) {
            let epochX = px(Int(tick))
            out += "<text x=\"\(format(epochX))\" y=\"\(format(bottom + 16))\" text-anchor=\"middle\">\(Int(tick))</text>\n"
        }
        out += "<text x=\"\(format((left + right) / 2))\" y=\"\(format(bottom + 32))\" text-anchor=\"middle\">epoch</text>\n"
        var legend = "<rect x=\"\(format(right - 102))\" y=\"\(format(top + 2))\" width=\"98\" height=\"\(16 * series.count + 4)\" fill=\"white\" fill-opacity=\"0.85\"/>\n"
        for (index, line) in series.enumerated() {
            // Missing values break the line into runs; a run of one point is drawn as a dot.
            var runs: [[(Double, Double)]] = [[]]
            for (epoch, value) in zip(epochs, line.values) {
                if let value { runs[runs.count - 1].append((px(epoch), py(value))) } else if !(runs.last?.isEmpty ?? true) { runs.append([]) }
            }
            for run in runs where !run.isEmpty {
                if run.count == 1 {
                    out += "<circle cx=\"\(format(run[0].0))\" cy=\"\(format(run[0].1))\" r=\"2.5\" fill=\"\(line.color)\"/>\n"
                } else {
                    let points = run.map { "\(format($0.0)),\(format($0.1))" }.joined(separator: " ")
                    out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>\n"
                }
            }
            let legendY = top + 14 + Double(index) * 16
            legend += "<line x1=\"\(format(right - 96))\" x2=\"\(format(right - 76))\" y1=\"\(format(legendY - 4))\" y2=\"\(format(legendY - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"/>"
            legend += "<text x=\"\(format(right - 70))\" y=\"\(format(legendY))\">\(line.name)</text>\n"
        }
        return out + legend
    }

    /// About five round tick values (steps of 1, 2 or 5 times a power of ten) covering `low ... high`.
    static func ticks(from low: Double, to high: Double, integers: Bool = false) -> [Double] {
        guard high > low else { return [low] }
        let rough = (high - low) / 5
        let magnitude = pow(10, floor(log10(rough)))
        var step = ([1.0, 2, 5, 10].first { $0 * magnitude >= rough } ?? 10) * magnitude
        if integers { step = max(1, step.rounded()) }
        let first = (low / step).rounded(.down) * step, last = (high / step).rounded(.up) * step
        return stride(from: first, through: last + step / 2, by: step).map { ($0 / step).rounded() * step }
    }

    /// A tick label with no more digits than the ticks need.
    static func label(_ value: Double) -> String {
        var text = String(format: "%.4g", value)
        if text == "-0" { text = "0" }
        return text
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// A metrics file that is not what `nnrun train --metrics` writes.
struct MetricsFileError: Error, CustomStringConvertible {
    var description: String
}

private extension Double {
    var finiteOrNil: Double? { isFinite ? self : nil }
}
