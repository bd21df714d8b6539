// libFuzzer entry point for the model-file loader, built by `.ci/fuzz.sh`. Any text must either be rejected with
// diagnostics or parse to a spec whose `yamlText` parses back to the same spec; a spec that passes is also
// validated and built under a 64 MiB memory budget. A crash, hang or sanitizer report is a bug.
import NNModel

@_cdecl("LLVMFuzzerTestOneInput")
public func modelFileFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let text = String(validating: bytes, as: UTF8.self), !text.contains("\u{0}") else { return 0 }
    guard let spec = try? ModelSpec(yaml: text, file: "fuzz.yaml") else { return 0 }
    guard let again = try? ModelSpec(yaml: spec.yamlText, file: "round-trip.yaml"), again == spec else {
        fatalError("a parsed spec did not survive yamlText:\n\(spec.yamlText)")
    }
    // Building allocates the parameters; a small memory budget refuses large models before they allocate, as a
    // small machine would (fuzzed files asking for gigabytes spent seconds initialising weights).
    _ = try? Model(spec: spec, memoryBudget: MemoryBudget(bytes: 64 << 20))
    return 0
}
