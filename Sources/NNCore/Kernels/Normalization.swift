extension Kernels {
    /// BatchNorm's forward over one channel's run: `x̂ = (x − mean) · inverseDeviation` into `normalized`, and
    /// `y = scale · x̂ + shift` (then `max(·, 0)` as `relu` computes it, when `relu`) into `y`.
    public static func normalize(
        _ x: UnsafePointer<Float>, mean: Float, inverseDeviation: Float, scale: Float, shift: Float, relu: Bool,
        normalized: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int
    ) {
        let (mu, inverse, s, t) = (SIMD8(repeating: mean), SIMD8(repeating: inverseDeviation), SIMD8(repeating: scale), SIMD8(repeating: shift))
        let zero = SIMD8<Float>(repeating: 0)
        var i = 0
        while i &+ 8 <= count {
            let xh = (x.load8(i) - mu) * inverse
            normalized.store8(xh, i)
            let v = s * xh + t
            y.store8(relu ? v.replacing(with: zero, where: v .< zero) : v, i)
            i &+= 8
        }
        while i < count {
            let xh = (x[i] - mean) * inverseDeviation
            normalized[i] = xh
            let v = scale * xh + shift
            y[i] = relu ? (v < 0 ? 0 : v) : v
            i &+= 1
        }
    }

    /// BatchNorm's input gradient over one channel's run in training, with the channel's `M` values, `Σ ∂L/∂y` and
    /// `Σ ∂L/∂y·x̂`: `dx = factor · ((M·dy − sum) − x̂·dot)`, `factor = γ/(M·√(σ² + ε))`.
    public static func normalizationGradient(
        _ dy: UnsafePointer<Float>, normalized: UnsafePointer<Float>, factor: Float, m: Float, sum: Float, dot: Float,
        into dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        let (k, mv, sv, dv) = (SIMD8(repeating: factor), SIMD8(repeating: m), SIMD8(repeating: sum), SIMD8(repeating: dot))
        var i = 0
        while i &+ 8 <= count {
            dx.store8(k * ((mv * dy.load8(i) - sv) - normalized.load8(i) * dv), i)
            i &+= 8
        }
        while i < count {
            dx[i] = factor * ((m * dy[i] - sum) - normalized[i] * dot)
            i &+= 1
        }
    }
}
