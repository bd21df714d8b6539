extension Kernels {
    /// Writes a convolution's output channels in one pass: `y = x · scale[c] + shift[c]` for every value of channel
    /// `c` (no product without `scale`, no sum without `shift`), then `max(·, 0)` as `relu` computes it when `relu`.
    ///
    /// Each channel is `rows` rows of `width` values, `pitch` apart in `x` (a wide product) and contiguous in `y`;
    /// `y` may alias `x` when `pitch == width`. This is a bias, a folded BatchNorm and a ReLU, together with the
    /// compaction of a wide product, in a single pass over the output instead of one each.
    public static func channelAffine(
        _ x: UnsafePointer<Float>, pitch: Int, width: Int, rows: Int, channels: Int,
        scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, relu: Bool, into y: UnsafeMutablePointer<Float>
    ) {
        // Contiguous channels are one run each, so that short rows do not each end in a scalar tail.
        let (runLength, runPitch, runsPerChannel) = pitch == width ? (rows &* width, rows &* width, 1) : (width, pitch, rows)
        if scale == nil && shift == nil && !relu && pitch == width && UnsafePointer(y) == x { return }
        let zero = SIMD8<Float>(repeating: 0)
        var run = 0
        for c in 0..<channels {
            let (s, t) = (scale?[c] ?? 1, shift?[c] ?? 0)
            let (sv, tv) = (SIMD8(repeating: s), SIMD8(repeating: t))
            for _ in 0..<runsPerChannel {
                let (source, target) = (x + run &* runPitch, y + run &* runLength)
                switch (scale != nil, shift != nil, relu) {
                case (false, false, false): map(source, target, count: runLength, vector: { $0 }, scalar: { $0 })
                case (false, false, true):
                    map(source, target, count: runLength, vector: { $0.replacing(with: zero, where: $0 .< zero) }, scalar: { $0 > 0 ? $0 : 0 })
                case (false, true, false):
                    map(source, target, count: runLength, vector: { $0 + tv }, scalar: { $0 + t })
                case (false, true, true):
                    map(source, target, count: runLength, vector: { let v = $0 + tv; return v.replacing(with: zero, where: v .< zero) },
                        scalar: { let v = $0 + t; return v > 0 ? v : 0 })
                case (true, _, false):
                    map(source, target, count: runLength, vector: { $0 * sv + tv }, scalar: { $0 * s + t })
                case (true, _, true):
                    map(source, target, count: runLength, vector: { let v = $0 * sv + tv; return v.replacing(with: zero, where: v .< zero) },
                        scalar: { let v = $0 * s + t; return v > 0 ? v : 0 })
                }
                run &+= 1
            }
        }
    }
}
