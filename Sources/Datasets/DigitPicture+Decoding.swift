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
}
