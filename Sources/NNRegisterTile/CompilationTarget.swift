/// A type that names one module's compiled copy of `RegisterTile`'s loops (`RegisterTile<Target>`): each module
/// that runs them declares its own, so that the copies it compiles, for its own target flags, get symbols of
/// their own.
public protocol CompilationTarget {
    /// Whether the register-tile loops run two `NR`-wide panels of `B` per tile of `A` (`MR × 2·NR`, twelve
    /// accumulators): for targets whose `SIMD16` is one register of 32 (AVX-512), where six accumulators are too
    /// few to keep both FMA units busy through their latency. Each element of `C` is summed in the same order
    /// either way.
    static var pairsPanels: Bool { get }
}

extension CompilationTarget {
    public static var pairsPanels: Bool { false }
}
