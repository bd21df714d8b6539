/// The geometry of a 2-D convolution or pooling window over NCHW tensors.
public struct ConvolutionGeometry: Sendable, Equatable {
    /// Input channels, height and width.
    public var channels: Int, height: Int, width: Int
    /// Window height and width.
    public var kernelHeight: Int, kernelWidth: Int
    /// Step between windows.
    public var strideHeight: Int, strideWidth: Int
    /// Zeros added on each side.
    public var paddingHeight: Int, paddingWidth: Int
    /// Spacing between window taps (1 = dense).
    public var dilationHeight: Int, dilationWidth: Int

    /// Creates a geometry.
    public init(channels: Int, height: Int, width: Int, kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]) {
        self.channels = channels
        self.height = height
        self.width = width
        (kernelHeight, kernelWidth) = (kernel[0], kernel[1])
        (strideHeight, strideWidth) = (stride[0], stride[1])
        (paddingHeight, paddingWidth) = (padding[0], padding[1])
        (dilationHeight, dilationWidth) = (dilation[0], dilation[1])
    }

    /// Output height: `⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1` (may be ≤ 0 for a window larger than the input).
    public var outputHeight: Int { (height + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1 }
    /// Output width.
    public var outputWidth: Int { (width + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1 }
    /// The output columns `low ..< high` whose tap `j·stride + offset` lies inside the input row.
    @inline(__always)
    func validColumns(offset: Int, outputWidth: Int) -> (Int, Int) {
        let s = strideWidth
        let low = offset >= 0 ? 0 : Swift.min(outputWidth, (-offset + s - 1) / s)
        let last = width - 1 - offset
        let high = last < 0 ? low : Swift.max(low, Swift.min(outputWidth, last / s + 1))
        return (low, high)
    }

    /// Rows of the column matrix: `C · KH · KW`.
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
}

extension Kernels {
    /// Walks every (channel, kernel tap, output row) of one sample's column matrix in memory order, calling
    /// `body(row, source, low, high)` for each row that lies inside the input vertically, and `padding(row)` for
    /// each that lies in the vertical padding: `row` is the offset of the row's `OW` entries in the column matrix,
    /// `source` the input offset of the tap for output column 0, and output columns `low ..< high` read inside the
    /// input row. The shared index arithmetic of `im2col` and its adjoint `col2im`, in wrapping arithmetic (the
    /// geometry was validated when the layer was built) and with each tap's range of rows worked out once.
    @inline(__always)
    static func forEachTapRow(
        geometry g: ConvolutionGeometry, padding: (_ row: Int) -> Void, _ body: (_ row: Int, _ source: Int, _ low: Int, _ high: Int) -> Void
    ) {
        let (oh, ow, height, width, stride) = (g.outputHeight, g.outputWidth, g.height, g.width, g.strideHeight)
        var row = 0
        for c in 0..<g.channels {
            let plane = c &* height &* width
            for kh in 0..<g.kernelHeight {
                // Output rows i read input row i·s + top, inside for first ..< last.
                let top = kh &* g.dilationHeight &- g.paddingHeight
                let first = top >= 0 ? 0 : Swift.min(oh, (stride &- 1 &- top) / stride)
                let last = top >= height ? first : Swift.max(first, Swift.min(oh, (height &- 1 &- top) / stride &+ 1))
                for kw in 0..<g.kernelWidth {
                    let offset = kw &* g.dilationWidth &- g.paddingWidth
                    let (low, high) = g.validColumns(offset: offset, outputWidth: ow)
                    for _ in 0..<first {
                        padding(row)
                        row &+= ow
                    }
                    var source = plane &+ (first &* stride &+ top) &* width &+ offset
                    for _ in first..<last {
                        body(row, source, low, high)
                        row &+= ow
                        source &+= stride &* width
                    }
                    for _ in last..<oh {
                        padding(row)
                        row &+= ow
                    }
                }
            }
        }
    }

    /// Unfolds one sample `[C, H, W]` into its column matrix `[C·KH·KW, OH·OW]`: row `(c, kh, kw)`, column
    /// `(oh, ow)` holds the input tap under that window position (0 in the padding).
    public static func im2col(_ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into columns: UnsafeMutablePointer<Float>) {
        let (ow, stride) = (g.outputWidth, g.strideWidth)
        forEachTapRow(geometry: g, padding: { row in
            let out = columns + row
            for j in 0..<ow { out[j] = 0 }
        }) { row, input, low, high in
            let out = columns + row
            let source = x + input
            if stride == 1 && low == 0 && high == ow {
                copyRun(from: source, to: out, count: ow)
                return
            }
            for j in 0..<low { out[j] = 0 }
            if stride == 1 {
                copyRun(from: source + low, to: out + low, count: high &- low)
            } else {
                for j in low..<high { out[j] = source[j &* stride] }
            }
            for j in high..<ow { out[j] = 0 }
        }
    }

    /// The adjoint of `im2col`: adds every column-matrix entry back into its input position of the sample
    /// `[C, H, W]` (which the caller zeroes first); overlapping windows accumulate.
    public static func col2im(_ columns: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into x: UnsafeMutablePointer<Float>) {
        let stride = g.strideWidth
        forEachTapRow(geometry: g, padding: { _ in }) { row, input, low, high in
            let (source, target) = (columns + row, x + input)
            if stride == 1 {
                addRun(source + low, to: target + low, count: high &- low)
            } else {
                for j in low..<high { target[j &* stride] += source[j] }
            }
        }
    }

    /// Copies a row segment of a few dozen values inline (`update(from:count:)` calls `memmove`, whose set-up costs
    /// as much as such a copy).
    @inline(__always)
    static func copyRun(from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j &+ 8 <= count {
            target.store8(source.load8(j), j)
            j &+= 8
        }
        // The last eight again, overlapping what is copied: no loop over the remainder.
        if j < count && count >= 8 {
            target.store8(source.load8(count &- 8), count &- 8)
            return
        }
        while j < count {
            target[j] = source[j]
            j &+= 1
        }
    }

    /// `target[j] += source[j]` over a row segment.
    @inline(__always)
    static func addRun(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j &+ 8 <= count {
            target.store8(target.load8(j) + source.load8(j), j)
            j &+= 8
        }
        while j < count {
            target[j] += source[j]
            j &+= 1
        }
    }
}
