// MaxPooling2D forward and backward on flat NHWC buffers.
//
// Shapes (per example): x H×W×C, a OH×OW×C with OH = ⌊H/S⌋, OW = ⌊W/S⌋
// (S the pool size and stride; `valid`: the last H mod S rows and W mod S
// columns are never read).
//
// The defined order: a[oy,ox,c] is the first maximum of the window, read
// (py, px) ascending, compared with `>` (so a NaN wins only in first place);
// `argmax` keeps its flat input index. Backward: dx = +0 everywhere, then
// dx[argmax[j]] = dz[j] (windows do not overlap, so no sums).

/// A MaxPooling2D layer's geometry.
struct PoolingPlan: Equatable, Sendable {
    var inHeight: Int, inWidth: Int, channels: Int
    var outHeight: Int, outWidth: Int
    /// Pool size and stride.
    var size: Int

    var inputSize: Int { inHeight * inWidth * channels }
    var outputSize: Int { outHeight * outWidth * channels }
}

enum MaxPooling {
    /// One example: `a` (OH×OW×C) and the input index of each maximum.
    /// Eight channels at a time where it can (the same comparisons per
    /// channel, in the same order, as the scalar loop).
    static func forward(
        _ x: UnsafePointer<Float>, _ plan: PoolingPlan, output a: UnsafeMutablePointer<Float>,
        argmax: UnsafeMutablePointer<Int32>
    ) {
        let (c, s, w) = (plan.channels, plan.size, plan.inWidth)
        let vectorChannels = c - c % 8
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        for oy in 0..<plan.outHeight {
            for ox in 0..<plan.outWidth {
                let out = (oy * plan.outWidth + ox) * c
                let first = (oy * s * w + ox * s) * c
                var ch = 0
                while ch < vectorChannels {
                    var best = UnsafeRawPointer(x + first + ch).loadUnaligned(as: SIMD8<Float>.self)
                    var index = SIMD8<Int32>(repeating: Int32(first + ch)) &+ lanes
                    for py in 0..<s {
                        for px in 0..<s where py > 0 || px > 0 {
                            let at = ((oy * s + py) * w + ox * s + px) * c + ch
                            let v = UnsafeRawPointer(x + at).loadUnaligned(as: SIMD8<Float>.self)
                            let larger = v .> best
                            best.replace(with: v, where: larger)
                            index.replace(with: SIMD8<Int32>(repeating: Int32(at)) &+ lanes, where: larger)
                        }
                    }
                    UnsafeMutableRawPointer(a + out + ch).storeBytes(of: best, as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(argmax + out + ch).storeBytes(of: index, as: SIMD8<Int32>.self)
                    ch += 8
                }
                for ch in vectorChannels..<c {
                    a[out + ch] = x[first + ch]
                    argmax[out + ch] = Int32(truncatingIfNeeded: first + ch)
                }
                guard vectorChannels < c else { continue }
                for py in 0..<s {
                    for px in 0..<s where py > 0 || px > 0 {
                        let index = ((oy * s + py) * w + ox * s + px) * c
                        for ch in vectorChannels..<c where x[index + ch] > a[out + ch] {
                            a[out + ch] = x[index + ch]
                            argmax[out + ch] = Int32(truncatingIfNeeded: index + ch)
                        }
                    }
                }
            }
        }
    }

    /// One example: `dx` (H×W×C) from `dz` (OH×OW×C) and the forward's `argmax`.
    static func backward(
        _ dz: UnsafePointer<Float>, _ plan: PoolingPlan, argmax: UnsafePointer<Int32>,
        into dx: UnsafeMutablePointer<Float>
    ) {
        dx.update(repeating: 0, count: plan.inputSize)
        for j in 0..<plan.outputSize { dx[Int(argmax[j])] = dz[j] }
    }
}
