import Foundation
import Testing

@testable import Datasets

// MARK: - Drawing synthetic pictures

/// An anti-aliased pen on a canvas of ink coverage (0 paper … 1 ink).
struct Sketch {
    var width: Int
    var height: Int
    var ink: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        ink = [Float](repeating: 0, count: width * height)
    }

    /// A straight stroke from (x0, y0) to (x1, y1) with a round pen `pen` pixels wide.
    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, pen: Double) {
        let radius = pen / 2
        let dx = x1 - x0, dy = y1 - y0
        let length2 = max(dx * dx + dy * dy, 1e-12)
        let reach = radius + 1.5
        let xa = max(0, Int((min(x0, x1) - reach).rounded(.down)))
        let xb = min(width - 1, Int((max(x0, x1) + reach).rounded(.up)))
        let ya = max(0, Int((min(y0, y1) - reach).rounded(.down)))
        let yb = min(height - 1, Int((max(y0, y1) + reach).rounded(.up)))
        guard xa <= xb, ya <= yb else { return }
        for py in ya...yb {
            for px in xa...xb {
                let cx = Double(px) + 0.5, cy = Double(py) + 0.5
                let u = min(max(((cx - x0) * dx + (cy - y0) * dy) / length2, 0), 1)
                let d = ((cx - x0 - u * dx) * (cx - x0 - u * dx) + (cy - y0 - u * dy) * (cy - y0 - u * dy)).squareRoot()
                let cover = Float(min(max(radius + 0.5 - d, 0), 1))
                ink[py * width + px] = max(ink[py * width + px], cover)
            }
        }
    }

    /// A polyline through `points`.
    mutating func stroke(_ points: [(Double, Double)], pen: Double) {
        for (a, b) in zip(points, points.dropFirst()) { line(a.0, a.1, b.0, b.1, pen: pen) }
    }

    /// An ellipse centred at (cx, cy) with radii rx, ry.
    mutating func ellipse(_ cx: Double, _ cy: Double, _ rx: Double, _ ry: Double, pen: Double) {
        let points = (0...96).map { k -> (Double, Double) in
            let t = Double(k) / 96 * 2 * Double.pi
            return (cx + rx * cos(t), cy + ry * sin(t))
        }
        stroke(points, pen: pen)
    }

    /// A '7' in the box (x, y, size): bar on top, diagonal down to the left.
    mutating func seven(x: Double, y: Double, size: Double, pen: Double) {
        stroke([(x + 0.1 * size, y), (x + 0.7 * size, y), (x + 0.3 * size, y + size)], pen: pen)
    }

    /// Grey bytes: dark ink on white paper (`darkOnLight`) or light ink on black.
    func grey(darkOnLight: Bool = true) -> [UInt8] {
        ink.map { UInt8(((darkOnLight ? 1 - $0 : $0) * 255).rounded()) }
    }
}

// MARK: - Encoding test files

/// Big-endian bytes of a 32-bit value.
func bigEndian32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

/// CRC-32 (PNG's, polynomial 0xEDB88320), bit by bit.
func crc32Reference(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// A PNG chunk: length, type, data, CRC.
func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian32(UInt32(data.count)) + body + bigEndian32(crc32Reference(body))
}

/// An 8-bit PNG (colour type 0 grey, 4 grey+alpha, 6 RGBA) with stored
/// (uncompressed) deflate blocks, so tests need no zlib; with `bitDepth` 16,
/// `pixels` holds 2 bytes (big-endian) per sample.
func makePNG(width: Int, height: Int, colourType: UInt8, channels: Int, pixels: [UInt8], bitDepth: UInt8 = 8) -> [UInt8] {
    let rowSize = width * channels * Int(bitDepth) / 8
    var raw: [UInt8] = []
    for y in 0..<height {
        raw.append(0)
        raw += pixels[(y * rowSize)..<((y + 1) * rowSize)]
    }
    var deflate: [UInt8] = [0x78, 0x01]
    var offset = 0
    repeat {
        let count = min(65_535, raw.count - offset)
        let last: UInt8 = offset + count == raw.count ? 1 : 0
        deflate += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
        deflate += raw[offset..<offset + count]
        offset += count
    } while offset < raw.count
    var a: UInt32 = 1, b: UInt32 = 0
    for byte in raw {
        a = (a + UInt32(byte)) % 65_521
        b = (b + a) % 65_521
    }
    deflate += bigEndian32(b << 16 | a)
    let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [bitDepth, colourType, 0, 0, 0]
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", header) + pngChunk("IDAT", deflate)
        + pngChunk("IEND", [])
}

/// A binary PGM (P5).
func makePGM(width: Int, height: Int, grey: [UInt8]) -> [UInt8] {
    Array("P5\n\(width) \(height)\n255\n".utf8) + grey
}

/// A PGM (`channels` 1) or PPM (3) of `samples` (0...`maxval`): binary (P5,
/// P6; 2 bytes big-endian per sample when maxval > 255) or ASCII (P2, P3).
func makePNM(width: Int, height: Int, channels: Int = 1, maxval: Int, samples: [Int], ascii: Bool = false) -> [UInt8] {
    let magic = ascii ? (channels == 1 ? "P2" : "P3") : (channels == 1 ? "P5" : "P6")
    let header = Array("\(magic)\n# made by a test\n\(width) \(height)\n\(maxval)\n".utf8)
    if ascii {
        let rows = stride(from: 0, to: samples.count, by: width * channels).map { start in
            samples[start..<min(start + width * channels, samples.count)].map(String.init).joined(separator: " ")
        }
        return header + Array(rows.joined(separator: "\n").utf8) + [0x0A]
    }
    return header + samples.flatMap { maxval > 255 ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0)] }
}

/// A 24-bit BMP (bottom-up rows padded to 4 bytes).
func makeBMP(width: Int, height: Int, grey: [UInt8]) -> [UInt8] {
    func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }
    let stride = (width * 3 + 3) / 4 * 4
    var data: [UInt8] = []
    for y in (0..<height).reversed() {
        var row: [UInt8] = []
        for x in 0..<width { row += [grey[y * width + x], grey[y * width + x], grey[y * width + x]] }
        data += row + [UInt8](repeating: 0, count: stride - row.count)
    }
    let header: [UInt8] = Array("BM".utf8) + le32(54 + data.count) + le32(0) + le32(54)
    let info: [UInt8] =
        le32(40) + le32(width) + le32(height) + [1, 0, 24, 0] + le32(0) + le32(data.count)
        + le32(2835) + le32(2835) + le32(0) + le32(0)
    return header + info + data
}

// MARK: - Measuring prepared digits

extension DigitPicture {
    /// Pixels above zero.
    var inkCount: Int { pixels.filter { $0 > 0 }.count }
    /// Total ink in units of full pixels (Σ value / 255).
    var inkMass: Double { Double(pixels.reduce(0) { $0 + Int($1) }) / 255 }
    /// Bounding box of the non-zero pixels in the 28x28 field.
    var fieldBox: (width: Int, height: Int) {
        var minX = 28, maxX = -1, minY = 28, maxY = -1
        for y in 0..<28 {
            for x in 0..<28 where pixels[y * 28 + x] > 0 {
                minX = min(minX, x)
                maxX = max(maxX, x)
                minY = min(minY, y)
                maxY = max(maxY, y)
            }
        }
        return (maxX - minX + 1, maxY - minY + 1)
    }
    /// Centre of mass measured from the prepared pixels.
    var measuredCentre: (x: Double, y: Double) {
        var mass = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<28 {
            for x in 0..<28 {
                let v = Double(pixels[y * 28 + x])
                mass += v
                sx += v * Double(x)
                sy += v * Double(y)
            }
        }
        return (sx / mass, sy / mass)
    }
}

/// Largest per-pixel difference of two prepared digits.
func largestDifference(_ a: DigitPicture, _ b: DigitPicture) -> Int {
    zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

/// The hand-drawn fixtures: `Tests/Fixtures/digits/KIND/<digit>/*.png`.
func fixturePictures(_ kind: String) throws -> [(digit: Int, path: String)] {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/digits/\(kind)").path
    var found: [(Int, String)] = []
    for digit in 0..<10 {
        let folder = root + "/\(digit)"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name.hasSuffix(".png") {
            found.append((digit, folder + "/" + name))
        }
    }
    return found
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

// MARK: - Preprocessing

@Suite("DigitPicture preprocessing")
struct DigitPictureTests {
    @Test("a shifted digit is centred: the same digit anywhere gives the same input")
    func shiftedDigitIsCentred() throws {
        var topLeft = Sketch(width: 120, height: 100)
        topLeft.seven(x: 5, y: 5, size: 40, pen: 5)
        var bottomRight = Sketch(width: 120, height: 100)
        bottomRight.seven(x: 72, y: 55, size: 40, pen: 5)
        let a = try DigitPicture(grey: topLeft.grey(), width: 120, height: 100, name: "a.png")
        let b = try DigitPicture(grey: bottomRight.grey(), width: 120, height: 100, name: "b.png")
        let centre = a.measuredCentre
        #expect(abs(centre.x - 14) <= 1 && abs(centre.y - 14) <= 1, "centre of mass \(centre)")
        #expect(abs(a.centreOfMass.x - centre.x) < 0.01 && abs(a.centreOfMass.y - centre.y) < 0.01)
        #expect(largestDifference(a, b) <= 1)
        #expect(a.inkBox == DigitPicture.Box(x: 5, y: 5, width: 29, height: 45) || a.inkBox.width < 40)
    }

    @Test("dark ink on light paper is inverted to MNIST's light ink on black")
    func darkOnLightIsInverted() throws {
        var sketch = Sketch(width: 80, height: 80)
        sketch.seven(x: 20, y: 15, size: 50, pen: 5)
        let paper = try DigitPicture(grey: sketch.grey(darkOnLight: true), width: 80, height: 80, name: "paper.png")
        let screen = try DigitPicture(grey: sketch.grey(darkOnLight: false), width: 80, height: 80, name: "screen.png")
        #expect(paper.inverted)
        #expect(!screen.inverted)
        #expect(largestDifference(paper, screen) <= 1)
        // MNIST polarity: corners are background (0), the ring is ink.
        #expect(paper.pixels[0] == 0 && paper.pixels[27 * 28 + 27] == 0)
        #expect(paper.pixels.filter { $0 > 0 }.count < 250)
        #expect(paper.pixels.max() == 255)
    }

    @Test("dark ink on a transparent background reads like dark ink on white")
    func transparentBackground() throws {
        var sketch = Sketch(width: 32, height: 32)
        sketch.seven(x: 7, y: 5, size: 22, pen: 2.2)
        // RGBA: dark blue ink, opacity = coverage; transparent pixels are (0, 0, 0, 0).
        var rgba: [UInt8] = []
        for coverage in sketch.ink {
            let a = UInt8((coverage * 255).rounded())
            rgba += a > 0 ? [20, 20, 90, a] : [0, 0, 0, 0]
        }
        let png = makePNG(width: 32, height: 32, colourType: 6, channels: 4, pixels: rgba)
        let picture = try DigitPicture(decoding: png, name: "seven.png")
        #expect(picture.format == "PNG")
        #expect(picture.inverted)
        #expect(picture.width == 32 && picture.height == 32)
        let centre = picture.measuredCentre
        #expect(abs(centre.x - 14) <= 1 && abs(centre.y - 14) <= 1)
        #expect(picture.pixels[0] == 0, "the transparent background must not come out as ink")
        #expect((80...250).contains(picture.inkCount), "ink pixels \(picture.inkCount)")
    }

    @Test("light ink on a transparent background falls back to compositing over black")
    func lightInkOnTransparency() throws {
        var sketch = Sketch(width: 40, height: 40)
        sketch.ellipse(20, 20, 8, 13, pen: 3)
        let greyAlpha = sketch.ink.flatMap { coverage -> [UInt8] in [255, UInt8((coverage * 255).rounded())] }
        let png = makePNG(width: 40, height: 40, colourType: 4, channels: 2, pixels: greyAlpha)
        let picture = try DigitPicture(decoding: png, name: "white-ink.png")
        #expect(!picture.inverted)
        #expect(picture.pixels[0] == 0 && picture.pixels.max() == 255)
    }

    @Test("the aspect ratio is kept: a tall thin 1 stays tall and thin")
    func aspectRatioKept() throws {
        var sketch = Sketch(width: 100, height: 100)
        sketch.line(50, 10, 50, 90, pen: 14)
        let picture = try DigitPicture(grey: sketch.grey(), width: 100, height: 100, name: "one.png")
        let box = picture.fieldBox
        #expect(box.height == 20, "box \(box)")
        #expect(box.width < 10, "box \(box)")
        #expect(picture.thickening == 0, "an MNIST-weight stroke is not thickened")
    }

    @Test("a thin stroke on a big canvas keeps MNIST-like ink after preparation")
    func thinStrokeOnBigCanvas() throws {
        var sketch = Sketch(width: 1000, height: 800)
        sketch.ellipse(300, 450, 110, 180, pen: 2.5)
        let picture = try DigitPicture(grey: sketch.grey(), width: 1000, height: 800, name: "canvas.png")
        #expect(picture.thickening > 5, "thickening \(picture.thickening)")
        #expect(abs(picture.strokeWidth - 2.5) < 1.5, "stroke \(picture.strokeWidth)")
        #expect((80...250).contains(picture.inkCount), "ink pixels \(picture.inkCount)")
        #expect(picture.fieldBox.height == 20, "box \(picture.fieldBox)")
        #expect(picture.pixels.filter { $0 >= 128 }.count >= 40)
    }

    @Test("an isolated speck does not move the digit's bounding box")
    func specksIgnored() throws {
        var sketch = Sketch(width: 200, height: 200)
        sketch.seven(x: 40, y: 40, size: 60, pen: 6)
        sketch.line(180, 180, 181, 181, pen: 2)
        let picture = try DigitPicture(grey: sketch.grey(), width: 200, height: 200, name: "dusty.png")
        #expect(picture.inkBox.x + picture.inkBox.width < 120 && picture.inkBox.y + picture.inkBox.height < 120)
    }

    @Test("PGM and BMP decode like PNG")
    func otherFormats() throws {
        var sketch = Sketch(width: 48, height: 48)
        sketch.seven(x: 10, y: 8, size: 32, pen: 4)
        let grey = sketch.grey()
        let png = try DigitPicture(
            decoding: makePNG(width: 48, height: 48, colourType: 0, channels: 1, pixels: grey), name: "a.png")
        let pgm = try DigitPicture(decoding: makePGM(width: 48, height: 48, grey: grey), name: "a.pgm")
        let bmp = try DigitPicture(decoding: makeBMP(width: 48, height: 48, grey: grey), name: "a.bmp")
        #expect(pgm.format == "PNM" && bmp.format == "BMP")
        #expect(png.pixels == pgm.pixels && png.pixels == bmp.pixels)
    }

    @Test("a 16-bit PNG decodes like an 8-bit one")
    func sixteenBitPNG() throws {
        var sketch = Sketch(width: 40, height: 40)
        sketch.seven(x: 8, y: 6, size: 28, pen: 3)
        let grey = sketch.grey()
        let png8 = makePNG(width: 40, height: 40, colourType: 0, channels: 1, pixels: grey)
        let png16 = makePNG(
            width: 40, height: 40, colourType: 0, channels: 1, pixels: grey.flatMap { [$0, $0] }, bitDepth: 16)
        #expect(try DigitPicture.decodePixels(png16, name: "16.png").grey == grey)
        #expect(try DigitPicture(decoding: png16, name: "16.png").pixels == DigitPicture(decoding: png8, name: "8.png").pixels)
    }

    /// PGM and PPM in every form dnb reads, all of the same grey picture.
    static let pnmVariants: [(String, Int, Int, Bool)] = [
        ("P5, maxval 255", 1, 255, false), ("P5, 16-bit", 1, 65535, false), ("P5, maxval 1000", 1, 1000, false),
        ("P5, maxval 15", 1, 15, false), ("P6, maxval 255", 3, 255, false), ("P6, 16-bit", 3, 65535, false),
        ("P2, maxval 255", 1, 255, true), ("P2, 16-bit", 1, 65535, true), ("P3, maxval 255", 3, 255, true),
    ]

    @Test("PGM and PPM decode in Swift: binary and ASCII, any maxval up to 16 bits", arguments: pnmVariants)
    func pnmForms(label: String, channels: Int, maxval: Int, ascii: Bool) throws {
        var sketch = Sketch(width: 48, height: 48)
        sketch.seven(x: 10, y: 8, size: 32, pen: 4)
        // A grey that survives the round trip through `maxval` levels.
        let levels = sketch.grey().map { Int($0) * maxval / 255 }
        let expected = levels.map { UInt8(($0 * 255 + maxval / 2) / maxval) }
        let samples = levels.flatMap { [Int](repeating: $0, count: channels) }
        let file = makePNM(width: 48, height: 48, channels: channels, maxval: maxval, samples: samples, ascii: ascii)
        let decoded = try DigitPicture.decodePixels(file, name: "d.pnm")
        #expect(decoded.width == 48 && decoded.height == 48 && decoded.format == "PNM")
        #expect(decoded.alpha.allSatisfy { $0 == 255 })
        // (77 + 150 + 29) / 256 = 1: equal r, g and b give back the same grey.
        #expect(decoded.grey == expected)
        let png = makePNG(width: 48, height: 48, colourType: 0, channels: 1, pixels: expected)
        #expect(try DigitPicture(decoding: file, name: "d.pnm").pixels == DigitPicture(decoding: png, name: "d.png").pixels)
    }

    @Test("a 16-bit PGM of full white is a blank picture, not a crash")
    func sixteenBitWhite() {
        // stb_image read past its buffer on this file and the process died.
        let white = makePNM(width: 64, height: 64, maxval: 65535, samples: [Int](repeating: 65535, count: 64 * 64))
        #expect(throws: DigitPictureError.noInk(file: "w16.pgm")) { try DigitPicture(decoding: white, name: "w16.pgm") }
        let rgb = makePNM(width: 64, height: 64, channels: 3, maxval: 65535, samples: [Int](repeating: 65535, count: 3 * 64 * 64))
        #expect(throws: DigitPictureError.noInk(file: "w16.ppm")) { try DigitPicture(decoding: rgb, name: "w16.ppm") }
    }

    /// Damaged PGM and PPM files and a phrase the error must contain.
    static let badPNM: [BadInput] = [
        BadInput("no header", Array("P5".utf8), "damaged PGM: the header ends before its width"),
        BadInput("no maxval", Array("P6 3 3".utf8), "damaged PPM: the header ends before its maxval"),
        BadInput("letters", Array("P5\n3 x\n255\n".utf8), "the header's height is not a number (found 'x')"),
        BadInput("endless width", Array("P5\n99999999999999999999 3\n255\n".utf8), "the header's width has too many digits"),
        BadInput("zero width", Array("P5\n0 3\n255\n".utf8), "its header says 0x3 pixels"),
        BadInput("maxval 0", Array("P5\n1 1\n0\n\u{0}".utf8), "maxval 0 is outside 1...65535"),
        BadInput("maxval 70000", Array("P5\n1 1\n70000\n\u{0}\u{0}".utf8), "maxval 70000 is outside 1...65535"),
        BadInput("no blank after maxval", Array("P5\n1 1\n255".utf8), "maxval is not followed by whitespace"),
        BadInput(
            "short 16-bit", Array("P5\n64 64\n65535\n".utf8) + [UInt8](repeating: 0xFF, count: 8191),
            "the file is truncated: 64x64 pixels of 2 bytes need 8192 bytes, but 8191 follow the header"),
        BadInput(
            "short RGB", Array("P6\n2 2\n255\n".utf8) + [UInt8](repeating: 0, count: 11),
            "damaged PPM: the file is truncated: 2x2 pixels of 3 bytes need 12 bytes, but 11 follow the header"),
        BadInput(
            "above maxval", Array("P5\n2 1\n1000\n".utf8) + [0, 1, 0x03, 0xE9],
            "sample 1001 at pixel (1, 0) is above the maxval 1000"),
        BadInput(
            "short ASCII", Array("P2\n2 2\n255\n1 2 3".utf8), "the file is truncated: 2x2 pixels need 4 samples, but only 5 bytes"
        ),
        BadInput("ASCII cut short", Array("P2\n2 2\n255\n1 2 3      ".utf8), "the file is truncated: it has 3 of 4 samples"),
        BadInput("ASCII garbage", Array("P2\n2 1\n255\n1 x 3 4 5".utf8), "sample 1 is not a number (found 'x')"),
        BadInput("ASCII above maxval", Array("P3\n1 1\n255\n1 2 300".utf8), "sample 300 at pixel (0, 0) is above the maxval 255"),
    ]

    @Test("a damaged PGM or PPM is refused, saying what is wrong", arguments: badPNM)
    func damagedPNM(_ input: BadInput) {
        #expect {
            try DigitPicture(decoding: input.bytes, name: "d.pgm")
        } throws: { error in
            guard case DigitPictureError.notAnImage(let file, let reason) = error else { return false }
            return file == "d.pgm" && reason.contains(input.expected)
        }
    }

    @Test("a huge PGM is refused from its header, before anything is allocated")
    func hugePNM() {
        #expect(throws: DigitPictureError.tooLarge(file: "h.pgm", width: 9000, height: 9000)) {
            try DigitPicture(decoding: Array("P5\n9000 9000\n65535\n".utf8), name: "h.pgm")
        }
    }

    @Test("comments may stand anywhere in a PNM header, even right after the maxval")
    func pnmComments() throws {
        let file = Array("P5 #c\n#c\n2#c\n 1\n#c\n255#c\n".utf8) + [0, 255]
        let decoded = try DigitPicture.decodePixels(file, name: "c.pgm")
        #expect(decoded.grey == [0, 255])
    }

    @Test("a JPEG (with its compression noise) decodes and prepares")
    func jpeg() throws {
        let path = try fixturePictures("small")[0].path.replacingOccurrences(
            of: "small/0/1.png", with: "formats/seven.jpg")
        let picture = try DigitPicture(decoding: try fileBytes(path), name: "seven.jpg")
        #expect(picture.format == "JPEG")
        #expect(picture.inverted)
        #expect((80...250).contains(picture.inkCount), "ink pixels \(picture.inkCount)")
    }

    // MARK: Refusals

    @Test("a blank picture has no ink", arguments: [255, 128, 0])
    func blank(level: UInt8) {
        let grey = [UInt8](repeating: level, count: 64 * 48)
        #expect(throws: DigitPictureError.noInk(file: "blank.png")) {
            try DigitPicture(grey: grey, width: 64, height: 48, name: "blank.png")
        }
    }

    @Test("paper noise alone is no ink")
    func noisyBlank() {
        var state: UInt64 = 7
        let grey = (0..<(100 * 100)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return 240 + UInt8(truncatingIfNeeded: state >> 61)  // 240...247
        }
        #expect(throws: DigitPictureError.noInk(file: "paper.jpg")) {
            try DigitPicture(grey: grey, width: 100, height: 100, name: "paper.jpg")
        }
    }

    @Test("a transparent picture is blank")
    func transparentBlank() {
        let png = makePNG(
            width: 16, height: 16, colourType: 6, channels: 4, pixels: [UInt8](repeating: 0, count: 16 * 16 * 4))
        #expect(throws: DigitPictureError.noInk(file: "empty.png")) {
            try DigitPicture(decoding: png, name: "empty.png")
        }
    }

    @Test("bytes that are no picture are refused, naming the file")
    func garbage() throws {
        let cases: [[UInt8]] = [
            [],
            Array("hello, this is not a picture at all".utf8),
            (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) },
            Array("{\"not\": \"an image\"}".utf8),
        ]
        for bytes in cases {
            #expect {
                try DigitPicture(decoding: bytes, name: "notes.txt")
            } throws: { error in
                guard case DigitPictureError.notAnImage(let file, _) = error else { return false }
                return file == "notes.txt" && "\(error)".hasPrefix("notes.txt: not an image")
            }
        }
    }

    @Test("a PNG with corrupted or missing data is refused, not decoded into garbage")
    func damagedPNG() throws {
        var sketch = Sketch(width: 32, height: 32)
        sketch.seven(x: 6, y: 5, size: 22, pen: 2)
        let png = makePNG(width: 32, height: 32, colourType: 0, channels: 1, pixels: sketch.grey())
        var flipped = png
        flipped[60] ^= 0x40  // inside IDAT
        let truncated = Array(png.prefix(png.count - 30))
        for (bytes, word) in [(flipped, "checksum"), (truncated, "truncated")] {
            #expect {
                try DigitPicture(decoding: bytes, name: "d.png")
            } throws: { error in
                guard case DigitPictureError.notAnImage(_, let reason) = error else { return false }
                return reason.contains(word)
            }
        }
    }

    @Test("a huge picture is refused from its header, before decoding", arguments: [(20_000, 10), (9000, 9000)])
    func hugeHeader(width: Int, height: Int) {
        // A valid IHDR and a tiny IDAT that could never hold the pixels: only
        // the header's size may have been looked at.
        let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height)) + [8, 0, 0, 0, 0]
        let png: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngChunk("IHDR", header)
            + pngChunk("IDAT", [0x78, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + pngChunk("IEND", [])
        #expect(throws: DigitPictureError.tooLarge(file: "huge.png", width: width, height: height)) {
            try DigitPicture(decoding: png, name: "huge.png")
        }
    }

    @Test("error messages name the file and say what is wrong")
    func messages() {
        #expect(
            DigitPictureError.noInk(file: "me.png").description
                == "me.png: no ink found: the picture looks blank (nothing stands out from its background)")
        #expect(DigitPictureError.tooLarge(file: "big.png", width: 20000, height: 10).description.contains("20000x10"))
    }

    // MARK: Fixtures

    @Test("every hand-drawn fixture decodes and prepares like an MNIST digit", arguments: ["small", "canvas"])
    func fixtures(kind: String) throws {
        let pictures = try fixturePictures(kind)
        #expect(pictures.count >= 50)
        var inkCounts: [Int] = []
        for (_, path) in pictures {
            let picture = try DigitPicture(decoding: try fileBytes(path), name: path)
            #expect(picture.inverted, "\(path): dark ink on light is inverted")
            let centre = picture.measuredCentre
            #expect(abs(centre.x - 14) <= 1 && abs(centre.y - 14) <= 1, "\(path): centre \(centre)")
            let box = picture.fieldBox
            #expect(max(box.width, box.height) >= 19 && max(box.width, box.height) <= 21, "\(path): box \(box)")
            inkCounts.append(picture.inkCount)
        }
        let mean = Double(inkCounts.reduce(0, +)) / Double(inkCounts.count)
        #expect((80...250).contains(mean), "mean ink pixels \(mean) (MNIST: about 150)")
        #expect(inkCounts.allSatisfy { (40...330).contains($0) }, "ink pixel counts \(inkCounts)")
    }
}
