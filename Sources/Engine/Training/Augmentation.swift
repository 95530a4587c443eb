// Data augmentation as Keras's preprocessing layers do it (RandomTranslation,
// RandomRotation, RandomZoom, RandomShear, RandomElasticTransform), applied
// on the fly to each training batch's images (never to validation,
// evaluation or prediction), in one bilinear resampling per image.
//
// Shapes: one image H×W×C (NHWC); centre (cy, cx) = ((H − 1)/2, (W − 1)/2).
//
// The defined arithmetic, per image of batch row r at training step t (the
// optimizer's 1-based iteration): a `SeededGenerator` seeded with a
// SplitMix64 hash of (fit seed, t, r) draws, in this order, with u = nextUnit():
//   ty = (2u − 1)·translation·H,  tx = (2u − 1)·translation·W    (pixels)
//   θ  = (2u − 1)·rotation·2π                                     (radians)
//   z  = 1 + (2u − 1)·zoom                 (height scale, > 1 zooms out)
//   zw = 1 + (2u − 1)·widthZoom            (width scale; drawn even when
//        widthZoom is nil, which keeps the aspect: w = 1, else w = zw / z)
//   hx = (2u − 1)·shearX,  hy = (2u − 1)·shearY                   (shear)
//   s  = u·elastic                          (elastic strength)
//   and the field seed = next()            (the elastic field's own generator)
// and output pixel (y, x) reads the input at, in Double,
//   px = x + δx(y, x) − cx,  py = y + δy(y, x) − cy   (δ = 0 when s = 0)
//   ex = w·(px + hx·py),     ey = hy·px + py
//   sx = cx + z·(cos θ·ex − sin θ·ey) − tx
//   sy = cy + z·(sin θ·ex + cos θ·ey) − ty
// (w = 1, hx = hy = 0 and δ = 0 give back exactly the shift-rotate-zoom of
// before: multiplying by 1 and adding ±0 are exact.)
// bilinearly: x0 = ⌊sx⌋, y0 = ⌊sy⌋, fx = Float(sx − x0), fy = Float(sy − y0),
//   out = (1 − fy)·((1 − fx)·v00 + fx·v01) + fy·((1 − fx)·v10 + fx·v11)
// in Float, left to right, with v = 0 outside the image (Keras's
// `fill_mode="constant"`, `fill_value=0`: MNIST's background; Keras's default
// `reflect` would mirror strokes into the margins). sin and cos are this
// file's own Taylor series in Double (plain IEEE operations, so the same
// bits on every CPU). The image depends only on (seed, t, r): not on the
// thread count or on how rows are split.
//
// The shear is Keras's RandomShear matrix [[1, hx], [hy, 1]] taken about
// the centre (Keras's fixes the top-left corner, so that its shear also
// shifts the digit by up to hx·cx; shift= already does that).
//
// The elastic field (only when s > 0) is Keras's RandomElasticTransform
// with its `scale` = s: α = 0.1·s·max(H, W), σ = 0.05·s·min(H, W), a
// Gaussian kernel of size k = Int(6σ) | 1 (odd), h = k / 2,
//   g[j] = e^(−½((j − h)/σ)²) / Σ_j' e^(−½((j' − h)/σ)²)   (Double, j ascending; then Float)
// with e^a = 1 / e^(−a) from this file's own series. The field's generator
// (seeded with the field seed) draws H·W noise values for x, then H·W for y,
// row-major, n = Float((2u − 1)·√3) (uniform with unit variance where Keras
// draws a standard normal: no logarithm needed, and the smoothing makes it
// near-normal anyway). Each noise image is smoothed in Float, rows first:
//   r[y, x] = Σ_j g[j]·n[y, x + j − h],  b[y, x] = Σ_j g[j]·r[y + j − h, x]
// (j ascending, 0 outside: Keras's "SAME" zero padding), and
//   δ = Float(α·σ)·b
// (Keras scales the noise by σ before smoothing and the field by α after).
// Keras draws s once per batch and applies the field to each image with a
// probability drawn from [0, factor]; here every image has its own s. Keras's
// JAX and TensorFlow backends draw δx and δy from the same stateless seed, so
// their fields move pixels along the diagonal only; here the two are
// independent, as in its NumPy and PyTorch backends and in Simard et al. (2003).

/// Random shifts, rotations, zoom, shear and elastic distortion of training
/// images, redrawn for every image of every batch (Keras's
/// `RandomTranslation(translation, translation)`, `RandomRotation(rotation)`,
/// `RandomZoom(zoom, widthZoom)`, `RandomShear(shearX, shearY)` and
/// `RandomElasticTransform(scale=elastic)` with `fill_mode="constant"`).
public struct Augmentation: Equatable, Sendable {
    /// Largest shift as a fraction of the height (vertical) and width
    /// (horizontal), in [0, 1). Default 0.1 (±2.8 pixels on MNIST).
    public var translation: Double
    /// Largest rotation as a fraction of a full turn, in [0, 0.5]. Default
    /// 0.05 (±18°).
    public var rotation: Double
    /// Largest zoom: the scale is drawn from [1 − zoom, 1 + zoom], in [0, 1).
    /// Default 0.1. The height's scale when `widthZoom` is set.
    public var zoom: Double
    /// Largest zoom of the width, drawn independently of the height's (Keras's
    /// `width_factor`), in [0, 1); nil (the default) keeps the aspect.
    public var widthZoom: Double?
    /// Largest horizontal shear (slant): x moves by up to shearX·(y − cy),
    /// in [0, 1]. Default 0.
    public var shearX: Double
    /// Largest vertical shear: y moves by up to shearY·(x − cx), in [0, 1]. Default 0.
    public var shearY: Double
    /// Largest elastic strength (Keras's `scale`), in [0, 1]: each image's is
    /// drawn from [0, elastic]. Default 0 (none).
    public var elastic: Double

    public init(
        translation: Double = 0.1, rotation: Double = 0.05, zoom: Double = 0.1, widthZoom: Double? = nil,
        shearX: Double = 0, shearY: Double = 0, elastic: Double = 0
    ) {
        self.translation = translation
        self.rotation = rotation
        self.zoom = zoom
        self.widthZoom = widthZoom
        self.shearX = shearX
        self.shearY = shearY
        self.elastic = elastic
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
        if let widthZoom, !(widthZoom >= 0 && widthZoom < 1) {
            throw .invalidArgument("the width zoom factor must be in [0, 1). Received: widthZoom=\(widthZoom)")
        }
        for (name, value) in [("shearX", shearX), ("shearY", shearY), ("elastic", elastic)]
        where !(value >= 0 && value <= 1) {
            throw .invalidArgument("the \(name) factor must be in [0, 1]. Received: \(name)=\(value)")
        }
    }

    /// One image's transform: shift (pixels), angle (radians), scale (the
    /// height's), aspect (the width's scale over the height's), shear, and
    /// elastic strength with its field's seed.
    struct Transform: Equatable {
        var ty: Double, tx: Double, angle: Double, scale: Double
        var aspect: Double = 1, shearX: Double = 0, shearY: Double = 0
        var elastic: Double = 0, fieldSeed: UInt64 = 0
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
        let widthScale = 1 + (2 * generator.nextUnit() - 1) * (widthZoom ?? 0)
        let shearX = (2 * generator.nextUnit() - 1) * self.shearX
        let shearY = (2 * generator.nextUnit() - 1) * self.shearY
        let elastic = generator.nextUnit() * self.elastic
        let fieldSeed = generator.next()
        return Transform(
            ty: ty, tx: tx, angle: angle, scale: scale, aspect: widthZoom == nil ? 1 : widthScale / scale,
            shearX: shearX, shearY: shearY, elastic: elastic, fieldSeed: fieldSeed)
    }

    /// Writes `image` (H×W×C) resampled through `transform` to `output`
    /// (see the file header).
    static func warp(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, transform: Transform,
        into output: UnsafeMutablePointer<Float>
    ) {
        guard transform.elastic > 0 else {
            resample(image, height: height, width: width, channels: channels, transform: transform, field: nil, into: output)
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * height * width) { scratch in
            guard let field = scratch.baseAddress else { return }
            elasticField(height: height, width: width, strength: transform.elastic, seed: transform.fieldSeed, into: field)
            resample(image, height: height, width: width, channels: channels, transform: transform, field: field, into: output)
        }
    }

    /// The resampling of the header; `field` holds δx then δy (H·W each), or nil for δ = 0.
    private static func resample(
        _ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int, transform: Transform,
        field: UnsafePointer<Float>?, into output: UnsafeMutablePointer<Float>
    ) {
        let (sin, cos) = sinCos(transform.angle)
        let cy = Double(height - 1) / 2
        let cx = Double(width - 1) / 2
        let z = transform.scale
        let (w, hx, hy) = (transform.aspect, transform.shearX, transform.shearY)
        let area = height * width
        var out = output
        for y in 0..<height {
            for x in 0..<width {
                var px = Double(x) - cx
                var py = Double(y) - cy
                if let field {
                    px = Double(x) + Double(field[y * width + x]) - cx
                    py = Double(y) + Double(field[area + y * width + x]) - cy
                }
                let ex = w * (px + hx * py)
                let ey = hy * px + py
                let sx = cx + z * (cos * ex - sin * ey) - transform.tx
                let sy = cy + z * (sin * ex + cos * ey) - transform.ty
                // Far outside (⌊s⌋ < −1 or ≥ the size, or NaN): all four
                // neighbours are fill (also keeps Int() in range).
                guard sx >= -1, sy >= -1, sx < Double(width), sy < Double(height) else {
                    out.update(repeating: 0, count: channels)
                    out += channels
                    continue
                }
                // ⌊s⌋ exactly, without a call to floor: Int() truncates towards 0.
                var (ix, iy) = (Int(sx), Int(sy))
                if Double(ix) > sx { ix -= 1 }
                if Double(iy) > sy { iy -= 1 }
                let fx = Float(sx - Double(ix))
                let fy = Float(sy - Double(iy))
                if ix >= 0, iy >= 0, ix + 1 < width, iy + 1 < height {
                    // All four neighbours inside (most pixels): the same sums without the checks.
                    let row0 = image + (iy * width + ix) * channels
                    let row1 = row0 + width * channels
                    for c in 0..<channels {
                        let top = (1 - fx) * row0[c] + fx * row0[channels + c]
                        let bottom = (1 - fx) * row1[c] + fx * row1[channels + c]
                        out[c] = (1 - fy) * top + fy * bottom
                    }
                    out += channels
                    continue
                }
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

    /// The smoothing kernel of an elastic field of strength `strength` (the
    /// header's g, in Float; odd length).
    static func elasticKernel(strength: Double, height: Int, width: Int) -> (alpha: Double, sigma: Double, kernel: [Float]) {
        let alpha = 0.1 * strength * Double(max(height, width))
        let sigma = 0.05 * strength * Double(min(height, width))
        let size = Int(6 * sigma) | 1
        let half = size / 2
        var weights = [Double](repeating: 0, count: size)
        var sum = 0.0
        for j in 0..<size {
            let d = Double(j - half) / sigma
            weights[j] = 1 / exponential(0.5 * d * d)
            sum += weights[j]
        }
        return (alpha, sigma, weights.map { Float($0 / sum) })
    }

    /// Writes the elastic displacement δx (H·W) then δy (H·W) to `field`,
    /// which has room for 3·H·W values (the last H·W are scratch).
    static func elasticField(
        height: Int, width: Int, strength: Double, seed: UInt64, into field: UnsafeMutablePointer<Float>
    ) {
        let (alpha, sigma, kernel) = elasticKernel(strength: strength, height: height, width: width)
        let area = height * width
        var generator = SeededGenerator(seed: seed)
        let root3 = 3.0.squareRoot()
        for i in 0..<(2 * area) {
            field[i] = Float((2 * generator.nextUnit() - 1) * root3)
        }
        let gain = Float(alpha * sigma)
        let half = kernel.count / 2
        let rows = field + 2 * area
        // The taps that fall outside (zero padding) are skipped: adding their
        // +0 products would not change a bit.
        kernel.withUnsafeBufferPointer { g in
            guard let g = g.baseAddress else { return }
            for axis in 0..<2 {
                let noise = field + axis * area
                for y in 0..<height {
                    let line = noise + y * width
                    for x in 0..<width {
                        var sum: Float = 0
                        for j in max(0, half - x)..<min(kernel.count, width + half - x) {
                            sum += g[j] * line[x + j - half]
                        }
                        rows[y * width + x] = sum
                    }
                }
                for y in 0..<height {
                    let taps = max(0, half - y)..<min(kernel.count, height + half - y)
                    for x in 0..<width {
                        var sum: Float = 0
                        for j in taps {
                            sum += g[j] * rows[(y + j - half) * width + x]
                        }
                        noise[y * width + x] = gain * sum
                    }
                }
            }
        }
    }

    /// e^a for a ≥ 0 by its Taylor series (plain Double operations in a fixed
    /// order, terms until they stop changing the sum; relative error below
    /// 1e-15 for the a ≤ 5 the kernels need).
    static func exponential(_ a: Double) -> Double {
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while n < 200 {
            term = term * a / n
            let next = sum + term
            if next == sum { break }
            sum = next
            n += 1
        }
        return sum
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
