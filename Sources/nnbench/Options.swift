import ArgumentParser

/// `nnbench`'s command line (parsed at the top of `main.swift`, which then runs the sections it asks for).
struct Options: ParsableCommand {
    /// A part of the benchmark.
    enum Section: String, ExpressibleByArgument, CaseIterable {
        case gemm, elementwise, training, inference, cnn
    }

    static let configuration = CommandConfiguration(
        commandName: "nnbench",
        abstract: "Kernel, training and inference benchmarks, each next to its reference (numpy/OpenBLAS, JAX, PyTorch, ONNX Runtime) run on this machine in the same session.")

    @Flag(help: "Also write the results as JSON to standard output.") var json = false
    @Flag(help: "One short round of each measurement (a smoke test, not figures).") var quick = false
    @Option(help: "Run one section only (for profiling).") var only: Section?
    @Option(help: "Measure GEMM and training at this thread count only (default: 1 and 2).") var threads: Int?
    @Flag(help: "Leave out the other frameworks' runs (e.g. under perf record, which would follow them).") var noPeers = false
    @Option(name: .customLong("python"), help: "An interpreter to look for PyTorch under (repeatable; each version found is a peer).")
    var python: [String] = ["python3", "/usr/bin/python3", "/opt/nnbench-torch2/bin/python"]
    @Option(help: .hidden) var rssProbe: String?
    @Option(help: .hidden) var steps = 200

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }
}
