// libFuzzer entry point for the IDX and CSV readers, built by `.ci/fuzz.sh`. The first byte picks the reader;
// any input must be rejected with a `DataError` or give a data set whose sizes agree (class labels, and regression
// targets from the same text).
import NNData

@_cdecl("LLVMFuzzerTestOneInput")
public func dataFileFuzzer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data, count > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: count - 1))
    if data[0] & 1 == 0 {
        guard let file = try? IDXFile(bytes: bytes, path: "fuzz.idx") else { return 0 }
        let total = file.dimensions.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        if total != file.bytes.count { fatalError("IDX dimensions \(file.dimensions) but \(file.bytes.count) values") }
    } else {
        guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
        if let set = try? CSVDataset.parse(text, path: "fuzz.csv") {
            if set.labels.contains(where: { $0 < 0 || $0 >= set.classCount }) { fatalError("CSV label out of range") }
            var batch = Tensor(scalar: 0), labels: [Int] = []
            set.fillBatch(indices: Array(set.labels.indices)[...], into: &batch, labels: &labels)
            if batch.scalars.contains(where: { !$0.isFinite }) { fatalError("CSV gave a non-finite feature") }
        }
        // The regression form: bits 1–2 of the first byte pick 1 to 4 target columns.
        let targetColumns = 1 + Int(data[0] >> 1) % 4
        if let set = try? CSVDataset.parse(text, path: "fuzz.csv", targetColumns: targetColumns) {
            guard set.isRegression, set.targetCount == targetColumns, let targets = set.targets(Array(set.labels.indices)[...]) else {
                fatalError("a regression CSV without its \(targetColumns) target columns")
            }
            if targets.shape != [set.count, targetColumns] || targets.scalars.contains(where: { !$0.isFinite }) { fatalError("CSV gave bad targets \(targets.shape)") }
        }
        _ = try? CSVDataset.featureRows(text, path: "fuzz.csv", featureCount: 1 + Int(data[0] >> 1) % 8, leadingColumns: 1 + Int(data[0] >> 4) % 3)
    }
    return 0
}
