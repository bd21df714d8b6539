import ArgumentParser
import Foundation
import NNKit
#if MPI
import NNMPI
#endif

/// The processes `nnrun train` runs as: MPI's `MPI_COMM_WORLD` when this `nnrun` was built with the MPI trait and
/// started by `mpirun`, else one process.
enum Processes {
    static func communicator() throws -> any Communicator {
        #if MPI
        if MPICommunicator.isLaunchedByMPI {
            do { return try MPICommunicator() } catch {
                printError("error: \(error)")
                throw ExitCode.failure
            }
        }
        #else
        if let size = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), size > 1 {
            if ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"] == "0" {
                printError("error: started by mpirun with \(size) processes, but this nnrun was built without MPI; build it with `swift build -c release --traits MPI` (needs Open MPI: apt-get install libopenmpi-dev openmpi-bin)")
            }
            throw ExitCode.validationFailure
        }
        #endif
        return SingleProcessCommunicator()
    }

    /// Reads a checkpoint on rank 0 and hands its bytes to every process, so that the others need no copy of the
    /// file. A rank-0 failure is reported there and ends every process.
    static func readCheckpoint(_ path: String, _ what: String, processes: any Communicator) throws -> Checkpoint {
        guard processes.size > 1 else { return try failing(what) { try Checkpoint(contentsOf: path) } }
        var bytes: [UInt8] = []
        var problem: String?
        if processes.isLeader {
            do { bytes = try AtomicFile.read(path) } catch { problem = "error: \(what): \(error)" }
        }
        let received = try failing("broadcasting \(path)") { try processes.broadcast(bytes) }
        if let problem { printError(problem) }
        guard !received.isEmpty else { throw ExitCode.failure }
        return try failing(what) {
            let (tensors, metadata) = try SafeTensors.decode(received, path: path)
            return Checkpoint(tensors: tensors, metadata: metadata)
        }
    }
}
