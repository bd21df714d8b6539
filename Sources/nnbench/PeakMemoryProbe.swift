import Foundation
import NNKit

/// The child process behind the peak-RSS row (`nnbench --rss-probe MODEL --steps N`): loads Fashion-MNIST as
/// `nnrun train` does, trains `steps` steps of `Models/MODEL.yaml`, and prints its peak RSS in MiB, the figure
/// `cnn_peers.py train` reports for the same work.
enum PeakMemoryProbe {
    static func run(model name: String, steps: Int, modelsDirectory: URL) throws {
        let model = try Model(yamlFile: modelsDirectory.appendingPathComponent("\(name).yaml").path)
        let data = try DatasetCatalog.load("fashion-mnist")
        let batch = model.spec.train.batchSize
        let trainer = try Trainer(model: model, data: DataSplit(train: data.train.subset(Array(0..<min(data.train.count, steps * batch))),
                                                                test: data.test.subset(Array(0..<min(data.test.count, 64)))))
        _ = try trainer.trainEpoch()
        print(String(format: "%.1f", peakResidentMiB()))
    }

    /// This process's peak resident set so far: `VmHWM` (`ru_maxrss` would include the parent's at the fork).
    static func peakResidentMiB() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kilobytes / 1024
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
