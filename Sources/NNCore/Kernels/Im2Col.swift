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

    /// Floats of one sample zero-padded on every side, `C · (H + 2ph) · (W + 2pw)`, and `(KW − 1)·dw` more that
    /// the last rows of a wide column matrix read past it: the scratch `im2col`, `col2im`, `unfold` and `fold` take.
    public var paddedSampleSize: Int {
        channels * (height + 2 * paddingHeight) * (width + 2 * paddingWidth) + (kernelWidth - 1) * dilationWidth
    }

    /// Whether the column matrix is wide: at stride 1, each output row is computed at every column of the padded
    /// input row, `W + 2pw` of them (the last `(KW − 1)·dw` wasted), which makes each row of the column matrix one
    /// contiguous run of the padded sample instead of `OH` short ones. Only while the waste is at most a third of
    /// the output row: every product of the layer, forward and backward, is that much wider.
    public var hasWideColumns: Bool {
        strideHeight == 1 && strideWidth == 1 && 3 * (width + 2 * paddingWidth) <= 4 * outputWidth
    }

    /// Columns per output row in the column matrix: `W + 2pw` when wide, else `OW`.
    public var columnPitch: Int { hasWideColumns ? width + 2 * paddingWidth : outputWidth }

    /// Columns of the column matrix: `OH · columnPitch`.
    public var columnCount: Int { outputHeight * columnPitch }

    /// The same windows over the padded sample, which needs no padding.
    var overPaddedSample: ConvolutionGeometry {
        var g = self
        (g.height, g.width) = (height + 2 * paddingHeight, width + 2 * paddingWidth)
        (g.paddingHeight, g.paddingWidth) = (0, 0)
        return g
    }

    /// Rows of the column matrix: `C · KH · KW`.
    public var columnRows: Int { channels * kernelHeight * kernelWidth }

    /// The convolution whose output is this one's input gradient, when there is one that costs what `col2im` does:
    /// at stride 1, `∂L/∂x` is the output gradient `[filters, OH, OW]` convolved with the kernel flipped in both axes
    /// and its channels swapped, dilation `d`, padding `d(k − 1) − p` (its output is `H × W` again). Only when that
    /// padding is between 0 and `p` (`same`-like padding), so that the padded border adds no work.
    public func inputGradientGeometry(filters: Int) -> ConvolutionGeometry? {
        let (ph, pw) = (dilationHeight * (kernelHeight - 1) - paddingHeight, dilationWidth * (kernelWidth - 1) - paddingWidth)
        guard strideHeight == 1, strideWidth == 1, ph >= 0, pw >= 0, ph <= paddingHeight, pw <= paddingWidth else { return nil }
        return ConvolutionGeometry(channels: filters, height: outputHeight, width: outputWidth, kernel: [kernelHeight, kernelWidth],
                                   stride: [1, 1], padding: [ph, pw], dilation: [dilationHeight, dilationWidth])
    }

    /// Where each row `(c, kh, kw)` of a wide column matrix starts in the padded sample (`Kernels.pad`):
    /// `c · (H + 2ph)(W + 2pw) + kh · dh · (W + 2pw) + kw · dw`.
    public var wideRowOffsets: [Int] {
        let pitch = width + 2 * paddingWidth, plane = (height + 2 * paddingHeight) * pitch
        var offsets: [Int] = []
        offsets.reserveCapacity(columnRows)
        for c in 0..<channels {
            for kh in 0..<kernelHeight {
                for kw in 0..<kernelWidth { offsets.append(c * plane + kh * dilationHeight * pitch + kw * dilationWidth) }
            }
        }
        return offsets
    }
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
    /// `(oh, ow)` holds the input tap under that window position (0 in the padding). With padding, the sample is
    /// first copied into `padded` (`g.paddedSampleSize` floats) inside a border of zeros, so that every row of the
    /// column matrix is one plain copy.
    public static func im2col(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into columns: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>
    ) {
        guard g.paddingHeight > 0 || g.paddingWidth > 0 else { return im2col(x, geometry: g, into: columns) }
        let width = g.width
        padded.initialize(repeating: 0, count: g.paddedSampleSize)
        forEachInputRow(geometry: g) { sample, inside in copyRun(from: x + sample, to: padded + inside, count: width) }
        im2col(UnsafePointer(padded), geometry: g.overPaddedSample, into: columns)
    }

    /// `col2im` through the padded scratch `padded` (`g.paddedSampleSize` floats): the column matrix is folded
    /// into the padded sample, whose inside is then added to `x`.
    public static func col2im(
        _ columns: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into x: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>
    ) {
        guard g.paddingHeight > 0 || g.paddingWidth > 0 else { return col2im(columns, geometry: g, into: x) }
        let width = g.width
        padded.initialize(repeating: 0, count: g.paddedSampleSize)
        col2im(columns, geometry: g.overPaddedSample, into: padded)
        forEachInputRow(geometry: g) { sample, inside in addRun(padded + inside, to: x + sample, count: width) }
    }

    /// Unfolds one sample `[C, H, W]` into its column matrix `[C·KH·KW, OH·OW]` (see the padded form above),
    /// reading padding as zeros tap by tap.
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

    /// Unfolds one sample `[C, H, W]` into its column matrix `[C·KH·KW, columnCount]` (`im2col`, or wide: each row
    /// `(c, kh, kw)` is the padded sample's run from `(c, kh·dh, kw·dw)` on), using `padded` (`paddedSampleSize`).
    public static func unfold(
        _ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into columns: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>
    ) {
        guard g.hasWideColumns else { return im2col(x, geometry: g, into: columns, padded: padded) }
        let (ph, pw, height, width) = (g.paddingHeight, g.paddingWidth, g.height, g.width)
        let pitch = width &+ 2 &* pw, plane = (height &+ 2 &* ph) &* pitch, count = g.columnCount
        pad(x, geometry: g, into: padded)
        var row = columns
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let start: Int = c &* plane &+ kh &* g.dilationHeight &* pitch &+ kw &* g.dilationWidth
                    copyRun(from: padded + start, to: row, count: count)
                    row += count
                }
            }
        }
    }

    /// Copies one sample `[C, H, W]` into `padded` (`g.paddedSampleSize` floats) inside its border of zeros, and
    /// zeroes the floats past it that the last rows of a wide column matrix read: row `(c, kh, kw)` of the wide
    /// column matrix is then the run of `columnCount` floats at `wideRowOffsets[row]`.
    public static func pad(_ x: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into padded: UnsafeMutablePointer<Float>) {
        let (ph, pw, height, width) = (g.paddingHeight, g.paddingWidth, g.height, g.width)
        let pitch = width &+ 2 &* pw
        // Each float written once, in order: the border between two rows is one run of zeros.
        var out = padded, source = x
        for _ in 0..<g.channels {
            out.initialize(repeating: 0, count: ph &* pitch &+ pw)
            out += ph &* pitch &+ pw
            for i in 0..<height {
                copyRun(from: source, to: out, count: width)
                source += width
                out += width
                let gap = i == height &- 1 ? pw &+ ph &* pitch : 2 &* pw
                out.initialize(repeating: 0, count: gap)
                out += gap
            }
        }
        let end = padded + g.paddedSampleSize
        out.initialize(repeating: 0, count: end - out)
    }

    /// The adjoint of `unfold`: adds the column matrix back into the sample `x` (which the caller zeroes first),
    /// through `padded`.
    public static func fold(
        _ columns: UnsafePointer<Float>, geometry g: ConvolutionGeometry, into x: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>
    ) {
        guard g.hasWideColumns else { return col2im(columns, geometry: g, into: x, padded: padded) }
        let (ph, pw, height, width) = (g.paddingHeight, g.paddingWidth, g.height, g.width)
        let pitch = width &+ 2 &* pw, plane = (height &+ 2 &* ph) &* pitch, count = g.columnCount
        padded.initialize(repeating: 0, count: g.paddedSampleSize)
        var row = columns
        for c in 0..<g.channels {
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let start: Int = c &* plane &+ kh &* g.dilationHeight &* pitch &+ kw &* g.dilationWidth
                    addRun(row, to: padded + start, count: count)
                    row += count
                }
            }
        }
        forEachInputRow(geometry: g) { sample, inside in addRun(padded + inside, to: x + sample, count: width) }
    }

    /// Calls `body(sample, inside)` for each input row `(c, i)`: its offset in the sample `[C, H, W]` and in the
    /// padded sample (inside the border of zeros).
    @inline(__always)
    static func forEachInputRow(geometry g: ConvolutionGeometry, _ body: (_ sample: Int, _ inside: Int) -> Void) {
        let (ph, pw, height, width) = (g.paddingHeight, g.paddingWidth, g.height, g.width)
        let pitch = width &+ 2 &* pw, plane = (height &+ 2 &* ph) &* pitch
        for c in 0..<g.channels {
            for i in 0..<height {
                let sample: Int = (c &* height &+ i) &* width
                let inside: Int = c &* plane &+ (i &+ ph) &* pitch &+ pw
                body(sample, inside)
            }
        }
    }

    /// Copies `count` floats; for the short rows of convolution layouts, where `update(from:count:)`'s `memmove`
    /// call costs as much as the copy.
    public static func copy(_ source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>, count: Int) {
        copyRun(from: source, to: target, count: count)
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
        // The last eight (or four) again, overlapping what is copied: no loop over the remainder.
        if j < count && count >= 8 {
            target.store8(source.load8(count &- 8), count &- 8)
            return
        }
        if j < count && count >= 4 {
            target.store4(source.load4(0), 0)
            target.store4(source.load4(count &- 4), count &- 4)
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
