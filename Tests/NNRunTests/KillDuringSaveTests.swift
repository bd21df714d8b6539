import Foundation
import NNKit
import Testing

/// A process saving a checkpoint after every epoch is killed with SIGKILL at random moments; the file on disk
/// must always be a complete checkpoint that loads and verifies.
@Suite struct KillDuringSaveTests {
    @Test func killedSaverAlwaysLeavesACompleteFile() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("live.safetensors").path
        #expect(try CommandRunner.run(["train", "Models/spiral-mlp.yaml", "--epochs", "1", "--out", path, "--quiet"]).status == 0)
        var generator = SeededGenerator(seed: UInt64(Date().timeIntervalSince1970))
        var epochsSeen = Set<String>()
        for _ in 0..<30 {
            let process = Process()
            process.executableURL = CommandRunner.executable
            process.arguments = ["train", "Models/spiral-mlp.yaml", "--epochs", "1000000", "--save-every", "1", "--out", path, "--quiet"]
            process.currentDirectoryURL = CommandRunner.repository
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: 0.05 + 0.25 * generator.nextUnitDouble())
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let checkpoint = try Checkpoint(contentsOf: path)
            #expect(checkpoint.metadata[SafeTensors.checksumKey] != nil)
            #expect(checkpoint.tensors["hidden.weight"]?.shape == [2, 30])
            epochsSeen.insert(checkpoint.metadata["epoch"] ?? "")
        }
        #expect(epochsSeen.count > 1, "the saver never got to save between kills")
    }
}
