extension Kernels {
    /// 2 × 2 max pooling with stride 2 over `planes` planes of `height × width` into planes of
    /// `⌊height/2⌋ × ⌊width/2⌋`: each output is the largest value of its window, scanned left to right and top to
    /// bottom and replaced only by a larger one (so the first of equal values wins, and a NaN in the first tap
    /// stays); `argmax` receives that value's index within its input plane.
    public static func maxPool2x2(
        _ x: UnsafePointer<Float>, planes: Int, height: Int, width: Int,
        into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
    ) {
        let (oh, ow) = (height / 2, width / 2)
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14), rowStep = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: width))
        for plane in 0..<planes {
            let source = x + plane * height * width
            for i in 0..<oh {
                let top = source + 2 * i * width, bottom = top + width
                let (out, index) = (y + (plane * oh + i) * ow, argmax + (plane * oh + i) * ow)
                let rowCorner = Int32(truncatingIfNeeded: 2 * i * width)
                var j = 0
                while 2 &* j &+ 16 <= width {
                    let a = top.load16(2 &* j), b = bottom.load16(2 &* j)
                    let corner = SIMD8<Int32>(repeating: rowCorner &+ Int32(truncatingIfNeeded: 2 &* j)) &+ lanes
                    var best = a.evenHalf, at = corner
                    @inline(__always) func keep(_ value: SIMD8<Float>, _ position: SIMD8<Int32>) {
                        let larger = value .> best
                        best.replace(with: value, where: larger)
                        at.replace(with: position, where: larger)
                    }
                    keep(a.oddHalf, corner &+ 1)
                    keep(b.evenHalf, corner &+ rowStep)
                    keep(b.oddHalf, corner &+ rowStep &+ 1)
                    (out + j).store8(best, 0)
                    UnsafeMutableRawPointer(index + j).storeBytes(of: at, as: SIMD8<Int32>.self)
                    j &+= 8
                }
                while j < ow {
                    let corner = 2 &* j
                    var best = top[corner], at = corner
                    @inline(__always) func keep(_ value: Float, _ position: Int) {
                        if value > best { (best, at) = (value, position) }
                    }
                    keep(top[corner &+ 1], corner &+ 1)
                    keep(bottom[corner], corner &+ width)
                    keep(bottom[corner &+ 1], corner &+ width &+ 1)
                    out[j] = best
                    index[j] = Int32(truncatingIfNeeded: 2 &* i &* width &+ at)
                    j &+= 1
                }
            }
        }
    }

    /// Max pooling's backward: `dx` (zeroed by the caller) receives each output's gradient at the input index
    /// `argmax` recorded for it within its plane (negative: a window that lay wholly in the padding).
    public static func maxPoolBackward(
        _ dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, planes: Int, outputPlane: Int, inputPlane: Int,
        into dx: UnsafeMutablePointer<Float>
    ) {
        for plane in 0..<planes {
            let (d, index, target) = (dy + plane * outputPlane, argmax + plane * outputPlane, dx + plane * inputPlane)
            for o in 0..<outputPlane where index[o] >= 0 { target[Int(index[o])] += d[o] }
        }
    }
}
