import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory a model may plan to use: checked while the model is built, before its parameters are allocated
/// and before any batch runs, so that a model that cannot fit is refused with a message instead of aborting
/// part-way through training.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The budget in bytes.
    public var bytes: Int

    /// A budget of `bytes`.
    public init(bytes: Int) {
        self.bytes = bytes
    }

    /// 80 % of the smaller of the machine's memory and the process's address-space limit (`ulimit -v`).
    public static var automatic: MemoryBudget {
        var limit = Int.max
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 { limit = pages.multipliedReportingOverflow(by: pageSize).partialValue }
        var rlimit = rlimit()
        if getrlimit(RLIMIT_AS_VALUE, &rlimit) == 0, rlimit.rlim_cur < UInt64(Int.max) {
            limit = Swift.min(limit, Int(rlimit.rlim_cur))
        }
        return MemoryBudget(bytes: limit == Int.max ? Int.max : limit / 10 * 8)
    }

    /// No limit.
    public static let unlimited = MemoryBudget(bytes: Int.max)

    /// Parses a size such as `512M`, `8G`, `1.5GiB` or a number of bytes.
    public init?(parsing text: String) {
        let (k, m, g, t) = (1024.0, 1024.0 * 1024, 1024.0 * 1024 * 1024, 1024.0 * 1024 * 1024 * 1024)
        let units: [(String, Double)] = [("TIB", t), ("GIB", g), ("MIB", m), ("KIB", k), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3),
                                         ("T", t), ("G", g), ("M", m), ("K", k), ("B", 1)]
        let upper = text.uppercased().trimmingCharacters(in: .whitespaces)
        let (number, scale) = units.first { upper.hasSuffix($0.0) }.map { (String(upper.dropLast($0.0.count)), $0.1) } ?? (upper, 1)
        guard let value = Double(number.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0, value * scale < 9e18 else { return nil }
        bytes = Int(value * scale)
    }

    public var description: String { Self.format(bytes) }

    /// A byte count for people: `1.5 GiB`, `320 MiB`.
    public static func format(_ bytes: Int) -> String {
        if bytes == Int.max { return "unlimited" }
        let value = Double(bytes)
        if value >= Double(1 << 30) { return String(format: "%.1f GiB", value / Double(1 << 30)) }
        if value >= Double(1 << 20) { return String(format: "%.0f MiB", value / Double(1 << 20)) }
        return String(format: "%.0f KiB", value / Double(1 << 10))
    }
}

#if canImport(Glibc)
private let RLIMIT_AS_VALUE = __rlimit_resource_t(RLIMIT_AS.rawValue)
#else
private let RLIMIT_AS_VALUE = RLIMIT_AS
#endif
