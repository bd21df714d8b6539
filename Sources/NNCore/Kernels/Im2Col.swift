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
    /// Unfolds a batch `[N, C, H, W]` into the column matrix `[C·KH·KW, N·OH·OW]`: row `(c, kh, kw)`,
    /// column `(n, oh, ow)` holds the input tap under that window position (0 in the padding).
    public static func im2col(_ x: UnsafePointer<Float>, batch: Int, geometry g: ConvolutionGeometry, into columns: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let columnCount = batch * oh * ow
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * columnCount
                    for n in 0..<batch {
                        let plane = x + (n * g.channels + c) * g.height * g.width
                        for i in 0..<oh {
                            let ih = i * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                            let out = row + (n * oh + i) * ow
                            if ih < 0 || ih >= g.height {
                                out.initialize(repeating: 0, count: ow)
                                continue
                            }
                            let offset = kw * g.dilationWidth - g.paddingWidth
                            let (low, high) = g.validColumns(offset: offset, outputWidth: ow)
                            out.initialize(repeating: 0, count: low)
                            let source = plane + ih * g.width + offset
                            if g.strideWidth == 1 {
                                (out + low).update(from: source + low, count: high - low)
                            } else {
                                for j in low..<high { out[j] = source[j * g.strideWidth] }
                            }
                            (out + high).initialize(repeating: 0, count: ow - high)
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds every column-matrix entry back into its input position of `[N, C, H, W]`
    /// (which the caller zeroes first); overlapping windows accumulate.
    public static func col2im(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvolutionGeometry, into x: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        let columnCount = batch * oh * ow
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let row = columns + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * columnCount
                    for n in 0..<batch {
                        let plane = x + (n * g.channels + c) * g.height * g.width
                        for i in 0..<oh {
                            let ih = i * g.strideHeight - g.paddingHeight + kh * g.dilationHeight
                            if ih < 0 || ih >= g.height { continue }
                            let source = row + (n * oh + i) * ow
                            let offset = kw * g.dilationWidth - g.paddingWidth
                            let (low, high) = g.validColumns(offset: offset, outputWidth: ow)
                            let target = plane + ih * g.width + offset
                            for j in low..<high { target[j * g.strideWidth] += source[j] }
                        }
                    }
                }
            }
        }
    }
}
