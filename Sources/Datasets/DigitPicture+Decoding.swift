// Step 1 of DigitPicture: from file bytes to grey + alpha pixels, checking
// the format, the PNG chunk checksums and the size before stb_image decodes
// (PGM and PPM are decoded in DigitPicture+PNM.swift instead).

import CStbImage
import CZlibSystem

extension DigitPicture {
    /// Decoded pixels: grey and alpha planes of `width × height` bytes.
    struct DecodedPixels {
        var grey: [UInt8]
        var alpha: [UInt8]
        var width: Int
        var height: Int
        var format: String
    }

    /// The format named by the first bytes, or `nil` when dnb does not read it.
    static func sniffFormat(_ bytes: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "PNG" }
        if starts([0xFF, 0xD8, 0xFF]) { return "JPEG" }
        if starts(Array("BM".utf8)) { return "BMP" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "GIF" }
        if isPNM(bytes) { return "PNM" }
        return nil
    }

    /// Decodes PGM and PPM in Swift (`decodePNM`), and the other formats
    /// with stb_image as 2 channels (grey, alpha) after checking the format,
    /// PNG chunk lengths and CRCs (stb_image skips them), and the header's
    /// width and height against the limits.
    static func decodePixels(_ bytes: [UInt8], name: String) throws(DigitPictureError) -> DecodedPixels {
        guard !bytes.isEmpty else { throw .notAnImage(file: name, reason: "the file is empty") }
        guard let format = sniffFormat(bytes) else {
            throw .notAnImage(file: name, reason: "unrecognised format (dnb reads PNG, JPEG, BMP, GIF, PGM and PPM)")
        }
        // Never through stb_image: Debian's copy reads past its buffer on 16-bit PNM.
        if format == "PNM" { return try decodePNM(bytes, name: name) }
        guard bytes.count <= Int(Int32.max) else {
            throw .notAnImage(file: name, reason: "the file is \(bytes.count) bytes, over the 2 GiB limit")
        }
        if format == "PNG", let problem = pngProblem(bytes) {
            throw .notAnImage(file: name, reason: "damaged PNG: \(problem)")
        }
        if format == "JPEG", let problem = jpegProblem(bytes) {
            throw .notAnImage(file: name, reason: "damaged JPEG: \(problem)")
        }

        var width: Int32 = 0
        var height: Int32 = 0
        var channels: Int32 = 0
        let known = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return 0 }
            return stbi_info_from_memory(base, Int32(buffer.count), &width, &height, &channels)
        }
        guard known != 0 else { throw .notAnImage(file: name, reason: "damaged \(format): \(stbReason())") }
        guard width > 0, height > 0 else {
            throw .notAnImage(file: name, reason: "its header says \(width)x\(height) pixels")
        }
        let w = Int(width), h = Int(height)
        guard w <= maximumSide, h <= maximumSide, w * h <= maximumPixels else {
            throw .tooLarge(file: name, width: w, height: h)
        }

        var decodedWidth: Int32 = 0
        var decodedHeight: Int32 = 0
        let pixels = bytes.withUnsafeBufferPointer { buffer -> UnsafeMutablePointer<stbi_uc>? in
            guard let base = buffer.baseAddress else { return nil }
            return stbi_load_from_memory(base, Int32(buffer.count), &decodedWidth, &decodedHeight, &channels, 2)
        }
        guard let pixels else { throw .notAnImage(file: name, reason: "damaged \(format): \(stbReason())") }
        defer { stbi_image_free(pixels) }
        guard decodedWidth == width, decodedHeight == height else {
            throw .notAnImage(
                file: name, reason: "its header says \(w)x\(h) pixels but it decodes as \(decodedWidth)x\(decodedHeight)")
        }
        let count = w * h
        var grey = [UInt8](repeating: 0, count: count)
        var alpha = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            grey[index] = pixels[2 * index]
            alpha[index] = pixels[2 * index + 1]
        }
        return DecodedPixels(grey: grey, alpha: alpha, width: w, height: h, format: format)
    }

    /// stb_image's reason for its last failure on this thread.
    private static func stbReason() -> String {
        guard let reason = stbi_failure_reason() else { return "stb_image could not decode it" }
        return "stb_image says \"\(String(cString: reason))\""
    }

    /// What is wrong with a PNG's chunk structure, or `nil`: every chunk's
    /// length within the file and its CRC-32 matching, IHDR first, IEND present.
    static func pngProblem(_ bytes: [UInt8]) -> String? {
        func bigEndian(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }
        var position = 8
        var first = true
        while true {
            guard position + 8 <= bytes.count else { return "the file is truncated (no IEND chunk)" }
            let length = bigEndian(position)
            let type = String(decoding: bytes[position + 4..<position + 8], as: UTF8.self)
            guard length <= Int(Int32.max), position + 12 + length <= bytes.count else {
                return "the file is truncated inside the \(type) chunk"
            }
            if first, type != "IHDR" { return "it does not start with an IHDR chunk" }
            first = false
            let stored = UInt(bigEndian(position + 8 + length))
            let computed = bytes.withUnsafeBufferPointer { buffer -> UInt in
                guard let base = buffer.baseAddress else { return 0 }
                return crc32(0, base + position + 4, UInt32(length + 4))
            }
            guard stored == computed else { return "the \(type) chunk's checksum is wrong (the data is corrupted)" }
            position += 12 + length
            if type == "IEND" { return nil }
        }
    }

    /// A JPEG scan that uses a Huffman table no DHT segment before it
    /// defined, or `nil`. stb_image 2.27 (Debian's) decodes such a scan with
    /// a table it never initialised: valgrind sees the uninitialised reads,
    /// and depending on the heap's leftovers an assert aborts the process
    /// (found by the `picture` fuzzing harness). Other damage is left to
    /// stb_image, which reports it.
    static func jpegProblem(_ bytes: [UInt8]) -> String? {
        // defined[0] is the DC tables 0...3, defined[1] the AC tables.
        var defined = [[Bool]](repeating: [Bool](repeating: false, count: 4), count: 2)
        var progressive = false
        var position = 2
        while position + 4 <= bytes.count {
            // Like stb_image, bytes between segments are skipped up to the next FF.
            guard bytes[position] == 0xFF else {
                position += 1
                continue
            }
            let marker = bytes[position + 1]
            if marker == 0xFF {  // fill byte
                position += 1
                continue
            }
            if marker == 0xD9 { return nil }  // end of image
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {  // no length
                position += 2
                continue
            }
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            let start = position + 4
            let end = position + 2 + length
            guard length >= 2, end <= bytes.count else { return nil }
            switch marker {
            case 0xC2, 0xC6, 0xCA, 0xCE:
                progressive = true
            case 0xC4:  // DHT: class/id, 16 counts, the values; repeated
                var table = start
                while table + 17 <= end {
                    let kind = Int(bytes[table] >> 4), id = Int(bytes[table] & 0x0F)
                    let count = bytes[table + 1..<table + 17].reduce(0) { $0 + Int($1) }
                    if kind < 2, id < 4 { defined[kind][id] = true }
                    table += 17 + count
                }
            case 0xDA:  // SOS: components (id, DC table << 4 | AC table), Ss, Se, Ah << 4 | Al
                guard start < end else { return nil }
                let components = Int(bytes[start])
                let spectral = start + 1 + 2 * components
                guard spectral + 3 <= end else { return nil }
                let firstCoefficient = bytes[spectral], refining = bytes[spectral + 2] >> 4 != 0
                // Which tables this scan decodes with (a DC refinement reads raw bits).
                let usesDC = firstCoefficient == 0 && !(progressive && refining)
                let usesAC = !progressive || firstCoefficient != 0
                for index in 0..<components {
                    let tables = bytes[start + 2 + 2 * index]
                    let dc = Int(tables >> 4), ac = Int(tables & 0x0F)
                    if usesDC, dc < 4, !defined[0][dc] {
                        return "a scan uses DC Huffman table \(dc), which the file never defines"
                    }
                    if usesAC, ac < 4, !defined[1][ac] {
                        return "a scan uses AC Huffman table \(ac), which the file never defines"
                    }
                }
                // Skip the entropy-coded data, up to the next marker (FF then not 00 or a restart).
                var next = end
                while next + 1 < bytes.count,
                    !(bytes[next] == 0xFF && bytes[next + 1] != 0 && !(0xD0...0xD7).contains(bytes[next + 1]))
                {
                    next += 1
                }
                position = next
                continue
            default:
                break
            }
            position = end
        }
        return nil
    }
}
