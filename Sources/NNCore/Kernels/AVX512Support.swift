extension Kernels {
    /// Whether the current `ComputeContext` runs the AVX-512 forms of the kernels.
    @inline(__always)
    public static var avx512: Bool { ComputeContext.current.usesAVX512 }
}
