import Dispatch
import NNLayers

/// The collective steps of data-parallel training on one process: the start-up broadcast of rank 0's weights, the
/// per-step sum of the weighted gradients (with the step's statistics riding along), and the averaging of
/// BatchNorm's running statistics.
///
/// Gradients go into one preallocated buffer in parameter order and are summed in calls of at most
/// `bucketSize` values, in the same order on every process, so that two runs with the same processes give the
/// same bits.
final class GradientSynchronizer {
    /// Values per collective call (16 MiB of floats): all of a small model's gradients in one call.
    static let bucketSize = 1 << 22

    let communicator: any Communicator
    /// Seconds spent in collective calls since the last `takeSeconds()`.
    private var seconds = 0.0
    private var bucket: [Float] = []

    init(communicator: any Communicator) {
        self.communicator = communicator
    }

    /// The seconds spent in collective calls since the previous call, which it resets.
    func takeSeconds() -> Double {
        defer { seconds = 0 }
        return seconds
    }

    /// Replaces every gradient and `statistics` with their sums over the processes.
    func sumGradients(_ parameters: [NamedParameter], statistics: inout [Float]) throws {
        let count = parameters.reduce(statistics.count) { $0 + $1.parameter.gradient.count }
        if bucket.count != count { bucket = [Float](repeating: 0, count: count) }
        bucket.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for named in parameters {
                named.parameter.gradient.withUnsafeBufferPointer { gradient in
                    for index in gradient.indices { buffer[offset + index] = gradient[index] }
                    offset += gradient.count
                }
            }
            for (index, value) in statistics.enumerated() { buffer[offset + index] = value }
        }
        try sumBucket()
        bucket.withUnsafeBufferPointer { buffer in
            var offset = 0
            for named in parameters {
                named.parameter.gradient.withUnsafeMutableBufferPointer { gradient in
                    for index in gradient.indices { gradient[index] = buffer[offset + index] }
                    offset += gradient.count
                }
            }
            for index in statistics.indices { statistics[index] = buffer[offset + index] }
        }
    }

    /// Sets `tensors` on every process to rank 0's values.
    func broadcastFromLeader(_ tensors: [Parameter]) throws {
        for parameter in tensors {
            try parameter.value.withUnsafeMutableBufferPointer { values in
                try timed { try communicator.broadcast(UnsafeMutableRawBufferPointer(values), root: 0) }
            }
        }
    }

    /// Replaces each of `tensors` by its mean over the processes. The means are summed into copies and written
    /// back by `update`, which a caller can run under a lock so that no reader sees a tensor half summed.
    func average(_ tensors: [Parameter], update: (() -> Void) -> Void = { $0() }) throws {
        let scale = 1 / Float(communicator.size)
        var means: [Tensor] = []
        for parameter in tensors {
            var mean = parameter.value
            try mean.withUnsafeMutableBufferPointer { values in
                try timed { try communicator.sum(values) }
                for index in values.indices { values[index] *= scale }
            }
            means.append(mean)
        }
        update { for (parameter, mean) in zip(tensors, means) { parameter.value = mean } }
    }

    private func sumBucket() throws {
        try bucket.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = min(start + Self.bucketSize, buffer.count)
                let part = UnsafeMutableBufferPointer(rebasing: buffer[start..<end])
                try timed { try communicator.sum(part) }
                start = end
            }
        }
    }

    private func timed(_ body: () throws -> Void) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        try body()
    }
}
