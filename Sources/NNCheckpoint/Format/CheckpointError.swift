/// Why a checkpoint could not be read or written; every case says where (file, tensor, byte offset).
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened, read, written or renamed.
    case io(path: String, operation: String, message: String)
    /// The file ends before a structure it declares.
    case truncated(path: String, offset: Int, message: String)
    /// The header is malformed; `offset` is a byte offset in the file.
    case invalidHeader(path: String, offset: Int, message: String)
    /// One tensor's entry is inconsistent; `offset` is the file offset of its data (or header entry).
    case invalidTensor(path: String, name: String, offset: Int, message: String)
    /// The data buffer's checksum differs from the one recorded in the metadata.
    case checksumMismatch(path: String, expected: String, actual: String)
    /// Writing was asked for something the format cannot hold.
    case unwritable(name: String, message: String)

    public var description: String {
        switch self {
        case let .io(path, operation, message): "\(path): cannot \(operation): \(message)"
        case let .truncated(path, offset, message): "\(path): truncated at byte \(offset): \(message)"
        case let .invalidHeader(path, offset, message): "\(path): invalid header at byte \(offset): \(message)"
        case let .invalidTensor(path, name, offset, message): "\(path): tensor '\(name)' (byte \(offset)): \(message)"
        case let .checksumMismatch(path, expected, actual):
            "\(path): the data does not match its checksum (recorded \(expected), computed \(actual)); the file is corrupt"
        case let .unwritable(name, message): "cannot write tensor '\(name)': \(message)"
        }
    }
}
