// libdeflate's whole-buffer decompression: about twice zlib's speed on
// MNIST's files. It is the fast path for well-formed data whose size is
// known; anything it does not accept (corrupt, truncated, a size other than
// expected) returns nil, and the caller reads the data again with zlib's
// `Inflater`, whose messages say what is wrong. Output never exceeds the
// size asked for, so a bomb cannot grow it.

import CLibdeflate

enum FastInflate {
    /// DEFLATE's best ratio is about 1032:1: a size beyond that for the
    /// input at hand cannot be right, and is not allocated.
    static func isPossible(size: Int, from input: Int) -> Bool {
        size >= 0 && size / 1032 <= input + 64
    }

    /// The gzip stream `bytes` (one member or several, then at most zero
    /// padding) when it decompresses to exactly `skipping + size` bytes: the
    /// `size` bytes after the first `skipping` (a header read already);
    /// else nil. One buffer, never zero-filled: each page is first touched
    /// by the decompressor, and the kept bytes are moved down in place.
    static func gzip(_ bytes: [UInt8], size: Int, skipping: Int = 0) -> [UInt8]? {
        let total = skipping + size
        guard isPossible(size: total, from: bytes.count), let decompressor = libdeflate_alloc_decompressor() else {
            return nil
        }
        defer { libdeflate_free_decompressor(decompressor) }
        var ok = false
        // One spare byte: a stream with more data than expected fails to fit.
        let output = [UInt8](unsafeUninitializedCapacity: total + 1) { out, count in
            count = 0
            guard let outBase = out.baseAddress else { return }
            var produced = 0
            var consumed = 0
            let done = bytes.withUnsafeBytes { input -> Bool in
                guard let inBase = input.baseAddress else { return false }
                while consumed < input.count {
                    if input[consumed...].allSatisfy({ $0 == 0 }) { break }  // tape padding
                    var read = 0
                    var written = 0
                    let status = libdeflate_gzip_decompress_ex(
                        decompressor, inBase + consumed, input.count - consumed, outBase + produced,
                        out.count - produced, &read, &written)
                    guard status == LIBDEFLATE_SUCCESS, read > 0 else { return false }
                    consumed += read
                    produced += written
                }
                return true
            }
            guard done, produced == total else { return }
            if skipping > 0 { UnsafeMutableRawPointer(outBase).copyMemory(from: outBase + skipping, byteCount: size) }  // memmove
            count = size
            ok = true
        }
        return ok ? output : nil
    }

    /// The raw deflate data `bytes[range]` when it decompresses to exactly `size` bytes; else nil.
    static func deflate(_ bytes: [UInt8], range: Range<Int>, size: Int) -> [UInt8]? {
        guard isPossible(size: size, from: range.count), let decompressor = libdeflate_alloc_decompressor() else { return nil }
        defer { libdeflate_free_decompressor(decompressor) }
        var output = [UInt8](repeating: 0, count: size + 1)
        var written = 0
        let status = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                guard let inBase = input.baseAddress, let outBase = out.baseAddress else {
                    return LIBDEFLATE_BAD_DATA
                }
                return libdeflate_deflate_decompress(
                    decompressor, inBase + range.lowerBound, range.count, outBase, out.count, &written)
            }
        }
        guard status == LIBDEFLATE_SUCCESS, written == size else { return nil }
        output.removeLast()
        return output
    }
}
