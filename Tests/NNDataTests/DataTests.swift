import Foundation
import NNData
import Testing

@Suite struct IDXTests {
    func idx(_ dims: [UInt32], _ values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return bytes + values
    }

    @Test func parsesHeaderAndValues() throws {
        let file = try IDXFile(bytes: idx([2, 2, 3], Array(0..<12)), path: "x")
        #expect(file.dimensions == [2, 2, 3])
        #expect(file.bytes == Array(0..<12))
    }

    @Test(arguments: [
        ([UInt8]([0, 0]), "byte 0"),
        ([1, 0, 8, 1, 0, 0, 0, 1, 5], "byte 0"),
        ([0, 0, 0x0D, 1, 0, 0, 0, 1, 5], "byte 2"),
        ([0, 0, 8, 9], "byte 3"),
        ([0, 0, 8, 2, 0, 0], "byte 6"),
        ([0, 0, 8, 1, 0, 0, 0, 3, 1, 2], "byte 8"),
        // No samples of 4294967295² values each: the total is 0, the sample size overflows.
        ([0, 0, 8, 3, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "byte 8"),
        ([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0x40, 0x01, 0, 0, 0x40, 0], "byte 12"),
    ])
    func reportsMalformedHeaders(bytes: [UInt8], location: String) {
        #expect(throws: DataError.self) { try IDXFile(bytes: bytes, path: "x") }
        do { _ = try IDXFile(bytes: bytes, path: "x") } catch {
            guard case .malformed(_, let where_, _) = error else { Issue.record("\(error)"); return }
            #expect(where_ == location)
        }
    }

    @Test func readsGzipAndPlainFilesFromADirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let images = idx([3, 2, 2], [0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8])
        let labels = idx([3], [2, 0, 1])
        try Data(images).write(to: URL(fileURLWithPath: directory + "/train-images-idx3-ubyte"))
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/train-labels-idx1-ubyte"))
        try Data(images).write(to: URL(fileURLWithPath: directory + "/t10k-images-idx3-ubyte"))
        try Data(labels).write(to: URL(fileURLWithPath: directory + "/t10k-labels-idx1-ubyte"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [directory + "/t10k-images-idx3-ubyte", directory + "/t10k-labels-idx1-ubyte"]
        try gzip.run()
        gzip.waitUntilExit()
        let split = try DatasetCatalog.load(directory)
        #expect(split.train.count == 3)
        #expect(split.train.sampleShape == [1, 2, 2])
        #expect(split.test.labels == [2, 0, 1])
        let batch = split.test.batch([0, 2])
        #expect(batch.features.shape == [2, 1, 2, 2])
        #expect(zip(batch.features.scalars[..<4], [Float(0), 1, 0.2, 0.4]).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(batch.labels == [2, 1])
    }

    /// A gzip whose trailer promises more than the cap is refused before anything is reserved for it.
    @Test func aGzipOverTheInflationCapIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(idx([3], [2, 0, 1])).write(to: URL(fileURLWithPath: directory + "/labels"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [directory + "/labels"]
        try gzip.run()
        gzip.waitUntilExit()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/labels.gz")))
        #expect(try IDXFile(path: directory + "/labels.gz").bytes == [2, 0, 1])
        bytes.replaceSubrange((bytes.count - 4)..., with: [0xFF, 0xFF, 0xFF, 0xFF])
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/labels.gz"))
        #expect { try IDXFile(path: directory + "/labels.gz") } throws: { "\($0)".contains("over the") }
    }

    @Test func missingDataSetSaysHowToGetIt() {
        do {
            _ = try DatasetCatalog.load("/nonexistent/fashion")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("unknown data set") || error.description.contains("not found"))
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: DatasetCatalog.fashionMNISTDirectory)))
    func loadsFashionMNIST() throws {
        let split = try DatasetCatalog.load("fashion-mnist")
        #expect(split.train.count == 60_000)
        #expect(split.test.count == 10_000)
        #expect(split.train.classCount == 10)
        let (features, labels) = split.test.batch([0])
        #expect(labels == [9])  // the first test image is an ankle boot
        #expect(features.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
}

@Suite struct CSVTests {
    @Test func parsesLabelsAndFeaturesWithHeader() throws {
        let set = try CSVDataset.parse("label,a,b\n1, 0.5, 2\n0,3,4\n\n2,5,6\n", path: "d.csv")
        #expect(set.count == 3)
        #expect(set.labels == [1, 0, 2])
        #expect(set.classCount == 3)
        #expect(set.sampleShape == [2])
        #expect(set.batch([1]).features.scalars == [3, 4])
    }

    @Test func readsWindowsLineEndsAndAByteOrderMark() throws {
        let set = try CSVDataset.parse("label,a\r\n1,-0.4822\r\n0,2\r\n", path: "d.csv")
        #expect(set.labels == [1, 0] && set.batch([0]).features.scalars == [-0.4822])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bom-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("\u{FEFF}1,2\n0,3\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try CSVDataset.load(path: path).count == 2)
    }

    /// With target columns, each row starts with that many regression targets; the rest are features.
    @Test func parsesRegressionTargets() throws {
        let set = try CSVDataset.parse("y1,y2,a\n0.5,-1,2\n1.25,3e-1,4\n", path: "r.csv", targetColumns: 2)
        #expect(set.isRegression && set.count == 2 && set.targetCount == 2 && set.sampleShape == [1])
        #expect(set.targets([1, 0])?.scalars == [1.25, 0.3, 0.5, -1])
        #expect(set.targets([1])?.shape == [1, 2])
        #expect(set.batch([1]).features.scalars == [4])
        let part = set.subset([1])
        #expect(part.targets([0])?.scalars == [1.25, 0.3] && part.batch([0]).features.scalars == [4])
        #expect(try CSVDataset.parse("1,2\n", path: "c.csv").targets([0]) == nil)
        #expect { try CSVDataset.parse("0.5,1\n0.5,nan,1\n", path: "r.csv", targetColumns: 2) } throws: { "\($0)".contains("line 1") && "\($0)".contains("2 targets and at least one feature") }
        #expect { try CSVDataset.parse("0.5,1,2\n0.5,x,1\n", path: "r.csv", targetColumns: 2) } throws: { "\($0)".contains("line 2, column 2") && "\($0)".contains("target 'x'") }
        #expect { try CSVDataset.parse("0.5,1,2\n0.5,1,inf\n", path: "r.csv", targetColumns: 2) } throws: { "\($0)".contains("line 2, column 3") }
    }

    @Test func aHugeBadFieldIsNotEchoedWhole() {
        do {
            _ = try CSVDataset.parse("1,2\n1," + String(repeating: "x", count: 2_000_000) + "\n", path: "d.csv")
            Issue.record("no error")
        } catch {
            #expect(error.description.count < 300, "\(error.description.prefix(300))")
        }
    }

    @Test func directoriesAndDevicesAreNotCSVFiles() {
        for path in [FileManager.default.temporaryDirectory.path, "/dev/zero"] {
            do {
                _ = try CSVDataset.load(path: path)
                Issue.record("no error for \(path)")
            } catch {
                #expect(error.description.contains("not a regular file"), "\(error)")
            }
        }
    }

    /// Predict's rows: features alone or label and features, as the first row decides; nothing else.
    @Test func featureRowsFollowTheFirstRowsLayout() throws {
        #expect(try CSVDataset.featureRows("x,y\n1,2\n3,4\n", path: "p.csv", featureCount: 2) == [1, 2, 3, 4])
        #expect(try CSVDataset.featureRows("0,1,2\n1,3,4\n", path: "p.csv", featureCount: 2) == [1, 2, 3, 4])
        #expect(throws: DataError.self) { try CSVDataset.featureRows("0,1,2\n3,4\n", path: "p.csv", featureCount: 2) }
        #expect(try CSVDataset.featureRows("0,9,1,2\n1,8,3,4\n", path: "p.csv", featureCount: 2, leadingColumns: 2) == [1, 2, 3, 4])
        #expect(throws: DataError.self) { try CSVDataset.featureRows("0,1,2\n", path: "p.csv", featureCount: 2, leadingColumns: 2) }
        #expect(throws: DataError.self) { try CSVDataset.featureRows("1,nan\n", path: "p.csv", featureCount: 2) }
        #expect(throws: DataError.self) { try CSVDataset.featureRows("1,5\u{0}junk\n", path: "p.csv", featureCount: 2) }
        // A first row with a number in it is data, not a header to skip.
        #expect { try CSVDataset.featureRows("5\u{0}junk,1\n", path: "p.csv", featureCount: 2) } throws: { "\($0)".contains("column 1") }
        #expect { try CSVDataset.parse("5\u{0}junk,1\n0,2\n", path: "d.csv") } throws: { "\($0)".contains("line 1, column 1") }
    }

    @Test(arguments: [
        ("1,2\n3,4,5\n", "line 2"),
        ("1,2\nx,3\n", "line 2, column 1"),
        ("1,2\n-1,3\n", "line 2, column 1"),
        ("1,2\n2,abc\n", "line 2, column 2"),
        ("1,2\n2,nan\n", "line 2, column 2"),
        ("1,2\n2,inf\n", "line 2, column 2"),
        ("1,2\n2,1e39\n", "line 2, column 2"),
        ("1,2\n2,5\u{0}junk\n", "line 2, column 2"),
        ("1,2\r\n2,0x10\r\n", "line 2, column 2"),
        ("1\n", "line 1"),
        ("", "line 1"),
    ])
    func reportsLineAndColumn(text: String, location: String) {
        do {
            _ = try CSVDataset.parse(text, path: "d.csv")
            Issue.record("expected an error for \(text)")
        } catch {
            guard case .malformed(_, let found, _) = error else { Issue.record("\(error)"); return }
            #expect(found == location)
        }
    }
}

@Suite struct BatchingTests {
    @Test func aBatchLargerThanTheSetIsTheWholeSet() {
        let sampler = BatchSampler(count: 10, batchSize: Int.max, shuffle: true, seed: 1)
        #expect(sampler.batchesPerEpoch == 1)
        #expect(sampler.batches(epoch: 0).map(\.count) == [10])
    }

    @Test func shufflesReproduciblyPerEpochAndCoversEverySample() {
        let sampler = BatchSampler(count: 10, batchSize: 4, seed: 3)
        #expect(sampler.batchesPerEpoch == 3)
        let first = sampler.batches(epoch: 0).flatMap { $0 }
        #expect(first.sorted() == Array(0..<10))
        #expect(first == BatchSampler(count: 10, batchSize: 4, seed: 3).batches(epoch: 0).flatMap { $0 })
        #expect(first != sampler.batches(epoch: 1).flatMap { $0 })
        #expect(first != BatchSampler(count: 10, batchSize: 4, seed: 4).batches(epoch: 0).flatMap { $0 })
        #expect(BatchSampler(count: 10, batchSize: 4, shuffle: false).order(epoch: 5) == Array(0..<10))
        #expect(BatchSampler(count: 10, batchSize: 4, dropLast: true).batchesPerEpoch == 2)
    }

    @Test func largeBatchesConvertAlikeOnAnyNumberOfThreads() throws {
        // 300 samples of 100 bytes: enough rows for the conversion to split across threads.
        let bytes = (0..<30_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) }
        let set = try Dataset(features: .bytes(bytes, scale: 1 / 255), labels: (0..<300).map { $0 % 10 }, sampleShape: [100], classCount: 10)
        let indices = (0..<300).map { ($0 * 37) % 300 }
        for threads in [1, 2, 3] {
            try ComputeContext(threads: threads).run {
                var batch = Tensor(scalar: 0), labels: [Int] = []
                set.fillBatch(indices: indices[...].dropFirst(20), into: &batch, labels: &labels)
                let expected = indices.dropFirst(20).flatMap { i in bytes[i * 100 ..< (i + 1) * 100].map { Float($0) * (1 / 255) } }
                #expect(batch.shape == [280, 100])
                #expect(batch.scalars == expected, "\(threads) threads")
                #expect(labels == indices.dropFirst(20).map { $0 % 10 })
            }
        }
    }

    @Test func fillBatchReusesStorage() throws {
        let set = Spiral.make(pointsPerClass: 10, seed: 1)
        var batch = Tensor(scalar: 0)
        var labels: [Int] = []
        set.fillBatch(indices: [3, 4, 5], into: &batch, labels: &labels)
        #expect(batch.shape == [3, 2])
        set.fillBatch(indices: [7], into: &batch, labels: &labels)
        #expect(batch.shape == [1, 2])
        #expect(labels == [set.labels[7]])
    }

    @Test func spiralMatchesDeZeroLayout() {
        let set = Spiral.make(seed: 1984)
        #expect(set.count == 300)
        #expect(set.classCount == 3)
        #expect((0..<3).map { c in set.labels.filter { $0 == c }.count } == [100, 100, 100])
        let radii = (0..<300).map { i -> Float in
            let (x, y) = (set.batch([i]).features.scalars[0], set.batch([i]).features.scalars[1])
            return (x * x + y * y).squareRoot()
        }
        #expect(radii.allSatisfy { $0 < 1 })
        #expect(Spiral.make(seed: 1984).labels == set.labels)
    }
}

/// Paths in a model file's `data:` are relative to the model file.
@Suite struct DataReferenceTests {
    @Test func relativePathsAreJoinedToTheModelsDirectory() {
        #expect(DatasetCatalog.resolve("data/train.csv", relativeTo: "models") == "models/data/train.csv")
        #expect(DatasetCatalog.resolve("csv:train.csv", relativeTo: "/m") == "csv:/m/train.csv")
        #expect(DatasetCatalog.resolve("mnist-idx:idx", relativeTo: "/m") == "mnist-idx:/m/idx")
        #expect(DatasetCatalog.resolve("/abs/x.csv", relativeTo: "/m") == "/abs/x.csv")
        #expect(DatasetCatalog.resolve("spiral", relativeTo: "/m") == "spiral")
        #expect(DatasetCatalog.resolve("fashion-mnist", relativeTo: "/m") == "fashion-mnist")
        #expect(DatasetCatalog.resolve("x.csv", relativeTo: nil) == "x.csv")
    }
}
