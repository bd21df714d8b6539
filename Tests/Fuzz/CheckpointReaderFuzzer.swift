// libFuzzer entry point for the checkpoint reader, built by `.ci/fuzz-checkpoint.sh` together with the
// NNCheckpoint sources (`swiftc -sanitize=fuzzer,address`). Any input must be rejected with a typed error or
// decode to a checkpoint that re-encodes and decodes to the same tensors; a crash or sanitizer report is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func checkpointReaderFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let decoded = try? SafeTensors.decode(bytes, path: "fuzz") else { return 0 }
    guard let encoded = try? SafeTensors.encode(decoded.tensors, metadata: decoded.metadata),
          let again = try? SafeTensors.decode(encoded, path: "re-encoded") else {
        fatalError("a decoded checkpoint failed to re-encode and decode")
    }
    for (name, tensor) in decoded.tensors where again.tensors[name]?.values.map(\.bitPattern) != tensor.values.map(\.bitPattern) {
        fatalError("tensor \(name) changed in a round trip")
    }
    return 0
}
