#if canImport(Glibc)
import Glibc
#endif

/// How the kernels run: on how many threads, and whether with the AVX-512 forms. Kernels read
/// `ComputeContext.current`, a task-local value, so two computations with different settings (tests, a server
/// running two models) do not disturb each other; the library reads no environment variable. A program sets it
/// around its work with `run(_:)` (`nnrun` from `--threads` and `NNKIT_AVX512`).
public struct ComputeContext: Sendable, Equatable {
    /// Threads a kernel may use, including the caller; at least 1. Results are identical for a given count.
    public var threads: Int
    /// Whether the array forms of `exp`, `log`, `tanh` and `sigmoid` and the GEMM's register-tile loops run on
    /// `AVX512Kernels` (built for x86-64-v4). Only ever true on a CPU that has AVX-512 (`cpuHasAVX512`); both
    /// forms give the same bits.
    public var usesAVX512: Bool

    /// A context of `threads` threads (all processors by default) that uses AVX-512 where the CPU has it, unless
    /// `usesAVX512` is false.
    public init(threads: Int = ThreadPool.processorCount, usesAVX512: Bool = true) {
        self.threads = Swift.max(1, threads)
        self.usesAVX512 = usesAVX512 && Self.cpuHasAVX512
    }

    /// The context the kernels use now: the innermost `run(_:)`'s, else all processors and AVX-512 where present.
    @TaskLocal public static var current = ComputeContext()

    /// Runs `body` with this context as `current`.
    public func run<T>(_ body: () throws -> T) rethrows -> T {
        try Self.$current.withValue(self, operation: body)
    }

    /// The same context with another thread count.
    public func with(threads: Int) -> ComputeContext {
        var copy = self
        copy.threads = Swift.max(1, threads)
        return copy
    }

    /// Whether this CPU runs the AVX-512 forms: on x86-64 Linux when `/proc/cpuinfo` lists every AVX-512
    /// extension of x86-64-v4 (F, BW, CD, DQ, VL; the kernel lists them only when it saves the wider registers).
    public static let cpuHasAVX512: Bool = {
        #if arch(x86_64) && os(Linux)
        return cpuFlags().isSuperset(of: ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"])
        #else
        return false
        #endif
    }()

    #if arch(x86_64) && os(Linux)
    /// The words of the first `flags` line of `/proc/cpuinfo`; empty if it cannot be read.
    static func cpuFlags() -> Set<Substring> {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            guard text.hasPrefix("flags"), let colon = text.firstIndex(of: ":") else { continue }
            return Set(text[text.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }))
        }
        return []
    }
    #endif
}
