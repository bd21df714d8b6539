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
    /// One output row of one window tap: where it sits in the column matrix, and which input row it reads.
    struct TapRow {
        /// Offset of the row's `OW` entries in the column matrix.
        let column: Int
        /// Offset in the input of the tap for output column 0 (`ih·W + kw·d − p` within the plane), or `nil`
        /// when the whole row falls in the vertical padding.
        let input: Int?
        /// Output columns `low ..< high` read inside the input row; the others read padding.
        let low: Int, high: Int
    }

    /// Walks every (channel, kernel tap, sample, output row) of the column matrix in memory order: the shared
    /// index arithmetic of `im2col` and its adjoint `col2im`.
    @inline(__always)
    static func forEachTapRow(batch: Int, geometry g: ConvolutionGeometry, _ body: (TapRow) -> Void) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let columnCount = batch * oh * ow
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let row = ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * columnCount
                    let offset = kw * g.dilationWidth - g.paddingWidth
                    let (low, high) = g.validColumns(offset: offset, outputWidth: ow)
                    for n in 0..<batch {
                        let plane = (n * g.channels + c) * g.height * g.width
                        for i in 0..<oh {
                            let ih = i * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                            let inside = ih >= 0 && ih < g.height
                            body(TapRow(column: row + (n * oh + i) * ow, input: inside ? plane + ih * g.width + offset : nil, low: low, high: high))
                        }
                    }
                }
            }
        }
    }

    /// Unfolds a batch `[N, C, H, W]` into the column matrix `[C·KH·KW, N·OH·OW]`: row `(c, kh, kw)`,
    /// column `(n, oh, ow)` holds the input tap under that window position (0 in the padding).
    public static func im2col(_ x: UnsafePointer<Float>, batch: Int, geometry g: ConvolutionGeometry, into columns: UnsafeMutablePointer<Float>) {
        let ow = g.outputWidth
        forEachTapRow(batch: batch, geometry: g) { tap in
            let out = columns + tap.column
            guard let input = tap.input else {
                out.initialize(repeating: 0, count: ow)
                return
            }
            out.initialize(repeating: 0, count: tap.low)
            let source = x + input
            if g.strideWidth == 1 {
                (out + tap.low).update(from: source + tap.low, count: tap.high - tap.low)
            } else {
                for j in tap.low..<tap.high { out[j] = source[j * g.strideWidth] }
            }
            (out + tap.high).initialize(repeating: 0, count: ow - tap.high)
        }
    }

    /// The adjoint of `im2col`: adds every column-matrix entry back into its input position of `[N, C, H, W]`
    /// (which the caller zeroes first); overlapping windows accumulate.
    public static func col2im(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvolutionGeometry, into x: UnsafeMutablePointer<Float>) {
        forEachTapRow(batch: batch, geometry: g) { tap in
            guard let input = tap.input else { return }
            let (source, target) = (columns + tap.column, x + input)
            for j in tap.low..<tap.high { target[j * g.strideWidth] += source[j] }
        }
    }
}
