import CMPI
import Foundation
import NNModel

/// A `Communicator` over MPI's `MPI_COMM_WORLD`: `MPI_Allreduce` (in place, `MPI_SUM`) and `MPI_Bcast`.
///
/// Start the program with `mpirun -np N …`; one instance per process, made before any other MPI use.
/// `finish()` calls `MPI_Finalize`. Errors are returned, not fatal (`MPI_ERRORS_RETURN`), so that
/// the caller can report them and `abort` the whole run.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    /// Whether this process was started by `mpirun` (Open MPI's or another that sets the usual variables).
    public static var isLaunchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"].contains { environment[$0] != nil }
    }

    /// Initialises MPI.
    /// - Throws: `CommunicatorError` when `MPI_Init` fails.
    public init() throws(CommunicatorError) {
        guard MPI_Init(nil, nil) == MPI_SUCCESS else { throw CommunicatorError("MPI_Init failed") }
        MPI_Comm_set_errhandler(nnkit_mpi_comm_world(), MPI_ERRORS_RETURN_handle())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(nnkit_mpi_comm_world(), &rank)
        MPI_Comm_size(nnkit_mpi_comm_world(), &size)
        (self.rank, self.size) = (Int(rank), Int(size))
    }

    private var finished = false

    public func finish() {
        guard !finished else { return }
        finished = true
        MPI_Finalize()
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Float>) throws(CommunicatorError) {
        try check(MPI_Allreduce(nnkit_mpi_in_place(), values.baseAddress, Int32(values.count), nnkit_mpi_float(), nnkit_mpi_sum(), nnkit_mpi_comm_world()), "MPI_Allreduce")
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Double>) throws(CommunicatorError) {
        try check(MPI_Allreduce(nnkit_mpi_in_place(), values.baseAddress, Int32(values.count), nnkit_mpi_double(), nnkit_mpi_sum(), nnkit_mpi_comm_world()), "MPI_Allreduce")
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws(CommunicatorError) {
        var start = 0
        // MPI counts are Int32: large buffers go in parts.
        while start < bytes.count {
            let count = min(bytes.count - start, Int(Int32.max))
            try check(MPI_Bcast(bytes.baseAddress.map { $0 + start }, Int32(count), nnkit_mpi_byte(), Int32(root), nnkit_mpi_comm_world()), "MPI_Bcast")
            start += count
        }
    }

    public func abort(exitCode: Int32) -> Never {
        fflush(nil)
        MPI_Abort(nnkit_mpi_comm_world(), exitCode)
        exit(exitCode)
    }

    private func check(_ code: Int32, _ operation: String) throws(CommunicatorError) {
        guard code != MPI_SUCCESS else { return }
        var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        throw CommunicatorError("\(operation) failed on rank \(rank): \(String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))")
    }
}
