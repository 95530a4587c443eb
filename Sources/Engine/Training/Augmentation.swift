// Data augmentation as Keras's preprocessing layers do it (RandomTranslation,
// RandomRotation, RandomZoom), applied on the fly to each training batch's
// images (never to validation, evaluation or prediction), in one bilinear
// resampling per image.
//
// Shapes: one image H×W×C (NHWC); centre (cy, cx) = ((H − 1)/2, (W − 1)/2).
//
// The defined arithmetic, per image of batch row r at training step t (the
// optimizer's 1-based iteration): a `SeededGenerator` seeded with a
// SplitMix64 hash of (fit seed, t, r) draws, in this order, with u = nextUnit():
//   ty = (2u − 1)·translation·H,  tx = (2u − 1)·translation·W    (pixels)
//   θ  = (2u − 1)·rotation·2π                                     (radians)
//   z  = 1 + (2u − 1)·zoom                                        (> 1 zooms out)
// and output pixel (y, x) reads the input at, in Double,
//   sx = cx + z·(cos θ·(x − cx) − sin θ·(y − cy)) − tx
//   sy = cy + z·(sin θ·(x − cx) + cos θ·(y − cy)) − ty
// bilinearly: x0 = ⌊sx⌋, y0 = ⌊sy⌋, fx = Float(sx − x0), fy = Float(sy − y0),
//   out = (1 − fy)·((1 − fx)·v00 + fx·v01) + fy·((1 − fx)·v10 + fx·v11)
// in Float, left to right, with v = 0 outside the image (Keras's
// `fill_mode="constant"`, `fill_value=0`: MNIST's background; Keras's default
// `reflect` would mirror strokes into the margins). sin and cos are this
// file's own Taylor series in Double (plain IEEE operations, so the same
// bits on every CPU). The image depends only on (seed, t, r): not on the
// thread count or on how rows are split.

/// Random shifts, rotations and zoom of training images, redrawn for every
/// image of every batch (Keras's `RandomTranslation(translation, translation)`,
/// `RandomRotation(rotation)`, `RandomZoom(zoom)` with `fill_mode="constant"`).
public struct Augmentation: Equatable, Sendable {
    /// Largest shift as a fraction of the height (vertical) and width
    /// (horizontal), in [0, 1). Default 0.1 (±2.8 pixels on MNIST).
    public var translation: Double
    /// Largest rotation as a fraction of a full turn, in [0, 0.5]. Default
    /// 0.05 (±18°).
    public var rotation: Double
    /// Largest zoom: the scale is drawn from [1 − zoom, 1 + zoom], in [0, 1).
    /// Default 0.1.
    public var zoom: Double

    public init(translation: Double = 0.1, rotation: Double = 0.05, zoom: Double = 0.1) {
        self.translation = translation
        self.rotation = rotation
        self.zoom = zoom
    }

    /// Throws `invalidArgument` echoing a factor out of range.
    public func validate() throws(EngineError) {
        guard translation >= 0, translation < 1 else {
            throw .invalidArgument("the translation factor must be in [0, 1). Received: translation=\(translation)")
        }
        guard rotation >= 0, rotation <= 0.5 else {
            throw .invalidArgument("the rotation factor must be in [0, 0.5]. Received: rotation=\(rotation)")
        }
        guard zoom >= 0, zoom < 1 else {
            throw .invalidArgument("the zoom factor must be in [0, 1). Received: zoom=\(zoom)")
        }
    }

    /// One image's transform: shift (pixels), angle (radians), scale.
    struct Transform: Equatable {
        var ty: Double, tx: Double, angle: Double, scale: Double
    }

    /// The transform of batch row `row` at step `step` of a fit seeded `seed`.
    func transform(seed: UInt64, step: Int, row: Int, height: Int, width: Int) -> Transform {
        var hash = SplitMix64(state: seed ^ 0xBB67_AE85_84CA_A73B)
        for value in [UInt64(truncatingIfNeeded: step), UInt64(truncatingIfNeeded: row)] {
            hash = SplitMix64(state: hash.next() ^ value)
        }
        var generator = SeededGenerator(seed: hash.next())
        let ty = (2 * generator.nextUnit() - 1) * translation * Double(height)
        let tx = (2 * generator.nextUnit() - 1) * translation * Double(width)
        let angle = (2 * generator.nextUnit() - 1) * rotation * 2 * Double.pi
        let scale = 1 + (2 * generator.nextUnit() - 1) * zoom
        return Transform(ty: ty, tx: tx, angle: angle, scale: scale)
    }

    /// Writes `image` (H×W×C) resampled through `transform` to `output`
    /// (see the file header).
    static func warp(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, transform: Transform,
        into output: UnsafeMutablePointer<Float>
    ) {
        let (sin, cos) = sinCos(transform.angle)
        let cy = Double(height - 1) / 2
        let cx = Double(width - 1) / 2
        let z = transform.scale
        var out = output
        for y in 0..<height {
            let dy = Double(y) - cy
            for x in 0..<width {
                let dx = Double(x) - cx
                let sx = cx + z * (cos * dx - sin * dy) - transform.tx
                let sy = cy + z * (sin * dx + cos * dy) - transform.ty
                let x0 = sx.rounded(.down)
                let y0 = sy.rounded(.down)
                let fx = Float(sx - x0)
                let fy = Float(sy - y0)
                // Far outside: all four neighbours are fill (also keeps Int() in range).
                guard x0 > -2, y0 > -2, x0 < Double(width), y0 < Double(height) else {
                    out.update(repeating: 0, count: channels)
                    out += channels
                    continue
                }
                let (ix, iy) = (Int(x0), Int(y0))
                for c in 0..<channels {
                    func v(_ yy: Int, _ xx: Int) -> Float {
                        yy >= 0 && yy < height && xx >= 0 && xx < width ? image[(yy * width + xx) * channels + c] : 0
                    }
                    let top = (1 - fx) * v(iy, ix) + fx * v(iy, ix + 1)
                    let bottom = (1 - fx) * v(iy + 1, ix) + fx * v(iy + 1, ix + 1)
                    out[c] = (1 - fy) * top + fy * bottom
                }
                out += channels
            }
        }
    }

    /// sin θ and cos θ for |θ| ≤ π by their Taylor series (to θ³¹, plain
    /// Double operations in a fixed order; error below 1e-15).
    static func sinCos(_ theta: Double) -> (sin: Double, cos: Double) {
        let square = theta * theta
        var sinTerm = theta
        var cosTerm = 1.0
        var sin = theta
        var cos = 1.0
        for n in 1...15 {
            let k = Double(2 * n)
            cosTerm = -cosTerm * square / ((k - 1) * k)
            sinTerm = -sinTerm * square / (k * (k + 1))
            cos += cosTerm
            sin += sinTerm
        }
        return (sin, cos)
    }
}
