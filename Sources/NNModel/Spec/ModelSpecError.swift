/// One problem found in a model file: where, what is wrong, and what would be right.
public struct SpecDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// How serious a problem is.
    public enum Severity: String, Sendable {
        /// The model cannot be built.
        case error
        /// The model is built, but probably not as meant (a layer whose output nobody uses).
        case warning
    }

    /// Where the problem is; `nil` for specs built in code.
    public var location: SourceLocation?
    /// What is wrong.
    public var message: String
    /// What would be right, if known.
    public var hint: String?
    /// Whether it stops the model from being built.
    public var severity: Severity

    /// Creates a diagnostic.
    public init(location: SourceLocation?, message: String, hint: String? = nil, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.hint = hint
        self.severity = severity
    }

    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return prefix + severity.rawValue + ": " + message + (hint.map { "; \($0)" } ?? "")
    }
}

/// Every problem found in a model file or spec, reported together, in file order.
public struct ModelSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, at least one.
    public var diagnostics: [SpecDiagnostic]

    /// Wraps diagnostics, sorted by position.
    public init(_ diagnostics: [SpecDiagnostic]) {
        self.diagnostics = diagnostics.enumerated().sorted { a, b in
            let (x, y) = (a.element.location, b.element.location)
            if let x, let y, (x.line, x.column) != (y.line, y.column) { return (x.line, x.column) < (y.line, y.column) }
            return a.offset < b.offset
        }.map(\.element)
    }

    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }.count
        return diagnostics.map(\.description).joined(separator: "\n") + (errors > 1 ? "\n\(errors) errors" : "")
    }
}
