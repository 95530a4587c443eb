/// A person's picture of a digit, prepared the way MNIST's digits were.
///
/// MNIST's digits are light ink on black, the digit scaled so its longer
/// side is 20 pixels (aspect ratio kept, anti-aliased), then placed in a
/// 28x28 field so that its centre of mass is at (14, 14). A model trained
/// on MNIST reads a person's own picture well only when it is prepared the
/// same way, so ``init(decoding:name:)`` does, in order:
///
/// 1. Decode PNG, JPEG, BMP or GIF with stb_image, or PGM/PPM (binary or
///    ASCII, 8 or 16 bits) in Swift, as grey + alpha (sizes are checked from
///    the header first: at most ``maximumSide`` pixels a side and
///    ``maximumPixels`` in all), and composite over white, so dark ink on a
///    transparent background stays dark.
/// 2. Pictures over 2048 pixels a side are first shrunk by an integer
///    factor (block means) to at most about 1024.
/// 3. Polarity: the background is the median of the border pixels (a ring
///    1/32 of the shorter side deep); when it is light, the picture is dark
///    ink on light paper and is inverted (``inverted``).
/// 4. Contrast: with `bg` that median, `σ` the border's noise (1.4826 × its
///    median absolute deviation) and `c = max - bg`, values are stretched
///    from `bg + max(0.2·c, 4σ)` (→ 0) to `bg + 0.9·c` (→ 1); a picture with
///    `c < 0.1` or `c < 8σ` has no ink. A picture with transparency whose ink
///    vanishes over white (light ink) is tried over black instead.
/// 5. Specks: 8-connected marks whose core (values ≥ 0.5) is under 5% of the
///    largest mark's are erased.
/// 6. Crop to the ink's bounding box (``inkBox``).
/// 7. Stroke weight: the stroke width `w` is estimated as 2·area/perimeter
///    (``strokeWidth``). When `w` scaled to the 20-pixel box is thinner than
///    ``targetStrokeWidth`` (thin pen on a big canvas), the ink is dilated
///    by a Euclidean radius `r = (T·L/20 − w) / (2·(1 − T/20))` (``thickening``;
///    `L` the box's longer side, `T` the target) so that after scaling the
///    stroke is `T` pixels wide.
/// 8. Scale the longer side to 20 pixels keeping the aspect ratio: area
///    averaging when shrinking (thin strokes fade rather than vanish),
///    bilinear when enlarging; then scale so the brightest pixel is 255.
/// 9. Place in 28x28 with the centre of mass at (14, 14), shifting by whole
///    pixels (the digit is kept inside the field).
public struct DigitPicture: Sendable, Equatable {
    /// The prepared input: ``side`` × ``side`` pixels, row-major from the
    /// top-left, 0 background … 255 ink (MNIST's convention).
    public var pixels: [UInt8]
    /// The picture's width and height in pixels, as decoded.
    public var width: Int
    public var height: Int
    /// The decoded format: `PNG`, `JPEG`, `BMP`, `GIF`, `PNM`, or `pixels`
    /// for ``init(grey:alpha:width:height:name:)``.
    public var format: String
    /// True when the picture was dark ink on light paper and was inverted.
    public var inverted: Bool
    /// The ink's bounding box in the picture's pixels (specks ignored).
    public var inkBox: Box
    /// Estimated stroke width, in the picture's pixels.
    public var strokeWidth: Double
    /// Radius, in the picture's pixels, by which thin strokes were thickened (0 when not).
    public var thickening: Double
    /// The centre of mass of ``pixels``, in 28x28 pixel coordinates (about (14, 14)).
    public var centreOfMass: Point
    /// The picture as it looks (composited over white), shrunk by area
    /// averaging to at most ``previewSide`` pixels a side, for plots.
    public var preview: Preview

    /// Side of the prepared square: 28.
    public static let side = 28
    /// Longer side of the digit inside it: 20.
    public static let boxSide = 20
    /// Pictures wider or taller than this are refused before decoding.
    public static let maximumSide = 10_000
    /// Pictures with more pixels than this are refused before decoding.
    public static let maximumPixels = 40_000_000
    /// MNIST-like stroke width in pixels at the 20-pixel scale; thinner
    /// strokes are thickened to it (MNIST's pen is about 2–3 pixels).
    public static let targetStrokeWidth = 2.4
    /// Longer side of ``preview``.
    public static let previewSide = 160
    /// File name extensions `predict DIR` should treat as pictures.
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "gif", "pgm", "ppm", "pnm"]

    /// A rectangle: columns `x..<x+width`, rows `y..<y+height`.
    public struct Box: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    /// A position in pixels, x to the right and y down.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
    }

    /// A small grey picture: `width × height` brightness values, row-major,
    /// 0 black … 255 white.
    public struct Preview: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var brightness: [UInt8]
    }

    /// Decodes `bytes` (PNG, JPEG, BMP, GIF, PGM/PPM) and prepares the digit
    /// (recipe above). `name` is used in errors only (say, the file path).
    public init(decoding bytes: [UInt8], name: String) throws(DigitPictureError) {
        let decoded = try DigitPicture.decodePixels(bytes, name: name)
        try self.init(
            grey: decoded.grey, alpha: decoded.alpha, width: decoded.width, height: decoded.height, name: name,
            format: decoded.format)
    }

    /// Prepares the digit in already decoded pixels (recipe above, from step 1's compositing).
    ///
    /// - Parameters:
    ///   - grey: `width × height` brightness values, row-major, 0 black … 255 white.
    ///   - alpha: opacity per pixel (0 transparent … 255 opaque), or `nil` for opaque.
    /// - Precondition: `width > 0`, `height > 0`, and both arrays hold `width × height` values.
    public init(grey: [UInt8], alpha: [UInt8]? = nil, width: Int, height: Int, name: String) throws(DigitPictureError) {
        try self.init(grey: grey, alpha: alpha, width: width, height: height, name: name, format: "pixels")
    }

    private init(
        grey: [UInt8], alpha: [UInt8]?, width: Int, height: Int, name: String, format: String
    ) throws(DigitPictureError) {
        precondition(width > 0 && height > 0 && grey.count == width * height, "grey must hold width x height pixels")
        precondition(alpha.map { $0.count == grey.count } ?? true, "alpha must hold width x height pixels")
        guard width <= DigitPicture.maximumSide, height <= DigitPicture.maximumSide,
            width * height <= DigitPicture.maximumPixels
        else { throw .tooLarge(file: name, width: width, height: height) }

        // 1. Composite over white (and, for light ink on transparency, over black).
        let overWhite = DigitPicture.composite(grey: grey, alpha: alpha, over: 255, width: width, height: height)
        self.width = width
        self.height = height
        self.format = format
        self.preview = DigitPicture.makePreview(overWhite)

        // 2. Shrink huge pictures by a whole factor.
        let longer = max(width, height)
        let factor = longer > 2048 ? (longer + 1023) / 1024 : 1

        // 3–5. Polarity, contrast, specks.
        var found = DigitPicture.extractInk(overWhite.reduced(by: factor))
        if found == nil, let alpha, alpha.contains(where: { $0 < 128 }) {
            let overBlack = DigitPicture.composite(grey: grey, alpha: alpha, over: 0, width: width, height: height)
            found = DigitPicture.extractInk(overBlack.reduced(by: factor))
        }
        guard let (ink, inverted) = found, let box = ink.boundingBox() else { throw .noInk(file: name) }
        self.inverted = inverted
        self.inkBox = Box(
            x: box.x * factor, y: box.y * factor,
            width: min(box.width * factor, width - box.x * factor),
            height: min(box.height * factor, height - box.y * factor))

        // 6–7. Crop; thicken thin strokes.
        var digit = ink.cropped(to: box)
        let stroke = digit.strokeWidth ?? 1
        let span = Double(max(box.width, box.height))
        let target = DigitPicture.targetStrokeWidth
        let scale = Double(DigitPicture.boxSide)
        var radius = (target * span / scale - stroke) / (2 * (1 - target / scale))
        if radius < 0.25 { radius = 0 }
        if radius > 0 {
            let margin = Int(radius.rounded(.up)) + 2
            var padded = ink.cropped(
                to: .init(
                    x: box.x - margin, y: box.y - margin, width: box.width + 2 * margin,
                    height: box.height + 2 * margin))
            padded.dilate(radius: radius)
            if let grown = padded.boundingBox(above: 0.02) { digit = padded.cropped(to: grown) }
        }
        self.strokeWidth = stroke * Double(factor)
        self.thickening = radius * Double(factor)

        // 8. Longer side to 20, aspect kept; brightest pixel full ink.
        let longest = Double(max(digit.width, digit.height))
        let newWidth = max(1, Int((Double(digit.width) * scale / longest).rounded()))
        let newHeight = max(1, Int((Double(digit.height) * scale / longest).rounded()))
        var small = digit.resized(width: newWidth, height: newHeight)
        if let peak = small.values.max(), peak > 0 {
            for index in small.values.indices { small.values[index] = min(small.values[index] / peak, 1) }
        }

        // 9. Centre of mass to (14, 14), by whole pixels, inside the field.
        let side = DigitPicture.side
        let centre = small.centreOfMass ?? (Double(newWidth - 1) / 2, Double(newHeight - 1) / 2)
        let half = Double(side / 2)
        let left = min(max(Int((half - centre.x).rounded()), 0), side - newWidth)
        let top = min(max(Int((half - centre.y).rounded()), 0), side - newHeight)
        var pixels = [UInt8](repeating: 0, count: side * side)
        for y in 0..<newHeight {
            for x in 0..<newWidth {
                pixels[(top + y) * side + left + x] = UInt8((small[x, y] * 255).rounded())
            }
        }
        self.pixels = pixels
        self.centreOfMass = Point(x: centre.x + Double(left), y: centre.y + Double(top))
    }

    /// Brightness in [0, 1] of `grey` seen over a `background` (0 or 255) through `alpha`:
    /// `(g·a + background·(255 − a)) / 255²`.
    static func composite(grey: [UInt8], alpha: [UInt8]?, over background: Int, width: Int, height: Int) -> InkImage {
        var values = [Float](repeating: 0, count: grey.count)
        if let alpha {
            for index in grey.indices {
                let a = Int(alpha[index])
                values[index] = Float(Int(grey[index]) * a + background * (255 - a)) / 65025
            }
        } else {
            for index in grey.indices { values[index] = Float(grey[index]) / 255 }
        }
        return InkImage(width: width, height: height, values: values)
    }

    /// Steps 3–5: the picture's ink in [0, 1] (0 background) and whether it
    /// was inverted, or `nil` when nothing stands out from the background.
    static func extractInk(_ brightness: InkImage) -> (ink: InkImage, inverted: Bool)? {
        let ringDepth = max(1, min(brightness.width, brightness.height) / 32)
        let inverted = InkImage.median(brightness.border(thickness: ringDepth)) > 0.5
        var ink = brightness
        if inverted {
            for index in ink.values.indices { ink.values[index] = 1 - ink.values[index] }
        }
        let ring = ink.border(thickness: ringDepth)
        let background = InkImage.median(ring)
        let sigma = 1.4826 * InkImage.median(ring.map { abs($0 - background) })
        let contrast = (ink.values.max() ?? 0) - background
        guard contrast >= 0.1, contrast >= 8 * sigma else { return nil }
        let low = background + max(0.2 * contrast, 4 * sigma)
        let high = background + 0.9 * contrast
        guard high > low else { return nil }
        for index in ink.values.indices {
            ink.values[index] = min(max((ink.values[index] - low) / (high - low), 0), 1)
        }
        ink.removeSpecks(smallerThan: 0.05)
        return ink.values.contains(where: { $0 > 0 }) ? (ink, inverted) : nil
    }

    /// The picture shrunk to at most ``previewSide`` a side, as 8-bit brightness.
    static func makePreview(_ brightness: InkImage) -> Preview {
        let longer = max(brightness.width, brightness.height)
        var shown = brightness
        if longer > previewSide {
            let factor = Double(previewSide) / Double(longer)
            shown = brightness.resized(
                width: max(1, Int((Double(brightness.width) * factor).rounded())),
                height: max(1, Int((Double(brightness.height) * factor).rounded())))
        }
        return Preview(
            width: shown.width, height: shown.height,
            brightness: shown.values.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }
}
