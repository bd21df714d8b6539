/// A position in a model file, printed as `file:line:column` (both 1-based).
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The file path as the user gave it.
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column, from 1 (in Unicode scalars).
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
