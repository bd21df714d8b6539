/// Winograd's minimal filtering F(2×2, 3×3) for 3×3 convolutions at stride 1 (Lavin and Gray, 2016).
///
/// The output is cut into 2×2 tiles; each reads a 4×4 tile `d` of the padded input. With the transforms
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1],
///
/// a tile of `y = Σ_c w[f, c] ⋆ x[c]` is `Aᵀ [Σ_c (G w Gᵀ) ⊙ (Bᵀ d B)] A`: for each of the 16 positions `ξ` of
/// the 4×4 transformed tile, one GEMM `M_ξ[T × F] = V_ξ[T × C] · U_ξ[C × F]` over the `T` tiles. That is 16
/// multiplications per tile and channel pair where the direct convolution takes 36.
///
/// The transforms work on channels-last copies (`[rows, columns, C]`), eight channels to a vector, so that they need
/// no shuffles: the sample is transposed once on the way in (`winogradPad`) and the output once on the way out
/// (`winogradStoreOutput`). Channel and filter counts must be multiples of 8.
public struct WinogradGeometry: Sendable, Equatable {
    /// Input channels, height and width.
    public let channels: Int, height: Int, width: Int
    /// Zeros on each side.
    public let paddingHeight: Int, paddingWidth: Int

    /// The F(2×2, 3×3) form of `g`, if it is a 3×3 convolution at stride 1 without dilation over a multiple of 8
    /// channels.
    public init?(_ g: ConvolutionGeometry) {
        guard g.kernelHeight == 3, g.kernelWidth == 3, g.strideHeight == 1, g.strideWidth == 1,
              g.dilationHeight == 1, g.dilationWidth == 1, g.outputHeight >= 1, g.outputWidth >= 1,
              g.channels % 8 == 0, g.channels > 0 else { return nil }
        (channels, height, width) = (g.channels, g.height, g.width)
        (paddingHeight, paddingWidth) = (g.paddingHeight, g.paddingWidth)
    }

    /// Output height, `H + 2ph − 2`.
    public var outputHeight: Int { height + 2 * paddingHeight - 2 }
    /// Output width, `W + 2pw − 2`.
    public var outputWidth: Int { width + 2 * paddingWidth - 2 }
    /// Rows of tiles, `⌈OH / 2⌉`.
    public var tileRows: Int { (outputHeight + 1) / 2 }
    /// Tiles per row, `⌈OW / 2⌉`.
    public var tileColumns: Int { (outputWidth + 1) / 2 }
    /// Tiles `T`, numbered row by row.
    public var tiles: Int { tileRows * tileColumns }
    /// Rows of the padded input, `2 · tileRows + 2` (an odd output height reads one row of zeros more).
    public var paddedRows: Int { 2 * tileRows + 2 }
    /// Columns of the padded input, `2 · tileColumns + 2`.
    public var paddedColumns: Int { 2 * tileColumns + 2 }
    /// Floats of the padded, channels-last input.
    public var paddedSampleSize: Int { paddedRows * paddedColumns * channels }
    /// Floats of the 16 transformed matrices of `T` rows and `columns` columns (`V`: the channels, `M`: the filters).
    public func transformedSize(columns: Int) -> Int { 16 * tiles * columns }
    /// Floats of `winogradOutputTransform`'s channels-last output for `filters` filters: every tile's four values.
    public func tiledOutputSize(filters: Int) -> Int { 4 * tiles * filters }
}

extension Kernels {
    /// `U_ξ[c, f]` for the weights `w` (`[F, C, 3, 3]`): `G w[f, c] Gᵀ` at position `ξ = 4i + j`, written to
    /// `u + ξ · C · F + c · F + f`.
    public static func winogradWeightTransform(_ w: UnsafePointer<Float>, filters: Int, channels: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = filters &* channels
        for f in 0..<filters {
            for c in 0..<channels {
                let g = w + (f &* channels &+ c) &* 9, out = u + (c &* filters &+ f)
                // The rows of G·g, then each times Gᵀ.
                let (r0, r1, r2) = (SIMD4<Float>(g[0], g[1], g[2], 0), SIMD4<Float>(g[3], g[4], g[5], 0), SIMD4<Float>(g[6], g[7], g[8], 0))
                let rows = (r0, (r0 + r1 + r2) * 0.5, (r0 - r1 + r2) * 0.5, r2)
                @inline(__always) func store(_ row: SIMD4<Float>, _ i: Int) {
                    out[(4 &* i) &* plane] = row[0]
                    out[(4 &* i &+ 1) &* plane] = (row[0] + row[1] + row[2]) * 0.5
                    out[(4 &* i &+ 2) &* plane] = (row[0] - row[1] + row[2]) * 0.5
                    out[(4 &* i &+ 3) &* plane] = row[2]
                }
                store(rows.0, 0)
                store(rows.1, 1)
                store(rows.2, 2)
                store(rows.3, 3)
            }
        }
    }

    /// Copies one sample `x` (`[C, H, W]`) channels-last into `padded` (`g.paddedSampleSize` floats,
    /// `[g.paddedRows, g.paddedColumns, C]`): the sample at row `ph`, column `pw`, zeros everywhere else.
    public static func winogradPad(_ x: UnsafePointer<Float>, geometry g: WinogradGeometry, into padded: UnsafeMutablePointer<Float>) {
        let (channels, height, width, ph, pw) = (g.channels, g.height, g.width, g.paddingHeight, g.paddingWidth)
        let rowSize = g.paddedColumns &* channels, plane = height &* width
        padded.initialize(repeating: 0, count: ph &* rowSize)
        for i in 0..<height {
            let row = padded + (i &+ ph) &* rowSize
            row.initialize(repeating: 0, count: pw &* channels)
            let inside = row + pw &* channels
            var j = 0
            while j &+ 8 <= width {
                for c in stride(from: 0, to: channels, by: 8) {
                    let source = x + (c &* plane &+ i &* width &+ j)
                    transpose8(source, pitch: plane, into: inside + (j &* channels &+ c), pitch: channels)
                }
                j &+= 8
            }
            if j < width {
                // The last columns through an 8 × 8 block: the channels' short runs in, whole columns out.
                let count = width &- j
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 128) { block in
                    let (rows, columns) = (block.baseAddress!, block.baseAddress! + 64)
                    rows.initialize(repeating: 0, count: 64)
                    for c in stride(from: 0, to: channels, by: 8) {
                        for r in 0..<8 { copyRun(from: x + ((c &+ r) &* plane &+ i &* width &+ j), to: rows + r &* 8, count: count) }
                        transpose8(rows, pitch: 8, into: columns, pitch: 8)
                        for column in 0..<count { (inside + ((j &+ column) &* channels &+ c)).store8(UnsafePointer(columns).load8(column &* 8), 0) }
                    }
                }
            }
            (inside + width &* channels).initialize(repeating: 0, count: (g.paddedColumns &- pw &- width) &* channels)
        }
        let below = g.paddedRows &- ph &- height
        (padded + (ph &+ height) &* rowSize).initialize(repeating: 0, count: below &* rowSize)
    }

    /// `V_ξ[t, c]`, the input tiles of the padded sample (`winogradPad`) transformed, `Bᵀ d B` at position
    /// `ξ = 4i + j`, written to `v + ξ · positionStride + t · C + c` (`positionStride` is `T · C` for one sample;
    /// more leaves room for the tiles of other samples below these).
    public static func winogradInputTransform(
        _ padded: UnsafePointer<Float>, geometry g: WinogradGeometry, into v: UnsafeMutablePointer<Float>, positionStride: Int? = nil
    ) {
        let channels = g.channels
        let (pixel, rowSize, matrix) = (channels, g.paddedColumns &* channels, positionStride ?? g.tiles &* channels)
        var out = v
        for tileRow in 0..<g.tileRows {
            for tileColumn in 0..<g.tileColumns {
                let d = padded + (2 &* tileRow &* rowSize &+ 2 &* tileColumn &* pixel)
                for c in stride(from: 0, to: channels, by: 8) {
                    // Row i of Bᵀ d from two rows of the tile (d_a + sign · d_b), then Bᵀ along its four columns.
                    @inline(__always) func row(_ i: Int, _ a: Int, _ b: Int, _ sign: Float) {
                        let (first, second) = (d + (a &* rowSize &+ c), d + (b &* rowSize &+ c))
                        let d0 = first.load8(0) + sign * second.load8(0)
                        let d1 = first.load8(pixel) + sign * second.load8(pixel)
                        let d2 = first.load8(2 &* pixel) + sign * second.load8(2 &* pixel)
                        let d3 = first.load8(3 &* pixel) + sign * second.load8(3 &* pixel)
                        out.store8(d0 - d2, (4 &* i) &* matrix &+ c)
                        out.store8(d1 + d2, (4 &* i &+ 1) &* matrix &+ c)
                        out.store8(d2 - d1, (4 &* i &+ 2) &* matrix &+ c)
                        out.store8(d1 - d3, (4 &* i &+ 3) &* matrix &+ c)
                    }
                    // Bᵀ's rows: d0 − d2, d1 + d2, d2 − d1, d1 − d3.
                    row(0, 0, 2, -1)
                    row(1, 1, 2, 1)
                    row(2, 2, 1, -1)
                    row(3, 1, 3, -1)
                }
                out += channels
            }
        }
    }

    /// The output tiles `Aᵀ M A` of the products `M_ξ[t, f]` (at `m + ξ · T · F + t · F + f`), channels-last:
    /// value `(r, s)` of tile `t` at `y + (4t + 2r + s) · F + f` (`g.tiledOutputSize(filters:)` floats).
    public static func winogradOutputTransform(_ m: UnsafePointer<Float>, geometry g: WinogradGeometry, filters: Int, into y: UnsafeMutablePointer<Float>) {
        let matrix = g.tiles &* filters
        var (source, out) = (m, y)
        for _ in 0..<g.tiles {
            for f in stride(from: 0, to: filters, by: 8) {
                // Aᵀ along the rows of the 4 × 4 products (two rows of four), then along their columns.
                @inline(__always) func column(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>) {
                    let m0 = source.load8(j &* matrix &+ f), m1 = source.load8((4 &+ j) &* matrix &+ f)
                    let m2 = source.load8((8 &+ j) &* matrix &+ f), m3 = source.load8((12 &+ j) &* matrix &+ f)
                    return (m0 + m1 + m2, m1 - m2 - m3)
                }
                let (q0, q1, q2, q3) = (column(0), column(1), column(2), column(3))
                out.store8(q0.0 + q1.0 + q2.0, f)
                out.store8(q1.0 - q2.0 - q3.0, filters &+ f)
                out.store8(q0.1 + q1.1 + q2.1, 2 &* filters &+ f)
                out.store8(q1.1 - q2.1 - q3.1, 3 &* filters &+ f)
            }
            source += filters
            out += 4 &* filters
        }
    }

    /// Writes the tiled, channels-last output of `winogradOutputTransform` as `[F, OH, OW]` into `y`, applying
    /// `channelAffine`'s per-filter `scale`, `shift` and ReLU on the way (the tiles' values past `OH` or `OW` are
    /// dropped).
    public static func winogradStoreOutput(
        _ tiled: UnsafePointer<Float>, geometry g: WinogradGeometry, filters: Int,
        scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, relu: Bool, into y: UnsafeMutablePointer<Float>
    ) {
        let (height, width, tileColumns) = (g.outputHeight, g.outputWidth, g.tileColumns)
        let plane = height &* width
        let zero = SIMD8<Float>(repeating: 0)
        @inline(__always) func map(_ value: SIMD8<Float>, _ f: Int) -> SIMD8<Float> {
            var v = value
            if let scale { v *= SIMD8(repeating: scale[f]) }
            if let shift { v += SIMD8(repeating: shift[f]) }
            return relu ? v.replacing(with: zero, where: v .< zero) : v
        }
        @inline(__always) func map(_ value: Float, _ f: Int) -> Float {
            var v = value
            if let scale { v *= scale[f] }
            if let shift { v += shift[f] }
            return relu ? (v > 0 ? v : 0) : v
        }
        for i in 0..<height {
            // Column j of output row i is value (i mod 2, j mod 2) of tile (i / 2, j / 2): eight columns are four
            // tiles' values, `2 · F` floats apart in pairs.
            let rowStart = tiled + ((i >> 1) &* tileColumns &* 4 &+ (i & 1) &* 2) &* filters
            var j = 0
            while j &+ 8 <= width {
                let first = rowStart + (j >> 1) &* 4 &* filters
                for f in stride(from: 0, to: filters, by: 8) {
                    // Eight output columns of eight filters: the pairs of each of four tiles, transposed.
                    let rows = (first.load8(f), first.load8(filters &+ f), first.load8(4 &* filters &+ f), first.load8(5 &* filters &+ f),
                                first.load8(8 &* filters &+ f), first.load8(9 &* filters &+ f), first.load8(12 &* filters &+ f), first.load8(13 &* filters &+ f))
                    let t = transpose(rows)
                    let out = y + (f &* plane &+ i &* width &+ j)
                    out.store8(map(t.0, f), 0)
                    out.store8(map(t.1, f &+ 1), plane)
                    out.store8(map(t.2, f &+ 2), 2 &* plane)
                    out.store8(map(t.3, f &+ 3), 3 &* plane)
                    out.store8(map(t.4, f &+ 4), 4 &* plane)
                    out.store8(map(t.5, f &+ 5), 5 &* plane)
                    out.store8(map(t.6, f &+ 6), 6 &* plane)
                    out.store8(map(t.7, f &+ 7), 7 &* plane)
                }
                j &+= 8
            }
            if j < width {
                // The last columns through an 8 × 8 block: whole columns in, the filters' short runs out.
                let count = width &- j
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 128) { block in
                    let (columns, rows) = (block.baseAddress!, block.baseAddress! + 64)
                    columns.initialize(repeating: 0, count: 64)
                    for f in stride(from: 0, to: filters, by: 8) {
                        for column in 0..<count {
                            let value = rowStart + (((j &+ column) >> 1) &* 4 &+ (column & 1)) &* filters
                            columns.store8(value.load8(f), column &* 8)
                        }
                        transpose8(columns, pitch: 8, into: rows, pitch: 8)
                        for k in 0..<8 {
                            let (source, out) = (UnsafePointer(rows) + k &* 8, y + ((f &+ k) &* plane &+ i &* width &+ j))
                            for column in 0..<count { out[column] = map(source[column], f &+ k) }
                        }
                    }
                }
            }
        }
    }

    /// The output gradient `∂L/∂M_ξ = A (∂L/∂Y) Aᵀ` of each tile, the adjoint of `winogradOutputTransform` and
    /// `winogradStoreOutput`, from one sample's `dy` (`[F, OH, OW]`; a partial tile's missing values count as 0):
    /// `∂L/∂M_ξ[f, t]` at `dm + (ξ · F + f) · tileStride + t`. `tileStride` is at least `T + 7`: the tiles go in
    /// whole vectors of eight, so the 7 floats after a row's last tile are overwritten with values of no meaning
    /// (where the tiles of a further sample can go, written after these).
    public static func winogradOutputGradientTransform(
        _ dy: UnsafePointer<Float>, geometry g: WinogradGeometry, filters: Int, into dm: UnsafeMutablePointer<Float>, tileStride: Int
    ) {
        let (height, width, tileColumns) = (g.outputHeight, g.outputWidth, g.tileColumns)
        let plane = height &* width, matrix = filters &* tileStride
        // Aᵀ's columns (1, 0), (1, 1), (1, −1), (0, −1) along the rows of the 2 × 2 gradient, then along its columns.
        @inline(__always) func transform(_ y00: SIMD8<Float>, _ y01: SIMD8<Float>, _ y10: SIMD8<Float>, _ y11: SIMD8<Float>,
                                         _ store: (SIMD8<Float>, Int) -> Void) {
            let rows = ((y00, y01), (y00 + y10, y01 + y11), (y00 - y10, y01 - y11), (-y10, -y11))
            @inline(__always) func row(_ e: (SIMD8<Float>, SIMD8<Float>), _ i: Int) {
                store(e.0, 4 &* i)
                store(e.0 + e.1, 4 &* i &+ 1)
                store(e.0 - e.1, 4 &* i &+ 2)
                store(-e.1, 4 &* i &+ 3)
            }
            row(rows.0, 0)
            row(rows.1, 1)
            row(rows.2, 2)
            row(rows.3, 3)
        }
        let end = dy + filters &* plane
        // 16 lanes of ones then 16 of zeros: the 16 lanes from `16 − n` keep the first `n` of a vector.
        let masks = UnsafeMutablePointer<UInt32>.allocate(capacity: 32)
        defer { masks.deallocate() }
        masks.initialize(repeating: ~0, count: 16)
        (masks + 16).initialize(repeating: 0, count: 16)
        // Columns `j ..< j + 16` of a row, zeros past its end.
        @inline(__always) func columns(_ row: UnsafePointer<Float>, from j: Int) -> SIMD16<Float> {
            let valid = width &- j
            if valid >= 16 { return row.load16(j) }
            if row + (j &+ 16) <= end {
                let keep = UnsafeRawPointer(masks + (16 &- valid)).loadUnaligned(as: SIMD16<UInt32>.self)
                return unsafeBitCast(unsafeBitCast(row.load16(j), to: SIMD16<UInt32>.self) & keep, to: SIMD16<Float>.self)
            }
            var v = SIMD16<Float>()
            for k in 0..<valid { v[k] = row[j &+ k] }
            return v
        }
        for f in 0..<filters {
            let channel = dy + f &* plane, out = dm + f &* tileStride
            for tileRow in 0..<g.tileRows {
                let top = channel + 2 &* tileRow &* width
                let hasBottom = 2 &* tileRow &+ 1 < height
                let firstTile = tileRow &* tileColumns
                // Eight tiles from 16 columns: the even columns are each tile's left value, the odd its right.
                for tileColumn in stride(from: 0, to: tileColumns, by: 8) {
                    let j = 2 &* tileColumn
                    let (a, b) = (columns(top, from: j), hasBottom ? columns(top + width, from: j) : SIMD16<Float>())
                    let target = out + (firstTile &+ tileColumn)
                    transform(a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf) { value, position in target.store8(value, position &* matrix) }
                }
            }
        }
    }

    /// `∂L/∂w[f, c] = Gᵀ (∂L/∂U[f, c]) G`, the adjoint of `winogradWeightTransform`, from `∂L/∂U_ξ[f, c]` at
    /// `du + ξ · F · C + f · C + c` into `dw` (`[F, C, 3, 3]`).
    public static func winogradWeightGradientTransform(_ du: UnsafePointer<Float>, filters: Int, channels: Int, into dw: UnsafeMutablePointer<Float>) {
        let plane = filters &* channels
        for f in 0..<filters {
            for c in 0..<channels {
                let source = du + (f &* channels &+ c)
                @inline(__always) func row(_ i: Int) -> SIMD4<Float> {
                    SIMD4(source[(4 &* i) &* plane], source[(4 &* i &+ 1) &* plane], source[(4 &* i &+ 2) &* plane], source[(4 &* i &+ 3) &* plane])
                }
                // Gᵀ's rows (1, ½, ½, 0), (0, ½, −½, 0), (0, ½, ½, 1) down the four rows, then along each row.
                let (u0, u1, u2, u3) = (row(0), row(1), row(2), row(3))
                let rows = (u0 + (u1 + u2) * 0.5, (u1 - u2) * 0.5, (u1 + u2) * 0.5 + u3)
                let out = dw + (f &* channels &+ c) &* 9
                @inline(__always) func store(_ h: SIMD4<Float>, _ a: Int) {
                    out[3 &* a] = h[0] + (h[1] + h[2]) * 0.5
                    out[3 &* a &+ 1] = (h[1] - h[2]) * 0.5
                    out[3 &* a &+ 2] = (h[1] + h[2]) * 0.5 + h[3]
                }
                store(rows.0, 0)
                store(rows.1, 1)
                store(rows.2, 2)
            }
        }
    }

    /// Transposes the 8 × 8 block whose rows are 8 floats at `source + r · sourcePitch` into rows at
    /// `target + r · targetPitch`.
    @inline(__always)
    static func transpose8(_ source: UnsafePointer<Float>, pitch sourcePitch: Int, into target: UnsafeMutablePointer<Float>, pitch targetPitch: Int) {
        let t = transpose((source.load8(0), source.load8(sourcePitch), source.load8(2 &* sourcePitch), source.load8(3 &* sourcePitch),
                           source.load8(4 &* sourcePitch), source.load8(5 &* sourcePitch), source.load8(6 &* sourcePitch), source.load8(7 &* sourcePitch)))
        target.store8(t.0, 0)
        target.store8(t.1, targetPitch)
        target.store8(t.2, 2 &* targetPitch)
        target.store8(t.3, 3 &* targetPitch)
        target.store8(t.4, 4 &* targetPitch)
        target.store8(t.5, 5 &* targetPitch)
        target.store8(t.6, 6 &* targetPitch)
        target.store8(t.7, 7 &* targetPitch)
    }

    typealias Block8 = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

    /// The transpose of an 8 × 8 block given by its rows: three rounds of pairing row `r` with row `r + 4` by
    /// interleaving (each moves one bit of the column index into the row index).
    @inline(__always)
    static func transpose(_ r: Block8) -> Block8 {
        @inline(__always) func round(_ r: Block8) -> Block8 {
            let (a, b, c, d) = (interleave(r.0, r.4), interleave(r.1, r.5), interleave(r.2, r.6), interleave(r.3, r.7))
            return (a.lowHalf, a.highHalf, b.lowHalf, b.highHalf, c.lowHalf, c.highHalf, d.lowHalf, d.highHalf)
        }
        return round(round(round(r)))
    }

    /// `[a0, b0, a1, b1, …, a7, b7]`.
    @inline(__always)
    static func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
        var result = SIMD16<Float>()
        for i in 0..<8 {
            result[2 &* i] = a[i]
            result[2 &* i &+ 1] = b[i]
        }
        return result
    }
}
