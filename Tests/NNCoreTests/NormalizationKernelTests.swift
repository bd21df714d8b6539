import NNCore
import Testing

/// BatchNorm's two kernels against literal values, over a vector step and a scalar tail.
@Suite struct NormalizationKernelTests {
    @Test func normalizeWritesTheNormalizedValuesAndTheAffineOutput() {
        let x: [Float] = [1, 3, 5, 7, 9, 11, 13, 15, 17, -3]
        var normalized = [Float](repeating: .nan, count: x.count), y = normalized, rectified = normalized
        x.withUnsafeBufferPointer { x in
            normalized.withUnsafeMutableBufferPointer { xh in
                y.withUnsafeMutableBufferPointer { y in
                    Kernels.normalize(x.baseAddress!, mean: 5, inverseDeviation: 0.5, scale: 2, shift: -1, relu: false,
                                      normalized: xh.baseAddress!, into: y.baseAddress!, count: x.count)
                }
                rectified.withUnsafeMutableBufferPointer { y in
                    Kernels.normalize(x.baseAddress!, mean: 5, inverseDeviation: 0.5, scale: 2, shift: -1, relu: true,
                                      normalized: xh.baseAddress!, into: y.baseAddress!, count: x.count)
                }
            }
        }
        #expect(normalized == [-2, -1, 0, 1, 2, 3, 4, 5, 6, -4])
        #expect(y == [-5, -3, -1, 1, 3, 5, 7, 9, 11, -9])
        #expect(rectified == [0, 0, 0, 1, 3, 5, 7, 9, 11, 0])
    }

    @Test func normalizationGradientFollowsTheFormula() {
        let dy: [Float] = [1, 0, -1, 2, 0.5, 1, 1, 0, 3]
        let xh: [Float] = [0, 1, -1, 0.5, 2, 0, 1, 1, -2]
        var dx = [Float](repeating: .nan, count: dy.count)
        dy.withUnsafeBufferPointer { dy in
            xh.withUnsafeBufferPointer { xh in
                dx.withUnsafeMutableBufferPointer { dx in
                    Kernels.normalizationGradient(dy.baseAddress!, normalized: xh.baseAddress!, factor: 0.5, m: 4, sum: 2, dot: 1,
                                                  into: dx.baseAddress!, count: dy.count)
                }
            }
        }
        // 0.5 · ((4·dy − 2) − x̂)
        #expect(dx == [1, -1.5, -2.5, 2.75, -1, 1, 0.5, -1.5, 6])
    }
}
