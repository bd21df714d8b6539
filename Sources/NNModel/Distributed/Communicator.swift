import Foundation

/// The processes of a data-parallel training run and the collective operations between them, as `Trainer` uses
/// them: every process holds a copy of the model, trains on its share of each global batch, and the gradients are
/// summed before every update.
///
/// `SingleProcessCommunicator` is the one-process case; `MPICommunicator` (module `NNMPI`, built with the `MPI`
/// package trait) runs on MPI. Every process must make the same calls in the same order with the same sizes.
public protocol Communicator: AnyObject {
    /// This process's index, from 0.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `values` on every process with their elementwise sum over all processes.
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicatorError)
    /// Replaces `values` on every process with their elementwise sum over all processes.
    func sum(_ values: UnsafeMutableBufferPointer<Double>) throws(CommunicatorError)
    /// Replaces `bytes` on every process with `root`'s; the counts must agree.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CommunicatorError)
    /// Ends this process's part in the run (`MPI_Finalize`): call once, after the last collective call.
    func finish()
    /// Ends every process of the run at once with `exitCode` (after a fatal error on this one, so that the others
    /// do not wait for it forever).
    func abort(exitCode: Int32) -> Never
}

extension Communicator {
    /// Whether this process reports progress and writes files (rank 0).
    public var isLeader: Bool { rank == 0 }

    /// `root`'s bytes on every process, whatever their count was elsewhere.
    public func broadcast(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var count = [Double(bytes.count)]
        if rank != root { count[0] = 0 }
        try count.withUnsafeMutableBufferPointer { buffer in try sum(buffer) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        try received.withUnsafeMutableBytes { buffer in try broadcast(buffer, root: root) }
        return received
    }
}

/// Why a collective operation failed.
public struct CommunicatorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation and the library's message.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// One process: sums and broadcasts leave the values as they are.
public final class SingleProcessCommunicator: Communicator {
    /// Creates the communicator.
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicatorError) {}
    public func sum(_ values: UnsafeMutableBufferPointer<Double>) throws(CommunicatorError) {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CommunicatorError) {}
    public func finish() {}
    public func abort(exitCode: Int32) -> Never { exit(exitCode) }
}
