import ArgumentParser
import NNKit

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "List a safetensors checkpoint's tensors and metadata, checking its structure and checksum.",
        discussion: "Every read validates the whole file; --verify also fails when the file records no checksum.")

    @Argument(help: "The checkpoint file.") var file: String
    @Flag(help: "Require a recorded checksum and report its verification.") var verify = false
    @Flag(help: "Print JSON.") var json = false

    struct Listing: Encodable {
        struct Entry: Encodable { var name: String, dtype: String, shape: [Int], bytes: Int }
        var tensors: [Entry]
        var metadata: [String: String]
        var checksum: String?
    }

    func run() throws {
        let checkpoint = try failing("reading \(file)") { try Checkpoint(contentsOf: file) }
        let checksum = checkpoint.metadata[SafeTensors.checksumKey]
        if verify, checksum == nil {
            printError("error: \(file) records no checksum; its structure is valid but its data cannot be verified")
            throw ExitCode.failure
        }
        let entries = checkpoint.tensors.keys.sorted().map { name in
            let tensor = checkpoint.tensors[name]!
            return Listing.Entry(name: name, dtype: tensor.storedType.rawValue, shape: tensor.shape, bytes: tensor.values.count * tensor.storedType.size)
        }
        if json {
            print(jsonText(Listing(tensors: entries, metadata: checkpoint.metadata, checksum: checksum)))
            return
        }
        let width = entries.map(\.name.count).max() ?? 0
        for entry in entries {
            print(entry.name + String(repeating: " ", count: width - entry.name.count) + "  \(entry.dtype)  \(entry.shape)  \(entry.bytes) bytes")
        }
        print("\(entries.count) tensors, \(entries.reduce(0) { $0 + $1.bytes }) data bytes")
        for key in checkpoint.metadata.keys.sorted() where key != Model.MetadataKey.modelSpec {
            print("\(key): \(checkpoint.metadata[key]!)")
        }
        if checkpoint.metadata[Model.MetadataKey.modelSpec] != nil { print("model_spec: (\(checkpoint.metadata[Model.MetadataKey.modelSpec]!.count) characters of YAML)") }
        print(checksum.map { "verified: \($0) matches the data" } ?? "no checksum recorded; structure verified")
    }
}
