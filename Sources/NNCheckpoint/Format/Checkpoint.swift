/// Named tensors and string metadata, stored as a safetensors file.
///
/// ```swift
/// var checkpoint = Checkpoint()
/// checkpoint.tensors["hidden.weight"] = StoredTensor(shape: [2, 3], values: w)
/// try checkpoint.write(to: "model.safetensors")        // atomic
/// let loaded = try Checkpoint(contentsOf: "model.safetensors")
/// ```
public struct Checkpoint: Sendable, Equatable {
    /// The tensors by name.
    public var tensors: [String: StoredTensor]
    /// The `__metadata__` map (the checksum key is added on write and verified on read).
    public var metadata: [String: String]

    /// Creates a checkpoint.
    public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and fully validates a safetensors file.
    public init(contentsOf path: String) throws(CheckpointError) {
        let (tensors, metadata) = try SafeTensors.decode(try AtomicFile.read(path), path: path)
        self.init(tensors: tensors, metadata: metadata)
    }

    /// The file's bytes.
    public func encoded() throws(CheckpointError) -> [UInt8] {
        try SafeTensors.encode(tensors, metadata: metadata)
    }

    /// Writes the checkpoint atomically (temporary file, fsync, rename, directory fsync).
    public func write(to path: String) throws(CheckpointError) {
        try AtomicFile.write(try encoded(), to: path)
    }
}
