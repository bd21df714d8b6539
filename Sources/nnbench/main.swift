// nnbench: kernel, training and inference benchmarks, each next to its reference measured in the same run.
//
//   swift run -c release nnbench [--json] [--quick] [--only gemm|elementwise|training|inference|cnn] [--threads N] [--no-peers]   (see --help)
//
// Prints GEMM GFLOPS (squares 256–2048 and the Fashion-MNIST MLP's forward and backward shapes) at 1 and 2
// threads next to numpy's, elementwise GB/s (ReLU, exp, log, tanh, sigmoid) next to numpy's, MLP training samples/s at
// 1 and 2 threads, on [0, 1] pixels and standardized ones, next to JAX, PyTorch and numpy training the same MLP
// (`peers.py`; also ours with zero skipping on and off, alternating), MLP inference latency at batch 1 and 64 next to
// ONNX Runtime's, the CNN rows (LeNet and the residual CNN of `Models/`: training next to PyTorch, inference next to
// ONNX Runtime, peak RSS of LeNet training; `cnn_peers.py`), and peak RSS. Medians of repeated runs; every reference
// runs on this machine in the same session, and a reference that is not installed is reported as such.
import Foundation
import NNKit

let options = Options.parseOrExit()
/// The model files the CNN rows train (`Models/` of this checkout).
let modelsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Models").standardized
if let probe = options.rssProbe {
    try ComputeContext(threads: options.threads ?? 1).run {
        try PeakMemoryProbe.run(model: probe, steps: options.steps, modelsDirectory: modelsDirectory)
    }
    exit(0)
}
let json = options.json
let quick = options.quick
/// The peers' script beside this file: the same MLP trained by JAX, PyTorch and numpy, and run by ONNX Runtime.
let peersScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("peers.py").path
/// The CNN peers' script: the models of `Models/lenet.yaml` and `Models/resnet-fashion.yaml` in PyTorch and ONNX Runtime.
let cnnPeersScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("cnn_peers.py").path
/// `--no-peers` leaves out the reference runs of other frameworks (e.g. under `perf record`, which would follow them);
/// so does a checkout moved since the build, where `peers.py` is no longer found.
let runsPeers = !options.noPeers && FileManager.default.fileExists(atPath: peersScript)
if !options.noPeers && !runsPeers {
    print("\(peersScript) not found (the checkout moved since this build?): no references from other frameworks")
}
/// Whether `--only` leaves `section` in (all sections run by default).
func runs(_ section: Options.Section) -> Bool { options.only == nil || options.only == section }
/// The thread counts GEMM and training are measured at.
let threadCounts: [Int] = options.threads.map { [$0] } ?? [1, 2]
/// The kernels' settings: every section runs in this context (with its own thread count); `NNKIT_AVX512=0` turns
/// the AVX-512 forms off.
let environmentContext = ComputeContext(usesAVX512: ProcessInfo.processInfo.environment["NNKIT_AVX512"] != "0")
let environmentThreads = environmentContext.threads
var results: [String: Any] = [:]
#if NNKIT_X86_64_V4
let build = "x86-64-v4 (NNKIT_X86_64=v4)"
#else
let build = "default (x86-64-v3 on x86-64)"
#endif
results["build"] = build

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Median seconds of `body`, repeated until about `budget` seconds have passed (at least 3 runs).
func median(budget: Double = quick ? 0.15 : 0.6, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    let start = now()
    while times.count < 3 || (now() - start < budget && times.count < 2000) {
        let t = now()
        body()
        times.append(now() - t)
    }
    return times.sorted()[times.count / 2]
}

/// The median of a non-empty list.
func middle(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func report(_ line: String) { if !json { print(line) } }

/// One case's figures from `pairedRounds`: ours and numpy's per round, and each round's ratio.
struct PairedFigures {
    var ours: [Double] = [], references: [Double] = [], ratios: [Double] = []
    /// numpy's median, nil without numpy.
    var reference: Double? { references.isEmpty ? nil : middle(references) }
    /// The median of the rounds' ratios, nil without numpy.
    var ratio: Double? { ratios.isEmpty ? nil : middle(ratios) }

    /// `name  ours-median [min–max] / numpy-median = ratio×`.
    func line(_ name: String) -> String {
        "  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) " +
            String(format: "%7.1f [%5.1f–%5.1f]", middle(ours), ours.min() ?? 0, ours.max() ?? 0) +
            (reference.map { String(format: " / %7.1f = %.2f×", $0, ratio ?? 0) } ?? "")
    }
}

/// `rounds` rounds over `count` cases: in each, every case is timed by numpy (`reference`, nil without numpy) and
/// then by us, so the two figures of a pair are taken close together. A burst of load from elsewhere on a shared
/// machine spoils the rounds it falls in; the median of the rounds' ratios leaves them out.
func pairedRounds(_ count: Int, rounds: Int, reference: (Int) -> Double?, ours: (Int) -> Double) -> [PairedFigures] {
    var figures = [PairedFigures](repeating: PairedFigures(), count: count)
    for _ in 0..<rounds {
        for i in 0..<count {
            let theirs = reference(i)
            let mine = ours(i)
            figures[i].ours.append(mine)
            if let theirs {
                figures[i].references.append(theirs)
                figures[i].ratios.append(mine / theirs)
            }
        }
    }
    return figures
}

struct Shape: Codable { let name: String, m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool }
let shapes: [Shape] = [256, 512, 1024, 2048].map { Shape(name: "\($0)²", m: $0, n: $0, k: $0, transposeA: false, transposeB: false) } + [
    Shape(name: "mlp fwd 128×784·784×256", m: 128, n: 256, k: 784, transposeA: false, transposeB: false),
    Shape(name: "mlp dW 784×128ᵀ·128×256", m: 784, n: 256, k: 128, transposeA: true, transposeB: false),
    Shape(name: "mlp dx 128×256·(784×256)ᵀ", m: 128, n: 784, k: 256, transposeA: false, transposeB: true),
]

// MARK: numpy reference

/// Runs `python arguments…` (an interpreter on the `PATH` or a path) with BLAS limited to `threads` and decodes the
/// JSON object it prints; nil when the interpreter, or a module the script imports, is missing.
func runPythonJSON(_ arguments: [String], threads: Int, python: String = "python3", environment extra: [String: String] = [:]) -> [String: Any]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [python] + arguments
    var environment = ProcessInfo.processInfo.environment
    for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[key] = String(threads) }
    environment.merge(extra) { $1 }
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
}

/// `runPythonJSON` keeping the numbers only.
func runPython(_ arguments: [String], threads: Int, python: String = "python3") -> [String: Double]? {
    runPythonJSON(arguments, threads: threads, python: python)?.compactMapValues { $0 as? Double }
}

/// One reference run of `peers.py` (`train FRAMEWORK` or `infer`) pinned to `threads` processors, on the
/// Fashion-MNIST files when the benchmark uses them (random bytes otherwise), standardized when `dense`; nil when the
/// framework is not installed under `python`.
func peerRun(_ command: [String], threads: Int, fashionMNIST: Bool, dense: Bool = false, python: String = "python3") -> [String: Double]? {
    guard runsPeers else { return nil }
    return runPython([peersScript] + command + [String(threads), fashionMNIST ? DatasetCatalog.fashionMNISTDirectory : ""] + (dense ? ["dense"] : []),
                     threads: threads, python: python)
}

/// A Python interpreter that has PyTorch, and its version.
struct TorchInterpreter { let python: String, version: String }

/// The interpreters of `--python` that import torch (each version once), and the ones that do not.
let (torchInterpreters, interpretersWithoutTorch): ([TorchInterpreter], [String]) = {
    guard runsPeers else { return ([], []) }
    var found: [TorchInterpreter] = [], missing: [String] = []
    for python in options.python {
        let probe = runPythonJSON(["-c", "import json, torch; print(json.dumps({'version': torch.__version__}))"], threads: 1, python: python)
        if let version = probe?["version"] as? String {
            if !found.contains(where: { $0.version == version }) { found.append(TorchInterpreter(python: python, version: version)) }
        } else {
            missing.append(python)
        }
    }
    return (found, missing)
}()

// MARK: GEMM

func ourGFLOPS(_ s: Shape) -> Double {
    var generator = SeededGenerator(seed: 1)
    let a = try! Tensor.randomNormal([s.m * s.k], generator: &generator)
    let b = try! Tensor.randomNormal([s.k * s.n], generator: &generator)
    var c = try! Tensor.zeros([s.m * s.n])
    let seconds = a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
                median(budget: quick ? 0.15 : 0.3) {
                    GEMM.multiply(m: s.m, n: s.n, k: s.k, a: a.baseAddress!, lda: s.transposeA ? s.m : s.k, transposeA: s.transposeA,
                                  b: b.baseAddress!, ldb: s.transposeB ? s.k : s.n, transposeB: s.transposeB, c: c.baseAddress!, ldc: s.n)
                }
            }
        }
    }
    return 2 * Double(s.m * s.n * s.k) / seconds / 1e9
}

/// Rounds of training and inference, each alternating ours with the peers'.
let rounds = quick ? 1 : 3
/// GEMM rounds (`pairedRounds`, with `NumpyWorker`): five, since on a shared machine a burst of load from
/// elsewhere can take one or two of them.
let gemmRounds = quick ? 1 : 5
var gemm: [[String: Any]] = []
report("build: \(build)")
if runs(.gemm) {
    try environmentContext.with(threads: environmentThreads).run {
        let core = CoreCheck.measure(rounds: quick ? 3 : 9)
        results["core"] = ["fma_loop_gflops": core.fmaLoop, "tile_loop_gflops": core.tileLoop]
        report(String(format: "one core now: FMA loop %.1f GFLOPS; GEMM's register-tile loop on L1-resident panels %.1f (%.0f %% of it)",
                      core.fmaLoop, core.tileLoop, 100 * core.tileLoop / core.fmaLoop))
    }
}
for threads in threadCounts where runs(.gemm) {
    try environmentContext.with(threads: threads).run {
        let worker = NumpyWorker(threads: threads)
        let figures = pairedRounds(shapes.count, rounds: gemmRounds,
                                   reference: { worker?.gflops(shapes[$0], budget: quick ? 0.15 : 0.3) }, ours: { ourGFLOPS(shapes[$0]) })
        worker?.close()
        if worker == nil { report("numpy not available (python3 -c 'import numpy' failed): no reference column") }
        report("GEMM, \(threads) thread\(threads > 1 ? "s" : ""): GFLOPS, \(gemmRounds) round\(gemmRounds > 1 ? "s" : "") of numpy then NNKit per shape " +
               "(NNKit median [range] / numpy median = median of the rounds' ratios)")
        for (s, f) in zip(shapes, figures) {
            report(f.line(s.name))
            gemm.append(["shape": s.name, "threads": threads, "gflops": middle(f.ours), "gflops_rounds": f.ours,
                         "numpy_gflops": f.reference as Any, "ratio": f.ratio as Any])
        }
    }
}
results["gemm"] = gemm

// MARK: Elementwise

if runs(.elementwise) {
    try environmentContext.with(threads: environmentThreads).run {
        var generator = SeededGenerator(seed: 2)
        let x = try Tensor.randomNormal([1 << 24], generator: &generator)
        let positive = x.applying { x, y, count in for i in 0..<count { y[i] = abs(x[i]) + 0.1 } }
        var y = x
        let kernels: [(String, Tensor, (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void)] = [
            ("relu", x, Kernels.relu), ("exp", x, Kernels.exp), ("log", positive, Kernels.log),
            ("tanh", x, Kernels.tanh), ("sigmoid", x, Kernels.sigmoid),
        ]
        let worker = NumpyWorker(threads: 1)
        let rounds = quick ? 1 : 5
        let figures = pairedRounds(kernels.count, rounds: rounds, reference: { worker?.gbps(kernels[$0].0, budget: quick ? 0.15 : 0.3) }) {
            let (_, input, kernel) = kernels[$0]
            let seconds = input.withUnsafeBufferPointer { xs in
                y.withUnsafeMutableBufferPointer { ys in median(budget: quick ? 0.15 : 0.3) { kernel(xs.baseAddress!, ys.baseAddress!, xs.count) } }
            }
            return 8 * Double(x.count) / seconds / 1e9
        }
        worker?.close()
        report("elementwise (\(Kernels.avx512 ? "AVX-512" : "SIMD8") forms), 2²⁴ floats (64 MiB in + out), 1 thread: GB/s, " +
               "\(rounds) round\(rounds > 1 ? "s" : "") of numpy then NNKit per " +
               "function (NNKit median [range] / numpy median = median of the rounds' ratios)" +
               (worker == nil ? "; numpy not available: no reference column" : ""))
        var elementwise: [[String: Any]] = []
        for ((name, _, _), f) in zip(kernels, figures) {
            report(f.line(name))
            elementwise.append(["function": name, "gbps": middle(f.ours), "gbps_rounds": f.ours,
                                "numpy_gbps": f.reference as Any, "ratio": f.ratio as Any])
        }
        results["elementwise"] = elementwise
        results["elementwise_avx512"] = Kernels.avx512
    }
}

// MARK: MLP training and inference

let mlpYAML = """
    name: bench-mlp
    input: [1, 28, 28]
    layers: [Flatten, {Linear: {units: 256}}, ReLU, {Linear: {units: 128}}, ReLU, {Linear: {units: 10}}]
    optimizer: {type: SGD, lr: 0.1}
    train: {epochs: 1, batch_size: 128, seed: 42}
    """

func syntheticFashion() -> DataSplit {
    var generator = SeededGenerator(seed: 5)
    let count = 60_000
    var bytes = [UInt8](repeating: 0, count: count * 784)
    for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: generator.next()) }
    let labels = (0..<count).map { _ in generator.nextInt(below: 10) }
    let set = try! Dataset(features: .bytes(bytes, scale: 1 / 255), labels: labels, sampleShape: [1, 28, 28], classCount: 10)
    return DataSplit(train: set, test: set.subset(Array(0..<1000)))
}

let data: DataSplit
let dataName: String
let usesFashionMNIST: Bool
if let fashion = try? DatasetCatalog.load("fashion-mnist") {
    data = fashion
    dataName = "Fashion-MNIST"
    usesFashionMNIST = true
} else {
    usesFashionMNIST = false
    data = syntheticFashion()
    dataName = "synthetic 60000×784 bytes (Fashion-MNIST not installed)"
}

/// `data` standardized, (x − μ)/σ with the training set's mean and deviation, so that no input is zero: the MLP's
/// dense-input row (`peers.py … dense` does the same).
func standardized(_ split: DataSplit) -> DataSplit {
    let values = { (set: Dataset) in set.batch(Array(0..<set.count)[...]).features.scalars }
    let train = values(split.train)
    let mean = train.reduce(0.0) { $0 + Double($1) } / Double(train.count)
    let deviation = (train.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(train.count)).squareRoot()
    func convert(_ set: Dataset, _ scalars: [Float]) -> Dataset {
        try! Dataset(features: .floats(scalars.map { Float((Double($0) - mean) / deviation) }), labels: set.labels,
                     sampleShape: set.sampleShape, classCount: set.classCount)
    }
    return DataSplit(train: convert(split.train, train), test: convert(split.test, values(split.test)))
}

/// The peers that train the same MLP (`peers.py`): JAX and numpy under `python3`, and PyTorch under every
/// `--python` interpreter that has it.
let trainingPeers: [(name: String, framework: String, python: String)] =
    [("jax", "jax", "python3")] + torchInterpreters.map { ("torch \($0.version)", "torch", $0.python) } + [("numpy", "numpy", "python3")]
/// Peers found missing (not installed) are not asked again.
var missingPeers: Set<String> = []

/// Training rounds after a warm-up epoch: one epoch of ours, then one timed epoch (after its own warm-up epoch) of
/// each peer in its own process pinned to the same number of processors; each figure is the median over rounds.
/// Once on the pixels in [0, 1] (half of them zeros, which `Linear` skips), once standardized (no zeros).
var training: [[String: Any]] = []
let denseData = runs(.training) ? standardized(data) : data
for (dense, inputs) in [(false, data), (true, denseData)] where runs(.training) {
    for threads in threadCounts {
        try environmentContext.with(threads: threads).run {
            let model = try Model(yaml: mlpYAML)
            let trainer = try Trainer(model: model, data: inputs)
            var ours: [Double] = [], accuracy = 0.0
            var theirs: [String: [Double]] = [:], peerAccuracy: [String: Double] = [:]
            // A warm-up epoch, as the peers have (ours is not compiled on the fly, but its buffers are allocated then).
            _ = try trainer.trainEpoch()
            for _ in 0..<rounds {
                let epoch = try trainer.trainEpoch()
                ours.append(epoch.samplesPerSecond)
                accuracy = epoch.testAccuracy ?? .nan
                for peer in trainingPeers where !missingPeers.contains(peer.name) {
                    if let run = peerRun(["train", peer.framework], threads: threads, fashionMNIST: usesFashionMNIST, dense: dense, python: peer.python),
                       let rate = run["samples_per_second"] {
                        theirs[peer.name, default: []].append(rate)
                        peerAccuracy[peer.name] = run["test_accuracy"]
                    } else {
                        missingPeers.insert(peer.name)
                    }
                }
            }
            let rate = middle(ours)
            let peerRates = theirs.mapValues(middle)
            report("MLP 784-256-128-10 training on \(dataName)\(dense ? " standardized (dense inputs)" : ""), \(threads) thread\(threads > 1 ? "s" : ""), median of \(rounds) round\(rounds > 1 ? "s" : ""): \(Int(rate)) samples/s, test accuracy \(String(format: "%.4f", accuracy)) after \(rounds + 1) epochs")
            var entry: [String: Any] = ["threads": threads, "dense": dense, "samples_per_second": rate, "test_accuracy": accuracy,
                                        "peers": peerRates, "peer_test_accuracy": peerAccuracy]
            let listed = trainingPeers.map { peer in
                peerRates[peer.name].map {
                    "\(peer.name) \(Int($0)) (NNKit \(String(format: "%.2f", rate / $0))×; test accuracy \(String(format: "%.3f", peerAccuracy[peer.name] ?? .nan)) after 2 epochs)"
                } ?? "\(peer.name) not installed (under \(peer.python))"
            } + interpretersWithoutTorch.map { "torch not installed under \($0)" }
            if let fastest = peerRates.max(by: { $0.value < $1.value }) {
                entry["fastest_peer"] = fastest.key
                entry["fastest_peer_ratio"] = rate / fastest.value
                report("  peers, same MLP, data and processors:")
                for line in listed { report("    \(line)") }
                report("  fastest peer: \(fastest.key); NNKit \(String(format: "%.2f", rate / fastest.value))× as fast")
            } else {
                report(runsPeers ? "  no peer installed (pip install jax torch numpy): no reference" : "  peers left out (--no-peers)")
            }
            training.append(entry)
        }
    }
}
results["training"] = training

// The same training with and without skipping zero inputs (Linear.skipsZeroInputs), epochs alternating in this
// process so that the other tenants of a shared machine slow both alike. The two models start from the same seed
// and must end with the same bits.
var zeroSkipping: [[String: Any]] = []
for threads in threadCounts where runs(.training) {
    try environmentContext.with(threads: threads).run {
        let models = [try Model(yaml: mlpYAML), try Model(yaml: mlpYAML)]
        for case let linear as Linear in models[1].network.layers { linear.skipsZeroInputs = false }
        let trainers = try models.map { try Trainer(model: $0, data: data) }
        var rates: [[Double]] = [[], []]
        for _ in 0..<(quick ? 1 : 3) {
            for (index, trainer) in trainers.enumerated() { rates[index].append(try trainer.trainEpoch().samplesPerSecond) }
        }
        let same = zip(models[0].parameters, models[1].parameters).allSatisfy {
            $0.parameter.value.scalars.map(\.bitPattern) == $1.parameter.value.scalars.map(\.bitPattern)
        }
        let (skipping, dense) = (middle(rates[0]), middle(rates[1]))
        report("  zero skipping on / off, \(threads) thread\(threads > 1 ? "s" : ""), alternating epochs: \(Int(skipping)) / \(Int(dense)) samples/s = \(String(format: "%.2f", skipping / dense))×, weights \(same ? "bit-identical" : "DIFFERENT")")
        zeroSkipping.append(["threads": threads, "skipping": skipping, "dense": dense, "identical": same])
    }
}
results["zero_skipping"] = zeroSkipping

if runs(.inference) {
    try environmentContext.with(threads: 1).run {
        // Real test images (their zeros matter: a single sample skips the weights that meet a zero input): batch 1
        // goes through 64 of them one call after another, batch 64 takes the same 64 at once.
        let model = try Model(yaml: mlpYAML)
        let images = data.test.batch(Array(0..<64)[...]).features
        let singles = (0..<64).map { data.test.batch([$0]).features }
        // Rounds alternate with ONNX Runtime running the same weights' shapes on the same images, one thread.
        var ours: [String: [Double]] = [:], theirs: [String: [Double]] = [:]
        for _ in 0..<rounds {
            for batch in [1, 64] {
                var next = 0
                ours["batch_\(batch)_microseconds", default: []].append(1e6 * median {
                    _ = try? model.predict(batch == 1 ? singles[next] : images)
                    next = (next + 1) % singles.count
                })
            }
            guard !missingPeers.contains("onnxruntime") else { continue }
            guard let run = peerRun(["infer"], threads: 1, fashionMNIST: usesFashionMNIST) else {
                missingPeers.insert("onnxruntime")
                continue
            }
            for (key, value) in run { theirs[key, default: []].append(value) }
        }
        var latency: [String: Any] = [:]
        for batch in [1, 64] {
            let key = "batch_\(batch)_microseconds"
            let mine = middle(ours[key] ?? [])
            let reference = theirs[key].map(middle)
            latency[key] = mine
            latency["onnxruntime_\(key)"] = reference
            report("inference, batch \(batch), 1 thread, \(dataName) test images: \(String(format: "%.1f", mine)) µs" +
                   (reference.map { String(format: "; ONNX Runtime %.1f µs (NNKit %.2f× as fast)", $0, $0 / mine) }
                    ?? (runsPeers ? "; ONNX Runtime not installed (pip install onnxruntime onnx)" : "")))
        }
        results["inference"] = latency
    }
}

// MARK: CNN training and inference

/// The CNN rows: a model of `Models/`, the steps of each timed epoch (batches of the model file's size), and its
/// peers' name in `cnn_peers.py`.
let cnnCases: [(name: String, file: String, steps: Int)] = [("lenet", "lenet.yaml", quick ? 20 : 200), ("resnet", "resnet-fashion.yaml", quick ? 3 : 12)]
var cnnResults: [[String: Any]] = []
if runs(.cnn) && !usesFashionMNIST { report("CNN rows: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); they run on random bytes") }
for cnn in cnnCases where runs(.cnn) {
    let path = modelsDirectory.appendingPathComponent(cnn.file).path
    var order = Array(0..<data.train.count)
    var generator = SeededGenerator(seed: 11)
    order.shuffle(using: &generator)
    for threads in threadCounts {
        try environmentContext.with(threads: threads).run {
            let model = try Model(yamlFile: path)
            let batch = model.spec.train.batchSize
            // The same steps every epoch, on a fixed random subset; the test set is a token (evaluation is not timed).
            let subset = DataSplit(train: data.train.subset(Array(order.prefix(cnn.steps * batch))), test: data.test.subset(Array(0..<64)))
            let trainer = try Trainer(model: model, data: subset)
            _ = try trainer.trainEpoch()
            var ours: [Double] = [], loss = 0.0
            var theirs: [String: [Double]] = [:], peerLoss: [String: Double] = [:]
            for round in 0..<rounds {
                let epoch = try trainer.trainEpoch()
                ours.append(epoch.samplesPerSecond)
                if round == 0 { loss = epoch.trainLoss }
                // PyTorch at its best setting: OpenMP threads that sleep when idle help it on more than one thread only.
                for torch in torchInterpreters {
                    let arguments = [cnnPeersScript, "train", cnn.name, String(threads), usesFashionMNIST ? DatasetCatalog.fashionMNISTDirectory : "", String(cnn.steps)]
                    let runs = [runPythonJSON(arguments, threads: threads, python: torch.python)] +
                        (threads > 1 ? [runPythonJSON(arguments, threads: threads, python: torch.python, environment: ["OMP_WAIT_POLICY": "PASSIVE"])] : [])
                    let rates = runs.compactMap { $0?["samples_per_second"] as? Double }
                    guard let best = rates.max() else { continue }
                    theirs["torch \(torch.version)", default: []].append(best)
                    if round == 0, let first = runs.first??["loss"] as? Double { peerLoss["torch \(torch.version)"] = first }
                }
            }
            let rate = middle(ours)
            let peerRates = theirs.mapValues(middle)
            report("\(cnn.name) training (\(cnn.file), batch \(batch), \(cnn.steps) steps per round), \(threads) thread\(threads > 1 ? "s" : ""), median of \(rounds) round\(rounds > 1 ? "s" : ""): \(Int(rate)) samples/s; mean training loss of the first timed epoch \(String(format: "%.4f", loss))")
            var entry: [String: Any] = ["model": cnn.name, "threads": threads, "samples_per_second": rate, "loss": loss, "peers": peerRates, "peer_loss": peerLoss]
            for torch in torchInterpreters {
                let name = "torch \(torch.version)"
                report(peerRates[name].map { "    \(name) \(Int($0)) (NNKit \(String(format: "%.2f", rate / $0))×; its loss over the same steps \(String(format: "%.4f", peerLoss[name] ?? .nan)))" }
                       ?? "    \(name) failed to run \(cnnPeersScript) under \(torch.python)")
            }
            for python in interpretersWithoutTorch where runsPeers { report("    torch not installed under \(python)") }
            if let fastest = peerRates.max(by: { $0.value < $1.value }) {
                entry["fastest_peer"] = fastest.key
                entry["fastest_peer_ratio"] = rate / fastest.value
                report("  fastest PyTorch: \(fastest.key); NNKit \(String(format: "%.2f", rate / fastest.value))× as fast")
            } else if runsPeers {
                report("  no PyTorch found (bash Benchmarks/install-peers.sh): no reference")
            }
            cnnResults.append(entry)
        }
    }
    // Inference on one thread at batch 1 (64 test images one after another) and 64, next to ONNX Runtime running the
    // model exported from PyTorch.
    try environmentContext.with(threads: 1).run {
        let model = try Model(yamlFile: path)
        let images = data.test.batch(Array(0..<64)[...]).features
        let singles = (0..<64).map { data.test.batch([$0]).features }
        var ours: [String: [Double]] = [:], theirs: [String: [Double]] = [:]
        let exporter = torchInterpreters.first { runPythonJSON(["-c", "import onnxruntime; print('{}')"], threads: 1, python: $0.python) != nil }
        for _ in 0..<rounds {
            for size in [1, 64] {
                var next = 0
                ours["batch_\(size)_microseconds", default: []].append(1e6 * median {
                    _ = try? model.predict(size == 1 ? singles[next] : images)
                    next = (next + 1) % singles.count
                })
            }
            guard let exporter, let run = runPythonJSON([cnnPeersScript, "infer", cnn.name, "1", usesFashionMNIST ? DatasetCatalog.fashionMNISTDirectory : ""],
                                                          threads: 1, python: exporter.python) else { continue }
            for (key, value) in run { if let value = value as? Double { theirs[key, default: []].append(value) } }
        }
        var entry: [String: Any] = ["model": cnn.name, "inference": true]
        for size in [1, 64] {
            let key = "batch_\(size)_microseconds"
            let mine = middle(ours[key] ?? [])
            let reference = theirs[key].map(middle)
            entry[key] = mine
            entry["onnxruntime_\(key)"] = reference
            report("\(cnn.name) inference, batch \(size), 1 thread: \(String(format: "%.1f", mine)) µs" +
                   (reference.map { String(format: "; ONNX Runtime %.1f µs (NNKit %.2f× as fast)", $0, $0 / mine) }
                    ?? (runsPeers ? "; ONNX Runtime not found (it needs torch, onnx and onnxruntime under one --python interpreter)" : "")))
        }
        cnnResults.append(entry)
    }
}
if runs(.cnn) && usesFashionMNIST {
    // Peak RSS of LeNet training, each in a fresh process doing the same work: Fashion-MNIST loaded, 200 steps.
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardized
    probe.arguments = ["--rss-probe", "lenet", "--steps", "200", "--threads", "1"]
    let pipe = Pipe()
    probe.standardOutput = pipe
    var mine: Double?
    if (try? probe.run()) != nil {
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        probe.waitUntilExit()
        mine = Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
    var peers: [String: Double] = [:]
    for torch in torchInterpreters {
        let run = runPythonJSON([cnnPeersScript, "train", "lenet", "1", DatasetCatalog.fashionMNISTDirectory, "200"], threads: 1, python: torch.python)
        if let peak = run?["peak_rss_mib"] as? Double { peers["torch \(torch.version)"] = peak }
    }
    let listed = peers.sorted { $0.key < $1.key }.map { "\($0.key) " + String(format: "%.1f MiB", $0.value) }.joined(separator: ", ")
    report("peak RSS of LeNet training (Fashion-MNIST loaded, 200 steps, 1 thread, fresh process): NNKit " +
           (mine.map { String(format: "%.1f MiB", $0) } ?? "probe failed") + (listed.isEmpty ? "" : "; \(listed)"))
    cnnResults.append(["peak_rss_mib": mine as Any, "peer_peak_rss_mib": peers])
}
results["cnn"] = cnnResults

var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
let peakMiB = Double(usage.ru_maxrss) / 1024
results["peak_rss_mib"] = peakMiB
report("peak RSS of this benchmark process: \(String(format: "%.1f", peakMiB)) MiB")

if json {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
