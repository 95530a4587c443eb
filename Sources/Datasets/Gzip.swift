// Decompression through zlib: gzip files (IDX .gz) and raw deflate (zip
// entries of np.savez_compressed). Output is bounded, so a "zip bomb" or a
// corrupt stream is an error, never a crash or an exhausted machine.

import CZlibSystem

/// Largest output any decompression may produce: 1 GiB
/// (MNIST's largest array is 47 MB).
let maximumInflatedSize = 1 << 30

/// Whether `bytes` start with gzip's magic number, 1f 8b.
func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Decompresses one gzip member (RFC 1952); zlib checks its CRC-32 and length.
///
/// - Parameters:
///   - name: the file named in errors.
///   - limit: the most bytes the output may have (default 1 GiB).
/// - Throws: `.malformed` for a truncated or corrupt stream, output above
///   `limit`, or a second gzip member (concatenated .gz files).
func gunzip(_ bytes: [UInt8], name: String, limit: Int = maximumInflatedSize) throws(DatasetError) -> [UInt8] {
    // The trailer's last 4 bytes are the length modulo 2^32: a good first
    // guess for the output buffer. Deflate expands at most ~1032:1, which
    // bounds the guess when the trailer lies.
    var sizeHint = 0
    if bytes.count >= 18 {
        let n = bytes.count
        sizeHint = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
    }
    sizeHint = min(sizeHint, limit, bytes.count.multipliedReportingOverflow(by: 1032).partialValue)
    let (output, unused) = try bytes.withBytes { input throws(DatasetError) in
        try inflateStream(
            input, windowBits: 15 + 16, sizeHint: sizeHint, limit: limit, name: name, format: "gzip",
            context: "")
    }
    if unused >= 2 {
        let next = bytes.count - unused
        if bytes[next] == 0x1f && bytes[next + 1] == 0x8b {
            throw .malformed(
                file: name,
                reason: "the file holds several gzip members (concatenated .gz files), which is not supported")
        }
    }
    return output
}

/// Decompresses raw deflate data (RFC 1951, as in zip entries) that should
/// come to exactly `expectedSize` bytes.
///
/// - Throws: `.malformed` naming `name` and `entry` for a corrupt or
///   truncated stream, or one whose output is not `expectedSize` bytes.
func inflateRaw(
    _ input: UnsafeRawBufferPointer, expectedSize: Int, name: String, entry: String
) throws(DatasetError) -> [UInt8] {
    let (output, _) = try inflateStream(
        input, windowBits: -15, sizeHint: expectedSize, limit: expectedSize, name: name,
        format: "deflate", context: " in '\(entry)'")
    guard output.count == expectedSize else {
        throw .malformed(
            file: name,
            reason: "'\(entry)' inflates to \(output.count) bytes, but the archive says \(expectedSize)")
    }
    return output
}

/// Runs zlib's inflate over all of `input` until the end of the stream.
///
/// `windowBits` picks the format (zlib manual): 15 + 16 for gzip, -15 for
/// raw deflate. Errors read "truncated `format` stream`context`" and
/// "corrupt `format` data`context`: <zlib's message>". Output accumulates in
/// an array reserved to `sizeHint` and grown as needed, failing as soon as
/// it would exceed `limit`.
///
/// - Returns: the output and how many input bytes follow the end of the stream.
func inflateStream(
    _ input: UnsafeRawBufferPointer, windowBits: Int32, sizeHint: Int, limit: Int, name: String,
    format: String, context: String
) throws(DatasetError) -> (output: [UInt8], unusedInput: Int) {
    guard input.count <= Int(UInt32.max) else {
        throw .malformed(file: name, reason: "\(format) data\(context) is larger than 4 GiB")
    }
    var stream = z_stream()
    let started = inflateInit2_(&stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard started == Z_OK else {
        throw .malformed(file: name, reason: "cannot start zlib's inflate (status \(started))")
    }
    defer { inflateEnd(&stream) }

    var output = [UInt8]()
    output.reserveCapacity(max(sizeHint, 0))
    let chunkSize = 1 << 18
    let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
    defer { chunk.deallocate() }

    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
    stream.avail_in = UInt32(input.count)
    while true {
        stream.next_out = chunk
        stream.avail_out = UInt32(chunkSize)
        let status = inflate(&stream, Z_NO_FLUSH)
        let produced = chunkSize - Int(stream.avail_out)
        if produced > 0 {
            guard output.count + produced <= limit else {
                throw .malformed(
                    file: name,
                    reason: "\(format) data\(context) inflates to more than \(limit) bytes; refusing to continue")
            }
            output.append(contentsOf: UnsafeBufferPointer(start: chunk, count: produced))
        }
        switch status {
        case Z_STREAM_END:
            return (output, Int(stream.avail_in))
        case Z_OK:
            // All input consumed with room left in the output: the stream
            // wants more data than the file has.
            if stream.avail_in == 0 && stream.avail_out > 0 {
                throw .malformed(file: name, reason: "truncated \(format) stream\(context)")
            }
        case Z_BUF_ERROR:
            throw .malformed(file: name, reason: "truncated \(format) stream\(context)")
        case Z_MEM_ERROR:
            throw .malformed(file: name, reason: "out of memory while inflating \(format) data\(context)")
        default:
            let detail = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            throw .malformed(file: name, reason: "corrupt \(format) data\(context): \(detail)")
        }
    }
}
