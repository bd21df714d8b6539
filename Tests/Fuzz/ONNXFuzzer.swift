// libFuzzer entry point for the ONNX importer, built by `.ci/fuzz.sh onnx`. Any bytes must either be refused with
// an `ONNXError` or import to a spec and weights that build (under a 64 MiB memory budget), predict one sample, and
// export to ONNX that imports again. A crash, hang or sanitizer report is a bug.
import Foundation
import NNCore
import NNModel
import NNONNX

@_cdecl("LLVMFuzzerTestOneInput")
public func onnxFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Data(UnsafeBufferPointer(start: $0, count: count)) } ?? Data()
    guard let imported = try? ONNXImport(data: bytes, path: "fuzz.onnx") else { return 0 }
    // An import that passes but does not build is allowed only when the memory budget refuses it.
    let model: Model
    do { model = try imported.model(memoryBudget: MemoryBudget(bytes: 64 << 20)) } catch { return 0 }
    if let sample = try? Tensor.zeros([1] + model.spec.input) { _ = try? model.predict(sample) }
    guard let exported = try? model.onnxData(), (try? ONNXImport(data: exported, path: "again.onnx")) != nil else {
        fatalError("an imported model did not export and import again:\n\(imported.spec.yamlText)")
    }
    return 0
}
