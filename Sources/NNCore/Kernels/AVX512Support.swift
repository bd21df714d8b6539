#if canImport(Glibc)
import Glibc
#endif

extension Kernels {
    /// Whether the array forms of `exp`, `log`, `tanh` and `sigmoid` and the GEMM's register-tile loops run on
    /// `AVX512Kernels` (built for x86-64-v4): on x86-64 Linux when `/proc/cpuinfo` lists every AVX-512 extension of
    /// x86-64-v4 (F, BW, CD, DQ, VL; the kernel lists them only when it saves the wider registers), unless the
    /// environment sets `NNKIT_AVX512=0`. Elsewhere the default forms run; both give the same bits.
    public static let avx512: Bool = {
        #if arch(x86_64) && os(Linux)
        if let setting = getenv("NNKIT_AVX512"), String(cString: setting) == "0" { return false }
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
