/// An error loading or assembling a data set.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file or directory does not exist; `hint` says how to get it.
    case notFound(path: String, hint: String)
    /// A file's contents are not in the expected format; `offset` is a byte offset or line number.
    case malformed(path: String, location: String, message: String)
    /// Sizes or labels do not agree.
    case inconsistent(String)
    /// The data set name is not known.
    case unknownDataset(name: String, known: [String])

    public var description: String {
        switch self {
        case let .notFound(path, hint): "data not found at \(path)\(hint.isEmpty ? "" : "; \(hint)")"
        case let .malformed(path, location, message): "\(path) (\(location)): \(message)"
        case let .inconsistent(message): "inconsistent data: \(message)"
        case let .unknownDataset(name, known):
            "unknown data set '\(name)'; use one of \(known.joined(separator: ", ")), a directory of IDX files, or a .csv file"
        }
    }
}
