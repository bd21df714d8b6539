import Foundation
import NNCore
import NNCoreAVX512
import NNVectorMath
import Testing

/// `Kernels.log` and `Kernels.tanh` against Foundation's Double functions, measured in units in the last place
/// of the Float result.
@Suite struct TranscendentalTests {
    /// Random bit patterns: every binade (subnormals included) is sampled evenly.
    static func samples(count: Int, seed: UInt64, signed: Bool) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let bits = UInt32(truncatingIfNeeded: generator.next()) % 0x7F80_0000
            let x = Float(bitPattern: bits)
            return signed && generator.next() & 1 == 1 ? -x : x
        }
    }

    static func worstUlp(_ inputs: [Float], kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
                         reference: (Double) -> Double) -> (ulp: Double, at: Float) {
        var outputs = [Float](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in outputs.withUnsafeMutableBufferPointer { kernel(x.baseAddress!, $0.baseAddress!, x.count) } }
        var worst = (ulp: 0.0, at: Float(0))
        for (x, y) in zip(inputs, outputs) {
            let exact = reference(Double(x))
            let ulp = abs(Double(y) - exact) / Double(Float(exact).ulp)
            if ulp > worst.ulp { worst = (ulp, x) }
        }
        return worst
    }

    @Test func logIsWithinOneUlp() {
        var inputs = Self.samples(count: 1 << 19, seed: 3, signed: false)
        var generator = SeededGenerator(seed: 4)
        inputs += (0..<(1 << 19)).map { _ in Float(0.5 + 1.5 * generator.nextUnitDouble()) }  // around ln x = 0
        inputs += [1, 2, 0.5, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, Float(M_E), 1.0000001, 0.99999994]
        let worst = Self.worstUlp(inputs, kernel: Kernels.log, reference: Foundation.log)
        #expect(worst.ulp <= 1, "worst \(worst.ulp) ulp at \(worst.at)")
    }

    /// A vector of positive normals takes the short path; one zero lane sends the same values through the path
    /// that handles every float. Their bits must agree, or a result would depend on its neighbours.
    @Test func logGivesTheSameBitsOnBothPaths() {
        var generator = SeededGenerator(seed: 7)
        var mismatches = 0, shortPathVectors = 0
        for _ in 0..<(1 << 14) {
            var v = SIMD8<Float>()
            for lane in 0..<8 {
                // Any positive normal float: biased exponent 1...254, any mantissa.
                let bits = UInt32(truncatingIfNeeded: generator.next()) % (0x7F80_0000 - 0x0080_0000) + 0x0080_0000
                v[lane] = Float(bitPattern: bits)
            }
            var withZero = v
            withZero[7] = 0
            let (short, general) = (Kernels.log(v), Kernels.log(withZero))
            for lane in 0..<7 where short[lane].bitPattern != general[lane].bitPattern { mismatches += 1 }
            #expect(general[7] == -.infinity)
            shortPathVectors += 1
        }
        #expect(mismatches == 0, "\(mismatches) of \(7 * shortPathVectors) lanes differ between the two paths")
    }

    /// The array kernel checks blocks of 64 floats at once and runs a clean block through the short path. Each
    /// value that the short path must not take (and the extremes it must) is planted in a block of normals, in
    /// place and out of place; every result must have the bits of that value's own vector.
    @Test func logBlocksAgreeWithSingleVectors() {
        let planted: [Float] = [0, -0.0, .leastNonzeroMagnitude, Float.leastNormalMagnitude.nextDown, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, .infinity, -.infinity, .nan, -.nan, -1, -.leastNormalMagnitude]
        var generator = SeededGenerator(seed: 8)
        let normals = (0..<203).map { _ in Float(0.01 + 100 * generator.nextUnitDouble()) }
        for (index, value) in planted.enumerated() {
            var x = normals
            x[(37 * index) % 200] = value
            var y = [Float](repeating: 0, count: x.count), inPlace = x
            x.withUnsafeBufferPointer { xs in y.withUnsafeMutableBufferPointer { Kernels.log(xs.baseAddress!, $0.baseAddress!, count: xs.count) } }
            inPlace.withUnsafeMutableBufferPointer { Kernels.log($0.baseAddress!, $0.baseAddress!, count: $0.count) }
            for i in x.indices {
                let expected = Kernels.log(SIMD8(repeating: x[i]))[0].bitPattern
                #expect(y[i].bitPattern == expected && inPlace[i].bitPattern == expected, "ln \(x[i]) at \(i): \(y[i]), \(inPlace[i])")
            }
        }
    }

    @Test func logSpecialValues() {
        let y = Kernels.log(SIMD8<Float>(0, -0.0, -1, .infinity, -.infinity, .nan, 1, .leastNonzeroMagnitude))
        #expect(y[0] == -.infinity && y[1] == -.infinity)
        #expect(y[2].isNaN && y[4].isNaN && y[5].isNaN)
        #expect(y[3] == .infinity)
        #expect(y[6] == 0)
        #expect(abs(y[7] - -103.27893) < 1e-4)
    }

    @Test func tanhIsWithinTwoAndThreeQuartersUlp() {
        var inputs = Self.samples(count: 1 << 19, seed: 5, signed: true)
        var generator = SeededGenerator(seed: 6)
        inputs += (0..<(1 << 19)).map { _ in Float(-10 + 20 * generator.nextUnitDouble()) }  // the curved part
        // n = 0 ends at (ln 2)/4 ≈ 0.1733; the worst case over all floats is 2.61 ulp at 0.062433135.
        inputs += [0.17328679, -0.1732868, 0.062433135, 0.015607324, 9, -9, 10, 10.000001, 1e-30,
                   .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let worst = Self.worstUlp(inputs, kernel: Kernels.tanh, reference: Foundation.tanh)
        #expect(worst.ulp <= 2.75, "worst \(worst.ulp) ulp at \(worst.at)")
    }

    @Test func tanhSpecialValues() {
        let y = Kernels.tanh(SIMD8<Float>(0, -0.0, .infinity, -.infinity, .nan, 100, -100, 1))
        #expect(y[0] == 0 && y[0].sign == .plus)
        #expect(y[1] == 0 && y[1].sign == .minus)
        #expect(y[2] == 1 && y[3] == -1 && y[5] == 1 && y[6] == -1)
        #expect(y[4].isNaN)
        #expect(abs(y[7] - 0.7615942) < 1e-7)
    }

    /// The scalar tail of the array kernels goes through the same polynomial as the vector body, so a value's
    /// result does not depend on where it sits in the array.
    @Test func tailsMatchTheVectorBody() {
        let x: [Float] = (0..<11).map { Float($0) * 0.37 - 1.5 }
        for kernel in [Kernels.log, Kernels.tanh, Kernels.exp, Kernels.sigmoid] as [(UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void] {
            var whole = [Float](repeating: 0, count: 11), shifted = [Float](repeating: 0, count: 11)
            x.withUnsafeBufferPointer { xs in
                whole.withUnsafeMutableBufferPointer { kernel(xs.baseAddress!, $0.baseAddress!, 11) }
                shifted.withUnsafeMutableBufferPointer { kernel(xs.baseAddress! + 3, $0.baseAddress! + 3, 8); kernel(xs.baseAddress!, $0.baseAddress!, 3) }
            }
            #expect(whole.map(\.bitPattern) == shifted.map(\.bitPattern))
        }
    }

    /// The AVX-512 array forms (16 lanes, built for x86-64-v4) give the bits of the `SIMD8` forms, in the body, in
    /// blocks of `log` that hold zeros, negatives and subnormals, and in a tail shorter than a vector. Runs only on a
    /// CPU with AVX-512; elsewhere the `SIMD8` forms are the only ones used.
    @Test(.enabled(if: Kernels.avx512)) func avx512FormsGiveTheBitsOfTheEightLaneForms() {
        typealias ArrayKernel = (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
        var inputs = Self.samples(count: 1 << 18, seed: 7, signed: true)
        var generator = SeededGenerator(seed: 8)
        inputs += (0..<(1 << 18)).map { _ in Float(-12 + 24 * generator.nextUnitDouble()) }
        inputs += [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, 1, -1, 0.5, 100, -100, 1e-30, 3]  // 13: a tail
        let positive = inputs.enumerated().map { $0.offset % 97 == 0 ? $0.element : abs($0.element) }
        let pairs: [(String, [Float], ArrayKernel, ArrayKernel)] = [
            ("exp", inputs, AVX512Kernels.exp, { VectorMath.exp($0, $1, count: $2, lanes: SIMD8<Float>.self) }),
            ("log", positive, AVX512Kernels.log, { VectorMath.log($0, $1, count: $2, lanes: SIMD8<Float>.self) }),
            ("tanh", inputs, AVX512Kernels.tanh, { VectorMath.tanh($0, $1, count: $2, lanes: SIMD8<Float>.self) }),
            ("sigmoid", inputs, AVX512Kernels.sigmoid, { VectorMath.sigmoid($0, $1, count: $2, lanes: SIMD8<Float>.self) }),
        ]
        for (name, x, wide, narrow) in pairs {
            var y16 = [Float](repeating: 0, count: x.count), y8 = y16
            x.withUnsafeBufferPointer { x in
                y16.withUnsafeMutableBufferPointer { wide(x.baseAddress!, $0.baseAddress!, x.count) }
                y8.withUnsafeMutableBufferPointer { narrow(x.baseAddress!, $0.baseAddress!, x.count) }
            }
            let differing = zip(y16, y8).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(name): \(differing) of \(x.count) results differ")
        }
    }
}
