import Foundation

/// A `python3` process with numpy that times one GEMM shape or one elementwise function per request, so that
/// numpy's figure and ours are taken close together.
///
/// On a shared machine load from elsewhere comes in bursts. Timing all of numpy's cases and then
/// all of ours puts a burst on one side of every comparison; timing them case by case puts it on both.
final class NumpyWorker {
    private let process = Process()
    private let requests = Pipe()
    private let replies = Pipe()
    private var pending = Data()

    /// Each request is a JSON line with a `budget` in seconds and either a `shape` (GEMM; the reply is GFLOPS)
    /// or an `elementwise` function name (on 2²⁴ standard normal floats, `log` on `|x| + 0.1`; the reply is GB/s
    /// of input and output). The reply is the median of the runs within the budget, after one warm-up run.
    private static let script = """
        import json, sys, time
        import numpy as np
        rng = np.random.default_rng(0); operands = {}; vectors = None
        print("ready", flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            if "shape" in request:
                s = request["shape"]
                if s["name"] not in operands:
                    a = rng.standard_normal((s["k"], s["m"]) if s["transposeA"] else (s["m"], s["k"]), dtype=np.float32)
                    b = rng.standard_normal((s["n"], s["k"]) if s["transposeB"] else (s["k"], s["n"]), dtype=np.float32)
                    operands[s["name"]] = (a.T if s["transposeA"] else a, b.T if s["transposeB"] else b)
                a, b = operands[s["name"]]
                f = lambda: a @ b; work = 2 * s["m"] * s["n"] * s["k"]
            else:
                if vectors is None:
                    x = rng.standard_normal(1 << 24, dtype=np.float32)
                    vectors = (x, np.empty_like(x), np.abs(x) + 0.1)
                x, y, positive = vectors
                f = {"relu": lambda: np.maximum(x, 0, out=y), "exp": lambda: np.exp(x, out=y),
                     "log": lambda: np.log(positive, out=y), "tanh": lambda: np.tanh(x, out=y),
                     "sigmoid": lambda: np.divide(1, np.add(1, np.exp(np.negative(x, out=y), out=y), out=y), out=y),
                    }[request["elementwise"]]
                work = 8 * x.size
            f(); times = []; start = time.perf_counter()
            while len(times) < 3 or (time.perf_counter() - start < request["budget"] and len(times) < 2000):
                t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
            print(work / sorted(times)[len(times) // 2] / 1e9, flush=True)
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
        return ask(Request(shape: shape, budget: budget))
    }

    /// numpy's GB/s (input + output bytes) for the elementwise function `name` (`relu`, `exp`, `log`, `tanh`,
    /// `sigmoid`): the median of its runs over about `budget` seconds; nil if the worker died.
    func gbps(_ name: String, budget: Double) -> Double? {
        struct Request: Encodable { let elementwise: String, budget: Double }
        return ask(Request(elementwise: name, budget: budget))
    }

    private func ask(_ request: some Encodable) -> Double? {
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
