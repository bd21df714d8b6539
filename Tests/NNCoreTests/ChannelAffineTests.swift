import NNCore
import Testing

/// `Kernels.channelAffine` against literal values: each combination of scale, shift and ReLU, contiguous and from a
/// wide product, and rows long enough for the vector loop and its tail.
@Suite struct ChannelAffineTests {
    /// Two channels of two rows, three wide, four apart in the source (the fourth column is a wide product's waste).
    let wide: [Float] = [1, -2, 3, 99, -4, 5, -6, 99, 0.5, -1, 2, 99, -3, 4, -0.25, 99]
    let scale: [Float] = [2, -1]
    let shift: [Float] = [1, 0.5]

    func map(_ x: [Float], pitch: Int, width: Int, rows: Int, channels: Int, scale: [Float]?, shift: [Float]?, relu: Bool) -> [Float] {
        var y = [Float](repeating: .nan, count: channels * rows * width)
        let (scales, shifts) = (scale ?? [0], shift ?? [0])
        x.withUnsafeBufferPointer { x in
            y.withUnsafeMutableBufferPointer { y in
                scales.withUnsafeBufferPointer { s in
                    shifts.withUnsafeBufferPointer { t in
                        Kernels.channelAffine(x.baseAddress!, pitch: pitch, width: width, rows: rows, channels: channels,
                                              scale: scale == nil ? nil : s.baseAddress!, shift: shift == nil ? nil : t.baseAddress!,
                                              relu: relu, into: y.baseAddress!)
                    }
                }
            }
        }
        return y
    }

    @Test func compactsAWideProduct() {
        #expect(map(wide, pitch: 4, width: 3, rows: 2, channels: 2, scale: nil, shift: nil, relu: false)
                == [1, -2, 3, -4, 5, -6, 0.5, -1, 2, -3, 4, -0.25])
        #expect(map(wide, pitch: 4, width: 3, rows: 2, channels: 2, scale: nil, shift: nil, relu: true)
                == [1, 0, 3, 0, 5, 0, 0.5, 0, 2, 0, 4, 0])
    }

    @Test func addsEachChannelsShift() {
        #expect(map(wide, pitch: 4, width: 3, rows: 2, channels: 2, scale: nil, shift: shift, relu: false)
                == [2, -1, 4, -3, 6, -5, 1, -0.5, 2.5, -2.5, 4.5, 0.25])
        #expect(map(wide, pitch: 4, width: 3, rows: 2, channels: 2, scale: nil, shift: shift, relu: true)
                == [2, 0, 4, 0, 6, 0, 1, 0, 2.5, 0, 4.5, 0.25])
    }

    @Test func scalesThenShiftsEachChannel() {
        #expect(map(wide, pitch: 4, width: 3, rows: 2, channels: 2, scale: scale, shift: shift, relu: false)
                == [3, -3, 7, -7, 11, -11, 0, 1.5, -1.5, 3.5, -3.5, 0.75])
        #expect(map(wide, pitch: 4, width: 3, rows: 2, channels: 2, scale: scale, shift: shift, relu: true)
                == [3, 0, 7, 0, 11, 0, 0, 1.5, 0, 3.5, 0, 0.75])
    }

    /// Contiguous channels of 19 values: two vector steps and a scalar tail each.
    @Test func contiguousChannelsMatchTheFormula() {
        let x = (0..<38).map { Float($0 % 7) - 3 }
        let y = map(x, pitch: 19, width: 19, rows: 1, channels: 2, scale: scale, shift: shift, relu: true)
        #expect(y == x.enumerated().map { i, v in Swift.max(0, v * scale[i / 19] + shift[i / 19]) })
    }

    @Test func mapsInPlace() {
        var x: [Float] = [1, -2, 3, -4]
        x.withUnsafeMutableBufferPointer { x in
            shift.withUnsafeBufferPointer { t in
                Kernels.channelAffine(UnsafePointer(x.baseAddress!), pitch: 2, width: 2, rows: 1, channels: 2, scale: nil,
                                      shift: t.baseAddress!, relu: true, into: x.baseAddress!)
            }
        }
        #expect(x == [2, 0, 3.5, 0])
    }
}
