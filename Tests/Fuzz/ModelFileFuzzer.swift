// libFuzzer entry point for the model-file loader, built by `.ci/fuzz.sh`. Any text must either be rejected with
// diagnostics or parse to a spec whose `yamlText` parses back to the same spec; a spec that passes is also
// validated and, when small, built. A crash, hang or sanitizer report is a bug.
import NNModel

@_cdecl("LLVMFuzzerTestOneInput")
public func modelFileFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let text = String(validating: bytes, as: UTF8.self), !text.contains("\u{0}") else { return 0 }
    guard let spec = try? ModelSpec(yaml: text, file: "fuzz.yaml") else { return 0 }
    guard let again = try? ModelSpec(yaml: spec.yamlText, file: "round-trip.yaml"), again == spec else {
        fatalError("a parsed spec did not survive yamlText:\n\(spec.yamlText)")
    }
    // Building allocates the parameters: only for small inputs, as a user's machine would refuse the rest.
    if spec.input.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) <= 4096, spec.layers.count <= 64 {
        _ = try? Model(spec: spec)
    }
    return 0
}
