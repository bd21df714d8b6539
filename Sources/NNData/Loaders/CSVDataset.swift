import Foundation

/// Comma-separated samples: one per line, the class label (or, for regression, the target values) first, then the
/// features as numbers.
///
/// A first line without any number in it is taken as a header. Blank lines are skipped.
/// The number of classes is one more than the largest label.
public enum CSVDataset {
    /// Loads a file; with `targetColumns` > 0, of regression samples (see `parse`).
    /// - Throws: `DataError.malformed` naming the line and column of the first bad field.
    public static func load(path: String, targetColumns: Int = 0) throws(DataError) -> Dataset {
        try parse(try text(of: path), path: path, targetColumns: targetColumns)
    }

    /// The text of a CSV file: a regular file of UTF-8 text, at most 1 GiB.
    public static func text(of path: String) throws(DataError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .notFound(path: path, hint: "give the path of a CSV file: label, feature1, feature2, ...")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .malformed(path: path, location: "byte 0", message: "not a regular file (a directory, FIFO or device); give a CSV file")
        }
        guard info.st_size <= 1 << 30 else {
            throw .malformed(path: path, location: "byte 0", message: "the file is \(info.st_size) bytes; CSV files are limited to 1 GiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .notFound(path: path, hint: "the file could not be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .malformed(path: path, location: "byte 0", message: "the file is not UTF-8 text")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// Parses CSV text; `path` names the source in errors. With `targetColumns` > 0 each row starts with that many
    /// regression targets (finite numbers) instead of a class label, and the set is a regression set.
    public static func parse(_ text: String, path: String, targetColumns: Int = 0) throws(DataError) -> Dataset {
        var features: [Float] = []
        var labels: [Int] = []
        var targets: [Float] = []
        var width: Int?
        let leading = Swift.max(targetColumns, 1)
        let what = targetColumns > 0 ? "\(targetColumns) target\(targetColumns == 1 ? "" : "s")" : "a label"
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false)
            if width == nil, Self.isHeader(fields) { continue }
            guard fields.count > leading else {
                throw .malformed(path: path, location: "line \(number + 1)", message: "expected \(what) and at least one feature; the line has \(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            if let width, fields.count - leading != width {
                throw .malformed(path: path, location: "line \(number + 1)", message: "\(fields.count - leading) features; earlier lines have \(width)")
            }
            width = fields.count - leading
            if targetColumns > 0 {
                for (column, field) in fields.prefix(targetColumns).enumerated() {
                    guard let value = Self.number(field) else {
                        throw .malformed(path: path, location: "line \(number + 1), column \(column + 1)", message: "target \(Self.quoted(field)) is not a finite number")
                    }
                    targets.append(value)
                }
            } else {
                let labelText = fields[0].trimmingCharacters(in: .whitespaces)
                guard let label = Int(labelText), label >= 0, label < 1 << 20 else {
                    throw .malformed(path: path, location: "line \(number + 1), column 1", message: "label \(Self.quoted(Substring(labelText))) is not a class index ≥ 0")
                }
                labels.append(label)
            }
            for (column, field) in fields.dropFirst(leading).enumerated() {
                guard let value = Self.number(field) else {
                    throw .malformed(path: path, location: "line \(number + 1), column \(column + leading + 1)", message: "\(Self.quoted(field)) is not a finite number")
                }
                features.append(value)
            }
        }
        guard let width else { throw .malformed(path: path, location: "line 1", message: "no samples") }
        if targetColumns > 0 {
            return try Dataset(features: .floats(features), targets: targets, targetCount: targetColumns, sampleShape: [width])
        }
        return try Dataset(features: .floats(features), labels: labels, sampleShape: [width], classCount: (labels.max() ?? 0) + 1)
    }

    /// A field as a finite `Float`: a plain decimal number (`-0.5`, `3`, `1e-3`), or `nil`. NaN, infinities,
    /// values beyond `Float`'s range, hexadecimal forms and anything after a NUL byte are refused.
    public static func number(_ field: Substring) -> Float? {
        let text = field.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }),
              let value = Float(text), value.isFinite else { return nil }
        return value
    }

    /// Whether a first line is a header: it holds no number at all.
    static func isHeader(_ fields: [Substring]) -> Bool {
        !fields.contains { number($0) != nil }
    }

    /// A field as it may be shown in a message: quoted, and cut to 40 characters.
    static func quoted(_ field: Substring) -> String {
        let text = field.trimmingCharacters(in: .whitespaces)
        return text.count > 40 ? "'\(text.prefix(40))…' (\(text.utf8.count) bytes)" : "'\(text)'"
    }

    /// The feature rows of a CSV file for a model of `featureCount` inputs: every row holds either the features
    /// alone or `leadingColumns` values (a label, or a regression set's targets) and the features, the same for all
    /// rows (decided by the first); a first line that is not numbers is a header.
    /// - Throws: `DataError.malformed` naming the line and column of the first bad field or row.
    public static func featureRows(_ text: String, path: String, featureCount: Int, leadingColumns: Int = 1) throws(DataError) -> [Float] {
        let leading = Swift.max(leadingColumns, 1)
        let what = leadingColumns > 1 ? "\(leading) targets" : "a label"
        var values: [Float] = []
        var labelled: Bool?
        for (lineIndex, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if labelled == nil, values.isEmpty, Self.isHeader(fields) { continue }
            let expected = labelled.map { $0 ? featureCount + leading : featureCount }
            guard fields.count == expected ?? fields.count, fields.count == featureCount || fields.count == featureCount + leading else {
                let takes = expected.map { "\($0) (as the first row)" } ?? "\(featureCount) (or \(what) and \(featureCount))"
                throw .malformed(path: path, location: "line \(lineIndex + 1)", message: "\(fields.count) fields, but the model takes \(takes)")
            }
            let skipped = (labelled ?? (fields.count == featureCount + leading)) ? leading : 0
            labelled = skipped > 0
            for (column, field) in fields.enumerated() where column >= skipped {
                guard let value = Self.number(field) else {
                    throw .malformed(path: path, location: "line \(lineIndex + 1), column \(column + 1)", message: "\(Self.quoted(field)) is not a finite number")
                }
                values.append(value)
            }
        }
        guard !values.isEmpty else { throw .malformed(path: path, location: "line 1", message: "no samples") }
        return values
    }
}
