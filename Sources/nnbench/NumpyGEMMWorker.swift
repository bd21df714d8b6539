import Foundation

/// A `python3` process with numpy that times one GEMM shape per request, so that numpy's figure for a shape and
/// ours are taken within a second of each other.
///
/// On the shared VM a burst of load from elsewhere lasts seconds to minutes. Timing all of numpy's shapes and then
/// all of ours puts a burst on one side of every comparison; timing them shape by shape puts it on both.
final class NumpyGEMMWorker {
    private let process = Process()
    private let requests = Pipe()
    private let replies = Pipe()
    private var pending = Data()

    private static let script = """
        import json, sys, time
        import numpy as np
        rng = np.random.default_rng(0); operands = {}
        print("ready", flush=True)
        for line in sys.stdin:
            request = json.loads(line); s = request["shape"]
            if s["name"] not in operands:
                a = rng.standard_normal((s["k"], s["m"]) if s["transposeA"] else (s["m"], s["k"]), dtype=np.float32)
                b = rng.standard_normal((s["n"], s["k"]) if s["transposeB"] else (s["k"], s["n"]), dtype=np.float32)
                operands[s["name"]] = (a.T if s["transposeA"] else a, b.T if s["transposeB"] else b)
            a, b = operands[s["name"]]
            f = lambda: a @ b
            f(); times = []; start = time.perf_counter()
            while len(times) < 3 or (time.perf_counter() - start < request["budget"] and len(times) < 2000):
                t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
            print(2 * s["m"] * s["n"] * s["k"] / sorted(times)[len(times) // 2] / 1e9, flush=True)
        """

    /// Starts the worker with OpenBLAS limited to `threads`; nil when `python3` or numpy is missing.
    init?(threads: Int) {
        signal(SIGPIPE, SIG_IGN)  // a worker that died fails the write instead of ending the benchmark
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        var environment = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[key] = String(threads) }
        process.environment = environment
        process.standardInput = requests
        process.standardOutput = replies
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil, readLine() == "ready" else { return nil }
    }

    /// numpy's GFLOPS for `shape`: the median of its runs over about `budget` seconds; nil if the worker died.
    func gflops(_ shape: Shape, budget: Double) -> Double? {
        struct Request: Encodable { let shape: Shape, budget: Double }
        let request = Request(shape: shape, budget: budget)
        guard process.isRunning, let line = try? JSONEncoder().encode(request),
              (try? requests.fileHandleForWriting.write(contentsOf: line + Data("\n".utf8))) != nil else { return nil }
        return readLine().flatMap(Double.init)
    }

    /// Ends the worker (it exits at the end of its input).
    func close() {
        try? requests.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The next line the worker prints, without its newline; nil at the end of its output.
    private func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[pending.index(after: newline)...])
                return line
            }
            let chunk = replies.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }
}
