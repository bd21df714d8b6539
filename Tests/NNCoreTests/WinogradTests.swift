import NNCore
import Testing

/// Winograd F(2×2, 3×3): each transform against literal values, and the whole convolution (pad, input transform,
/// the 16 products, output transform) against a direct one in Double over sizes that leave partial tiles and
/// tile rows longer than one vector.
@Suite struct WinogradTests {
    @Test func weightTransformIsGWGTransposed() {
        let w: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        var u = [Float](repeating: .nan, count: 16)
        Kernels.winogradWeightTransform(w, filters: 1, channels: 1, into: &u)
        #expect(u == [1, 3, 1, 3, 6, 11.25, 3.75, 9, 2, 3.75, 1.25, 3, 7, 12, 4, 9])
    }

    /// A 4 × 4 input without padding is one tile: its transform is `Bᵀ d B`, here for eight channels `d · (c + 1)`.
    @Test func inputTransformIsBTransposedDB() throws {
        let g = try #require(WinogradGeometry(ConvolutionGeometry(channels: 8, height: 4, width: 4, kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1])))
        let d: [Float] = [0, 1, 4, 2, 2, 4, 1, 0, 1, 4, 2, 2, 4, 1, 0, 1]
        let x = (0..<8).flatMap { c in d.map { $0 * Float(c + 1) } }
        var padded = [Float](repeating: .nan, count: g.paddedSampleSize)
        var v = [Float](repeating: .nan, count: g.transformedSize(columns: 8))
        Kernels.winogradPad(x, geometry: g, into: &padded)
        Kernels.winogradInputTransform(padded, geometry: g, into: &v)
        let expected: [Float] = [-3, -1, 5, -3, 0, 11, -5, 6, -2, 1, 1, -2, -3, 4, -2, 4]
        for c in 0..<8 { #expect((0..<16).map { v[$0 * 8 + c] } == expected.map { $0 * Float(c + 1) }) }
    }

    /// One tile of products `M_ξ = (ξ − 5)(f + 1)` for eight filters gives `Aᵀ M A · (f + 1)`.
    @Test func outputTransformIsATransposedMA() throws {
        let g = try #require(WinogradGeometry(ConvolutionGeometry(channels: 8, height: 4, width: 4, kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1])))
        let m = (0..<16).flatMap { position in (0..<8).map { f in (Float(position) - 5) * Float(f + 1) } }
        var tiled = [Float](repeating: .nan, count: g.tiledOutputSize(filters: 8))
        Kernels.winogradOutputTransform(m, geometry: g, filters: 8, into: &tiled)
        for f in 0..<8 { #expect((0..<4).map { tiled[$0 * 8 + f] } == [0, -9, -36, 15].map { $0 * Float(f + 1) }) }
        var y = [Float](repeating: .nan, count: 8 * 4)
        Kernels.winogradStoreOutput(tiled, geometry: g, filters: 8, scale: nil, shift: nil, relu: true, into: &y)
        #expect(y[0..<4] == [0, 0, 0, 15] && y[28..<32] == [0, 0, 0, 120])
    }

    /// One tile's output gradient `[1 2; 3 4] · (f + 1)` for eight filters gives `A (∂L/∂Y) Aᵀ · (f + 1)`.
    @Test func outputGradientTransformIsADYATransposed() throws {
        let g = try #require(WinogradGeometry(ConvolutionGeometry(channels: 8, height: 4, width: 4, kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1])))
        let dy = (0..<8).flatMap { f in [1, 2, 3, 4].map { $0 * Float(f + 1) } }
        var dm = [Float](repeating: .nan, count: 16 * 8 * 8)
        Kernels.winogradOutputGradientTransform(dy, geometry: g, filters: 8, into: &dm, tileStride: 8)
        let expected: [Float] = [1, 3, -1, -2, 4, 10, -2, -6, -2, -4, 0, 2, -3, -7, 1, 4]
        for f in 0..<8 { #expect((0..<16).map { dm[($0 * 8 + f) * 8] } == expected.map { $0 * Float(f + 1) }) }
    }

    /// `Gᵀ (∂L/∂U) G` of one kernel: the adjoint of `weightTransformIsGWGTransposed`'s transform.
    @Test func weightGradientTransformIsGTransposedDUG() {
        let du: [Float] = (0..<16).map { Float($0 + 1) }
        var dw = [Float](repeating: .nan, count: 9)
        Kernels.winogradWeightGradientTransform(du, filters: 1, channels: 1, into: &dw)
        #expect(dw == [19, -1, 25, -4, 0, -4, 43, -1, 49])
    }

    /// The gradient transforms are the adjoints of the forward ones, `⟨∂L/∂M, M⟩ = ⟨∂L/∂Y, Y(M)⟩` and
    /// `⟨∂L/∂U, U(w)⟩ = ⟨∂L/∂w, w⟩`, in Double over sizes with partial tiles and whole vectors of tiles.
    @Test(arguments: [(5, 5, 1), (9, 20, 0), (16, 37, 1), (2, 2, 1)])
    func gradientTransformsAreTheAdjoints(height: Int, width: Int, padding: Int) throws {
        let (channels, filters) = (8, 16)
        let g = try #require(WinogradGeometry(ConvolutionGeometry(
            channels: channels, height: height, width: width, kernel: [3, 3], stride: [1, 1], padding: [padding, padding], dilation: [1, 1])))
        let plane = g.outputHeight * g.outputWidth
        let m = (0..<g.transformedSize(columns: filters)).map { Float(($0 * 29) % 31) / 15 - 1 }
        let dy = (0..<(filters * plane)).map { Float(($0 * 11) % 13) / 6 - 1 }
        var tiled = [Float](repeating: .nan, count: g.tiledOutputSize(filters: filters))
        var y = [Float](repeating: .nan, count: filters * plane)
        Kernels.winogradOutputTransform(m, geometry: g, filters: filters, into: &tiled)
        Kernels.winogradStoreOutput(tiled, geometry: g, filters: filters, scale: nil, shift: nil, relu: false, into: &y)
        let pitch = g.tiles + 7
        var dm = [Float](repeating: .nan, count: 16 * filters * pitch)
        Kernels.winogradOutputGradientTransform(dy, geometry: g, filters: filters, into: &dm, tileStride: pitch)
        var (left, right) = (0.0, 0.0)
        for i in dy.indices { left += Double(dy[i]) * Double(y[i]) }
        // `m` holds `M_ξ[t, f]`, `dm` holds `∂L/∂M_ξ[f, t]`.
        for position in 0..<16 {
            for t in 0..<g.tiles {
                for f in 0..<filters {
                    right += Double(m[(position * g.tiles + t) * filters + f]) * Double(dm[(position * filters + f) * pitch + t])
                }
            }
        }
        #expect(abs(left - right) < 1e-3 * max(1, abs(left)), "\(left) vs \(right)")

        let w = (0..<(filters * channels * 9)).map { Float(($0 * 13) % 17) / 8 - 1 }
        let du = (0..<(16 * filters * channels)).map { Float(($0 * 7) % 19) / 9 - 1 }
        var (u, dw) = ([Float](repeating: .nan, count: 16 * filters * channels), [Float](repeating: .nan, count: w.count))
        Kernels.winogradWeightTransform(w, filters: filters, channels: channels, into: &u)
        Kernels.winogradWeightGradientTransform(du, filters: filters, channels: channels, into: &dw)
        var (kernels, weights) = (0.0, 0.0)
        // `u` holds `U_ξ[c, f]`, `du` holds `∂L/∂U_ξ[f, c]`.
        for position in 0..<16 {
            for f in 0..<filters {
                for c in 0..<channels {
                    kernels += Double(u[(position * channels + c) * filters + f]) * Double(du[(position * filters + f) * channels + c])
                }
            }
        }
        for i in w.indices { weights += Double(w[i]) * Double(dw[i]) }
        #expect(abs(kernels - weights) < 1e-3 * max(1, abs(kernels)), "\(kernels) vs \(weights)")
    }

    @Test(arguments: [
        (8, 8, 5, 5, 1),      // odd output: partial tiles on the right and at the bottom
        (8, 16, 4, 4, 0),     // no padding
        (16, 8, 6, 40, 1),    // output rows of five vectors
        (8, 8, 9, 7, 2),      // padding 2
        (16, 16, 28, 28, 1),  // rows of three vectors and a tail of four
    ])
    func convolutionMatchesTheDirectOne(channels: Int, filters: Int, height: Int, width: Int, padding: Int) throws {
        let g = try #require(WinogradGeometry(ConvolutionGeometry(
            channels: channels, height: height, width: width, kernel: [3, 3], stride: [1, 1], padding: [padding, padding], dilation: [1, 1])))
        let x = (0..<(channels * height * width)).map { Float(($0 * 37) % 23) / 11 - 1 }
        let w = (0..<(filters * channels * 9)).map { Float(($0 * 13) % 17) / 8 - 1 }
        let (scale, shift) = ((0..<filters).map { Float($0 % 3) - 0.5 }, (0..<filters).map { Float($0) / 4 - 1 })
        var u = [Float](repeating: .nan, count: 16 * filters * channels)
        var padded = [Float](repeating: .nan, count: g.paddedSampleSize)
        var v = [Float](repeating: .nan, count: g.transformedSize(columns: channels))
        var m = [Float](repeating: .nan, count: g.transformedSize(columns: filters))
        var tiled = [Float](repeating: .nan, count: g.tiledOutputSize(filters: filters))
        var y = [Float](repeating: .nan, count: filters * g.outputHeight * g.outputWidth)
        Kernels.winogradWeightTransform(w, filters: filters, channels: channels, into: &u)
        Kernels.winogradPad(x, geometry: g, into: &padded)
        Kernels.winogradInputTransform(padded, geometry: g, into: &v)
        for position in 0..<16 {
            for t in 0..<g.tiles {
                for f in 0..<filters {
                    var total: Float = 0
                    for c in 0..<channels { total += v[(position * g.tiles + t) * channels + c] * u[(position * channels + c) * filters + f] }
                    m[(position * g.tiles + t) * filters + f] = total
                }
            }
        }
        Kernels.winogradOutputTransform(m, geometry: g, filters: filters, into: &tiled)
        Kernels.winogradStoreOutput(tiled, geometry: g, filters: filters, scale: scale, shift: shift, relu: false, into: &y)
        var worst = 0.0
        for f in 0..<filters {
            for i in 0..<g.outputHeight {
                for j in 0..<g.outputWidth {
                    var direct = 0.0
                    for c in 0..<channels {
                        for kh in 0..<3 {
                            for kw in 0..<3 {
                                let (row, column) = (i + kh - padding, j + kw - padding)
                                guard row >= 0, row < height, column >= 0, column < width else { continue }
                                direct += Double(x[(c * height + row) * width + column]) * Double(w[((f * channels + c) * 3 + kh) * 3 + kw])
                            }
                        }
                    }
                    direct = direct * Double(scale[f]) + Double(shift[f])
                    worst = max(worst, abs(Double(y[(f * g.outputHeight + i) * g.outputWidth + j]) - direct))
                }
            }
        }
        #expect(worst < 1e-4 * Double(channels), "largest difference \(worst)")
    }

    @Test func onlyThreeByThreeStrideOneKernelsOverWholeVectorsOfChannelsHaveAForm() {
        func form(_ channels: Int, kernel: Int = 3, stride: Int = 1, dilation: Int = 1) -> WinogradGeometry? {
            WinogradGeometry(ConvolutionGeometry(channels: channels, height: 8, width: 8, kernel: [kernel, kernel], stride: [stride, stride],
                                                 padding: [1, 1], dilation: [dilation, dilation]))
        }
        #expect(form(8) != nil && form(64) != nil)
        #expect(form(12) == nil && form(8, kernel: 5) == nil && form(8, stride: 2) == nil && form(8, dilation: 2) == nil)
    }
}
