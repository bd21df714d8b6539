import Foundation

/// Comma-separated samples: one per line, the class label first, then the features as numbers.
///
/// A first line that does not start with a number is taken as a header. Blank lines are skipped.
/// The number of classes is one more than the largest label.
public enum CSVDataset {
    /// Loads a file.
    /// - Throws: `DataError.malformed` naming the line and column of the first bad field.
    public static func load(path: String) throws(DataError) -> Dataset {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .notFound(path: path, hint: "give the path of a CSV file: label, feature1, feature2, ...")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .malformed(path: path, location: "line 1", message: "the file is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses CSV text; `path` names the source in errors.
    public static func parse(_ text: String, path: String) throws(DataError) -> Dataset {
        var features: [Float] = []
        var labels: [Int] = []
        var width: Int?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            if labels.isEmpty, width == nil, Double(fields[0].trimmingCharacters(in: .whitespaces)) == nil { continue }
            guard fields.count >= 2 else {
                throw .malformed(path: path, location: "line \(number + 1)", message: "expected a label and at least one feature")
            }
            if let width, fields.count - 1 != width {
                throw .malformed(path: path, location: "line \(number + 1)", message: "\(fields.count - 1) features; earlier lines have \(width)")
            }
            width = fields.count - 1
            let labelText = fields[0].trimmingCharacters(in: .whitespaces)
            guard let label = Int(labelText), label >= 0, label < 1 << 20 else {
                throw .malformed(path: path, location: "line \(number + 1), column 1", message: "label '\(labelText)' is not a class index ≥ 0")
            }
            labels.append(label)
            for (column, field) in fields.dropFirst().enumerated() {
                let value = field.trimmingCharacters(in: .whitespaces)
                guard let number = Float(value), number.isFinite else {
                    throw .malformed(path: path, location: "line \(number + 1), column \(column + 2)", message: "'\(value)' is not a finite number")
                }
                features.append(number)
            }
        }
        guard let width else { throw .malformed(path: path, location: "line 1", message: "no samples") }
        return try Dataset(features: .floats(features), labels: labels, sampleShape: [width], classCount: (labels.max() ?? 0) + 1)
    }
}
