import Foundation

/// Resolves a data set reference from a model file or the command line to a train/test split.
///
/// A reference is one of: `spiral`; `fashion-mnist` (Debian's `dataset-fashion-mnist`, in
/// `/usr/share/datasets/fashion-mnist`); `mnist-idx:<dir>` or a directory holding the four MNIST-style IDX
/// files; `csv:<train.csv>` or a `.csv` path (the test set is `<name>-test.csv` beside it when present,
/// otherwise the last 20% of the file).
public enum DatasetCatalog {
    /// The built-in names.
    public static let names = ["spiral", "fashion-mnist"]
    /// Where Debian installs Fashion-MNIST.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Loads the data set named by `reference`, with a relative path taken from `directory` (the model file's, so
    /// that `data: data/train.csv` means the same wherever `nnrun` runs); built-in names are not paths. With
    /// `csvTargetColumns` > 0 a CSV file holds regression samples: that many targets, then the features.
    public static func load(_ reference: String, relativeTo directory: String?, csvTargetColumns: Int = 0) throws(DataError) -> DataSplit {
        try load(resolve(reference, relativeTo: directory), csvTargetColumns: csvTargetColumns)
    }

    /// `reference` with a relative path (also after `csv:` or `mnist-idx:`) joined to `directory`.
    public static func resolve(_ reference: String, relativeTo directory: String?) -> String {
        guard let directory, !directory.isEmpty, !names.contains(reference) else { return reference }
        for prefix in ["csv:", "mnist-idx:", ""] where reference.hasPrefix(prefix) {
            let path = String(reference.dropFirst(prefix.count))
            guard !path.hasPrefix("/"), !path.isEmpty else { return reference }
            return prefix + (directory as NSString).appendingPathComponent(path)
        }
        return reference
    }

    /// Loads the data set named by `reference`; `csvTargetColumns` as for `load(_:relativeTo:csvTargetColumns:)`.
    public static func load(_ reference: String, csvTargetColumns: Int = 0) throws(DataError) -> DataSplit {
        switch reference {
        case "spiral":
            return Spiral.split()
        case "fashion-mnist":
            guard FileManager.default.fileExists(atPath: fashionMNISTDirectory) else {
                throw .notFound(path: fashionMNISTDirectory,
                                hint: "install it with `apt-get install dataset-fashion-mnist`, or pass --data DIR with the IDX files")
            }
            return try idxDirectory(fashionMNISTDirectory)
        default:
            if reference.hasPrefix("mnist-idx:") { return try idxDirectory(String(reference.dropFirst("mnist-idx:".count))) }
            if reference.hasPrefix("csv:") { return try csv(String(reference.dropFirst("csv:".count)), targetColumns: csvTargetColumns) }
            if reference.hasSuffix(".csv") { return try csv(reference, targetColumns: csvTargetColumns) }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue {
                return try idxDirectory(reference)
            }
            throw .unknownDataset(name: reference, known: names)
        }
    }

    /// Loads `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
    /// `t10k-labels-idx1-ubyte` (each optionally `.gz`) from `directory`.
    public static func idxDirectory(_ directory: String) throws(DataError) -> DataSplit {
        func file(_ stem: String) throws(DataError) -> String {
            for candidate in [stem + ".gz", stem] {
                let path = (directory as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: path) { return path }
            }
            throw .notFound(path: (directory as NSString).appendingPathComponent(stem + "[.gz]"),
                            hint: "an IDX directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (optionally .gz)")
        }
        let train = try IDXFile.dataset(images: file("train-images-idx3-ubyte"), labels: file("train-labels-idx1-ubyte"))
        let test = try IDXFile.dataset(images: file("t10k-images-idx3-ubyte"), labels: file("t10k-labels-idx1-ubyte"))
        return DataSplit(train: train, test: test)
    }

    /// Loads a CSV training file and its test file (`<stem>-test.csv`) or, without one, holds out the last 20%;
    /// with `targetColumns` > 0, of regression samples.
    public static func csv(_ path: String, targetColumns: Int = 0) throws(DataError) -> DataSplit {
        let train = try CSVDataset.load(path: path, targetColumns: targetColumns)
        let testPath = String(path.dropLast(4)) + "-test.csv"
        if FileManager.default.fileExists(atPath: testPath) {
            let test = try CSVDataset.load(path: testPath, targetColumns: targetColumns)
            guard test.sampleShape == train.sampleShape else {
                throw .inconsistent("\(testPath) has \(test.sampleSize) features per sample, \(path) has \(train.sampleSize)")
            }
            return DataSplit(train: train, test: test)
        }
        let cut = Swift.max(1, train.count * 4 / 5)
        return DataSplit(train: train.subset(Array(0..<cut)), test: train.subset(Array(cut..<train.count)))
    }
}
