import Foundation
import NNKit

/// A one-line progress display on a terminal: percent, loss, accuracy, samples/s and ETA, redrawn in place.
struct ProgressBar {
    private var lastDraw = 0.0
    let epochs: Int

    init(epochs: Int) { self.epochs = epochs }

    /// Redraws at most ten times a second, and always at the last batch.
    mutating func update(_ p: BatchProgress) {
        guard p.seconds - lastDraw >= 0.1 || p.batch == p.batches else { return }
        lastDraw = p.seconds
        let fraction = Double(p.batch) / Double(max(p.batches, 1))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let rate = Double(p.samples) / max(p.seconds, 1e-9)
        let eta = p.seconds / max(fraction, 1e-9) - p.seconds
        let line = "epoch \(p.epoch)/\(epochs) \(bar) \(String(format: "%3d", Int(fraction * 100)))%  loss \(fixed(p.loss, 4))\(accuracyText(p.accuracy, "  acc "))  \(Int(rate)) samples/s  ETA \(fixed(eta, 1))s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    /// Clears the line before the epoch summary is printed.
    mutating func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        lastDraw = 0
    }
}
