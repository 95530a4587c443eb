// Dropout in training: inverted dropout, as Keras does it.
//
// Shapes: `N` batch rows of `D` values.
//
// Mask of batch row r at training step t (the optimizer's iteration, 1-based)
// in layer l: a `SeededGenerator` seeded with a SplitMix64 hash of (fit seed,
// t, l, r) draws one `nextUnit()` u per value in order; the value is kept
// when u ≥ rate. The mask holds `scale = Float(1 / (1 − rate))` (computed in
// Double) for kept values and +0 for dropped ones:
//   a  = x · mask          dx = dz · mask
// So the mask depends on the seed, step, layer and row only: not on the
// thread count or on how rows are split, and a resumed fit (whose step
// counter continues) draws what an uninterrupted one would.

enum Dropout {
    /// The generator of batch row `row` at step `step` of dropout layer `layer`.
    static func generator(seed: UInt64, step: Int, layer: Int, row: Int) -> SeededGenerator {
        var hash = SplitMix64(state: seed ^ 0x6A09_E667_F3BC_C909)
        for value in [UInt64(truncatingIfNeeded: step), UInt64(truncatingIfNeeded: layer), UInt64(truncatingIfNeeded: row)] {
            hash = SplitMix64(state: hash.next() ^ value)
        }
        return SeededGenerator(seed: hash.next())
    }

    /// `Float(1 / (1 − rate))`.
    static func scale(_ rate: Double) -> Float { Float(1 / (1 - rate)) }

    /// Writes row `row`'s mask (`count` values) and applies it: `a = x · mask`.
    static func forward(
        _ x: UnsafePointer<Float>, count: Int, rate: Double, seed: UInt64, step: Int, layer: Int, row: Int,
        mask: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>
    ) {
        var generator = generator(seed: seed, step: step, layer: layer, row: row)
        let keep = scale(rate)
        for i in 0..<count {
            mask[i] = generator.nextUnit() >= rate ? keep : 0
            a[i] = x[i] * mask[i]
        }
    }

    /// `dx = dz · mask` over `count` values.
    static func backward(
        _ dz: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count { dx[i] = dz[i] * mask[i] }
    }
}
