extension Kernels {
    /// Rows of `source` (each `rowLength` bytes) at `rows`, converted to `Float` and multiplied by `scale`, one
    /// after another into `y` (`rows.count × rowLength`): a batch of images stored as bytes.
    ///
    /// Shuffled rows lie anywhere in a data set much larger than the caches, so converting them one by one waits
    /// on memory: the conversion of each row depends on its loads. The rows are first copied, `stagedRows` at a
    /// time, into a small buffer (the copies of several rows are in flight at once), then converted from there.
    public static func gatherRows(
        of source: UnsafePointer<UInt8>, rowLength: Int, at rows: UnsafeBufferPointer<Int>, scale: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard rowLength > 0, !rows.isEmpty else { return }
        let chunk = Swift.min(rows.count, Swift.max(1, stagedBytes / rowLength))
        let workspace = Workspace.take(floats: (chunk * rowLength + 3) / 4)
        defer { Workspace.give(workspace) }
        workspace.pointer.withMemoryRebound(to: UInt8.self, capacity: chunk * rowLength) { staging in
            var first = 0
            while first < rows.count {
                let count = Swift.min(chunk, rows.count - first)
                for r in 0..<count {
                    (staging + r * rowLength).update(from: source + rows[first + r] * rowLength, count: rowLength)
                }
                let output = y + first * rowLength
                for i in 0..<(count * rowLength) { output[i] = Float(staging[i]) * scale }
                first += count
            }
        }
    }

    /// Bytes staged by `gatherRows` before converting: 16 Fashion-MNIST images, well inside L1.
    static let stagedBytes = 16 * 784
}
