import Foundation
import NNCore

/// What one core delivers at the moment of a run, in two loops that touch no memory beyond L1:
///
/// - `fmaLoop`: twelve independent chains of fused multiply-adds (the arithmetic peak);
/// - `tileLoop`: GEMM's register-tile loop itself (`GEMM.multiplyBlock`, in the form the GEMM runs: the
///   x86-64-v4 one on a CPU with AVX-512), one 6 × 16 tile of `C` over packed panels of `A` and `B` resident in L1.
///
/// On a quiet core the two agree closely. When other work loads the shared core, the tile loop, which issues loads
/// beside its multiply-adds, falls further behind than the FMA loop does; printed next to the GEMM ratios, the pair
/// says how much of a shortfall is the machine at the time of the run.
enum CoreCheck {
    /// Median GFLOPS of each loop over `rounds` alternating rounds of about 0.1 s each.
    static func measure(rounds: Int) -> (fmaLoop: Double, tileLoop: Double) {
        let a = [Float](repeating: 1e-3, count: GEMMTile.rows * GEMMTile.depth)
        let b = [Float](repeating: 1e-3, count: GEMMTile.columns * GEMMTile.depth)
        var fma: [Double] = [], tile: [Double] = []
        var sink: Float = 0
        for _ in 0..<rounds {
            var start = now()
            sink += fmaLoop(iterations: 2_000_000, seed: sink)
            fma.append(12 * 16 * 2_000_000 / (now() - start) / 1e9)
            start = now()
            sink += a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in tileLoop(passes: 8_000, a: a.baseAddress!, b: b.baseAddress!) }
            }
            tile.append(Double(2 * GEMMTile.rows * GEMMTile.columns * GEMMTile.depth) * 8_000 / (now() - start) / 1e9)
        }
        if sink.isNaN { print(sink) }  // keeps the loops' results alive
        return (middle(fma), middle(tile))
    }

    /// Twelve chains of `iterations` multiply-adds on eight lanes each.
    @inline(never)
    static func fmaLoop(iterations: Int, seed: Float) -> Float {
        var c0 = SIMD8<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3, c4 = c0 + 4, c5 = c0 + 5
        var c6 = c0 + 6, c7 = c0 + 7, c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
        let x = SIMD8<Float>(repeating: 1e-3), y = SIMD8<Float>(repeating: 1e-3)
        for _ in 0..<iterations {
            c0 = c0.addingProduct(x, y); c1 = c1.addingProduct(x, y); c2 = c2.addingProduct(x, y)
            c3 = c3.addingProduct(x, y); c4 = c4.addingProduct(x, y); c5 = c5.addingProduct(x, y)
            c6 = c6.addingProduct(x, y); c7 = c7.addingProduct(x, y); c8 = c8.addingProduct(x, y)
            c9 = c9.addingProduct(x, y); c10 = c10.addingProduct(x, y); c11 = c11.addingProduct(x, y)
        }
        return (c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11).sum()
    }

    /// The shape of the register tile the loop computes.
    enum GEMMTile {
        static let rows = 6, columns = 16, depth = 256
    }

    /// `passes` products of a packed `6 × 256` panel of `A` and a packed `256 × 16` panel of `B` into one tile.
    @inline(never)
    static func tileLoop(passes: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>) -> Float {
        var c = [Float](repeating: 0, count: GEMMTile.rows * GEMMTile.columns)
        c.withUnsafeMutableBufferPointer { c in
            for _ in 0..<passes {
                GEMM.multiplyBlock(rows: GEMMTile.rows, width: GEMMTile.columns, depth: GEMMTile.depth, a: a, lda: GEMMTile.depth,
                                   aInPlace: false, b: b, c: c.baseAddress!, ldc: GEMMTile.columns, load: true, epilogue: .none,
                                   columnOffset: 0)
            }
        }
        return c.reduce(0, +)
    }
}
