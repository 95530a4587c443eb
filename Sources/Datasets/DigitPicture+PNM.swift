// PGM and PPM (Netpbm), decoded here rather than by stb_image: Debian's
// libstb (0.0~git20220908) reads past its buffer on 16-bit files (maxval
// above 255) and leaves small maxvals unscaled. The format is small:
//
//   magic          P2 grey, ASCII | P3 RGB, ASCII | P5 grey, binary | P6 RGB, binary
//   width height maxval
//                  ASCII decimals separated by whitespace; '#' starts a
//                  comment that runs to the end of the line; 1 <= maxval <= 65535
//   one whitespace byte, then the raster: height rows of width pixels of 1
//   (grey) or 3 (RGB) samples; binary samples are 1 byte when maxval < 256,
//   else 2 bytes big-endian; ASCII samples are decimals between whitespace.
//
// Samples run from 0 (black) to maxval and are scaled to 0...255:
// round(v * 255 / maxval). RGB becomes grey as stb_image does it:
// (77 r + 150 g + 29 b) >> 8. Bytes after the first picture are ignored
// (Netpbm allows several pictures in one file).

extension DigitPicture {
    /// Whether `bytes` start like a PGM or PPM file dnb decodes (P2, P3, P5, P6).
    static func isPNM(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && Array("2356".utf8).contains(bytes[1])
    }

    /// Decodes a PGM or PPM (header above), checking the header's sizes
    /// against the limits and the data's length before allocating.
    static func decodePNM(_ bytes: [UInt8], name: String) throws(DigitPictureError) -> DecodedPixels {
        precondition(isPNM(bytes), "not a PGM or PPM")
        let kind = bytes[1]
        let ascii = kind == UInt8(ascii: "2") || kind == UInt8(ascii: "3")
        let channels = kind == UInt8(ascii: "3") || kind == UInt8(ascii: "6") ? 3 : 1
        let format = channels == 1 ? "PGM" : "PPM"
        func damaged(_ reason: String) -> DigitPictureError { .notAnImage(file: name, reason: "damaged \(format): \(reason)") }

        var scanner = PNMScanner(bytes: bytes, position: 2)
        var header: [Int] = []
        for field in ["width", "height", "maxval"] {
            guard scanner.skipBlanksAndComments() else { throw damaged("the header ends before its \(field)") }
            let start = scanner.position
            guard let value = scanner.number() else {
                throw damaged(
                    scanner.position > start
                        ? "the header's \(field) has too many digits"
                        : "the header's \(field) is not a number (found \(scanner.shownByte))")
            }
            header.append(value)
        }
        let (width, height, maxval) = (header[0], header[1], header[2])
        guard width > 0, height > 0 else {
            throw .notAnImage(file: name, reason: "its header says \(width)x\(height) pixels")
        }
        guard width <= maximumSide, height <= maximumSide, width * height <= maximumPixels else {
            throw .tooLarge(file: name, width: width, height: height)
        }
        guard (1...65535).contains(maxval) else {
            throw damaged("maxval \(maxval) is outside 1...65535")
        }
        // Exactly one whitespace byte (or a comment ending in a newline) before the raster.
        guard scanner.endHeader() else {
            throw damaged("the header's maxval is not followed by whitespace (found \(scanner.shownByte))")
        }

        let count = width * height
        let sampleCount = count * channels
        let available = bytes.count - scanner.position
        let sampleSize = maxval < 256 ? 1 : 2
        if ascii {
            // Every sample takes a digit and all but the last a separator.
            guard available >= 2 * sampleCount - 1 else {
                throw damaged(
                    "the file is truncated: \(width)x\(height) pixels need \(sampleCount) samples, "
                        + "but only \(available) bytes follow the header")
            }
        } else {
            let needed = sampleCount * sampleSize
            guard available >= needed else {
                throw damaged(
                    "the file is truncated: \(width)x\(height) pixels of \(channels * sampleSize) "
                        + "byte\(channels * sampleSize == 1 ? "" : "s") need \(needed) bytes, but \(available) follow the header")
            }
        }

        let start = scanner.position
        var grey = [UInt8](repeating: 0, count: count)
        var values = (0, 0, 0)
        for pixel in 0..<count {
            for channel in 0..<channels {
                let index = pixel * channels + channel
                let value: Int
                if ascii {
                    guard scanner.skipBlanksAndComments() else {
                        throw damaged("the file is truncated: it has \(index) of \(sampleCount) samples")
                    }
                    let before = scanner.position
                    guard let number = scanner.number() else {
                        throw damaged(
                            scanner.position > before
                                ? "sample \(index) has too many digits"
                                : "sample \(index) is not a number (found \(scanner.shownByte))")
                    }
                    value = number
                } else if sampleSize == 1 {
                    value = Int(bytes[start + index])
                } else {
                    value = Int(bytes[start + 2 * index]) << 8 | Int(bytes[start + 2 * index + 1])
                }
                guard value <= maxval else {
                    throw damaged("sample \(value) at pixel (\(pixel % width), \(pixel / width)) is above the maxval \(maxval)")
                }
                let level = (value * 255 + maxval / 2) / maxval  // round(v * 255 / maxval)
                switch channel {
                case 0: values.0 = level
                case 1: values.1 = level
                default: values.2 = level
                }
            }
            grey[pixel] = channels == 1 ? UInt8(values.0) : UInt8((77 * values.0 + 150 * values.1 + 29 * values.2) >> 8)
        }
        return DecodedPixels(
            grey: grey, alpha: [UInt8](repeating: 255, count: count), width: width, height: height, format: "PNM")
    }
}

/// A cursor over a PGM or PPM file's text parts.
private struct PNMScanner {
    let bytes: [UInt8]
    var position: Int

    /// The byte at `position` as shown in messages: 'x', a hex code, or "the end of the file".
    var shownByte: String {
        guard position < bytes.count else { return "the end of the file" }
        let byte = bytes[position]
        return (33...126).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : hex(byte, digits: 2)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Skips whitespace and comments; false at the end of the file.
    mutating func skipBlanksAndComments() -> Bool {
        while position < bytes.count {
            let byte = bytes[position]
            if Self.isBlank(byte) {
                position += 1
            } else if byte == UInt8(ascii: "#") {
                skipComment()
            } else {
                return true
            }
        }
        return false
    }

    /// Skips from '#' to the end of the line, leaving the line break.
    private mutating func skipComment() {
        while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
    }

    /// A decimal number at `position`; nil when there is no digit or it is
    /// absurdly long (above 10^9, so no overflow).
    mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            digits += 1
            position += 1
            if value > 1_000_000_000 { return nil }
        }
        return digits > 0 ? value : nil
    }

    /// Consumes the single whitespace byte that ends the header (a comment
    /// there runs to its line break, which then ends the header); false when
    /// something else follows the maxval.
    mutating func endHeader() -> Bool {
        if position < bytes.count, bytes[position] == UInt8(ascii: "#") { skipComment() }
        guard position < bytes.count, Self.isBlank(bytes[position]) else { return false }
        position += 1
        return true
    }
}
