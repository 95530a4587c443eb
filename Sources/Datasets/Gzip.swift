// Decompression through zlib: gzip files (IDX .gz) and raw deflate (zip
// entries of np.savez_compressed). Output is produced on demand and is
// bounded, so a "zip bomb" or a corrupt stream is an error, never a crash or
// an exhausted machine. A reader that learns the size from a header (IDX,
// a zip entry) inflates the header first, then asks for exactly that size
// plus one byte: one byte too many is enough to refuse the file, and
// nothing past it is ever inflated.

import CZlibSystem

/// Largest output any decompression may produce: 1 GiB
/// (MNIST's largest array is 47 MB).
let maximumInflatedSize = 1 << 30

/// Whether `bytes` start with gzip's magic number, 1f 8b.
func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// zlib's inflate over one compressed stream, read in pieces of the
/// caller's choosing.
///
/// Errors read "truncated `format` stream`context`" and "corrupt `format`
/// data`context`: <zlib's message>", where `format` is "gzip" or "deflate"
/// and `context` is " in 'ENTRY'" for a zip entry. A gzip stream's CRC-32 and
/// length are checked by zlib when its end is reached.
final class Inflater {
    /// The container around the deflate data.
    enum Format {
        /// RFC 1952, one member or several in a row (`cat a.gz b.gz`), read as
        /// one stream as `gzip -d` does; zero bytes after the last member
        /// (tape padding) are ignored.
        case gzip
        /// RFC 1951 raw deflate, as in zip entries.
        case deflate
    }

    /// zlib's state points back at the `z_stream`, so it lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: [UInt8]
    private let range: Range<Int>
    private let format: Format
    private let name: String
    private let context: String
    /// Input bytes inflate has taken so far.
    private var consumed = 0
    /// Whether the end of the stream has been reached (and its checksum checked).
    private(set) var isFinished = false
    /// Output bytes produced so far: a refused bomb shows how little was inflated.
    private(set) var producedCount = 0

    /// Prepares to inflate `input[range]` (all of `input` by default);
    /// `name` is the file named in errors, `entry` the zip entry if any.
    init(
        _ input: [UInt8], range: Range<Int>? = nil, format: Format, name: String, entry: String? = nil
    ) throws(DatasetError) {
        self.input = input
        self.range = range ?? input.indices
        self.format = format
        self.name = name
        self.context = entry.map { " in '\($0)'" } ?? ""
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let windowBits: Int32 = format == .gzip ? 15 + 16 : -15
        let started = inflateInit2_(stream, windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard started == Z_OK else {
            stream.deallocate()
            throw .malformed(file: name, reason: "cannot start zlib's inflate (status \(started))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// "gzip" or "deflate", for messages.
    private var formatName: String { format == .gzip ? "gzip" : "deflate" }

    /// The next `count` bytes of output; fewer only when the stream ends
    /// first, which sets `isFinished`.
    ///
    /// The first buffer is at most what the remaining input can inflate to
    /// (deflate expands at most 1032:1, so a lying size costs no memory), or
    /// `sizeHint` + 1 when given; it grows only if the data needs it.
    func read(_ count: Int, sizeHint: Int? = nil) throws(DatasetError) -> [UInt8] {
        precondition(count >= 0, "cannot read a negative count")
        guard !isFinished, count > 0 else { return [] }
        let remaining = range.count - consumed
        let bound = remaining.multipliedReportingOverflow(by: 1032).partialValue + 1
        let first = min(count, sizeHint.map { min($0, bound) + 1 } ?? bound)
        var output = try fill(first)
        while output.count < count, !isFinished {
            output += try fill(min(count - output.count, max(output.count, 1 << 16)))
        }
        return output
    }

    /// Input bytes after the end of the stream (meaningful once `isFinished`).
    var unusedInputCount: Int { range.count - consumed }

    /// Up to `count` bytes of output in a new array, stopping early at the end of the stream.
    private func fill(_ count: Int) throws(DatasetError) -> [UInt8] {
        var failure: DatasetError? = nil
        let output = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(DatasetError) {
                initialized = try inflate(into: buffer)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Inflates into `buffer` until it is full or the stream ends; returns the bytes written.
    private func inflate(into buffer: UnsafeMutableBufferPointer<UInt8>) throws(DatasetError) -> Int {
        guard let out = buffer.baseAddress else { return 0 }
        return try input.withBytes { bytes throws(DatasetError) -> Int in
            let base = bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) }
            var produced = 0
            while produced < buffer.count {
                let available = range.count - consumed
                let offered = UInt32(min(available, Int(UInt32.max)))
                let room = UInt32(min(buffer.count - produced, Int(UInt32.max)))
                stream.pointee.next_in = base.map { $0 + range.lowerBound + consumed }
                stream.pointee.avail_in = offered
                stream.pointee.next_out = out + produced
                stream.pointee.avail_out = room
                let status = CZlibSystem.inflate(stream, Z_NO_FLUSH)
                consumed += Int(offered - stream.pointee.avail_in)
                let made = Int(room - stream.pointee.avail_out)
                produced += made
                producedCount += made
                switch status {
                case Z_STREAM_END:
                    guard startsAnotherMember() else {
                        isFinished = true
                        return produced
                    }
                    // The next member continues the output; its own CRC-32 and length are checked.
                    let reset = inflateReset(stream)
                    guard reset == Z_OK else {
                        throw .malformed(file: name, reason: "cannot restart zlib's inflate (status \(reset))")
                    }
                case Z_OK:
                    // All input taken with room left in the output: the
                    // stream wants more data than the file has.
                    if stream.pointee.avail_in == 0, stream.pointee.avail_out > 0, consumed == range.count {
                        throw truncated()
                    }
                case Z_BUF_ERROR:
                    throw truncated()
                case Z_MEM_ERROR:
                    throw .malformed(file: name, reason: "out of memory while inflating \(formatName) data\(context)")
                default:
                    let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw .malformed(file: name, reason: "corrupt \(formatName) data\(context): \(detail)")
                }
            }
            return produced
        }
    }

    private func truncated() -> DatasetError {
        .malformed(file: name, reason: "truncated \(formatName) stream\(context)")
    }

    /// Whether a gzip member ends with more input after it that is not all
    /// zeros: the next member (concatenated .gz files). What is not a gzip
    /// member there then fails as corrupt data, as Python refuses it (gzip
    /// -d warns of "trailing garbage" and exits 2).
    private func startsAnotherMember() -> Bool {
        guard format == .gzip, consumed < range.count else { return false }
        return input[(range.lowerBound + consumed)..<range.upperBound].contains { $0 != 0 }
    }
}

/// Decompresses gzip data (RFC 1952, one member or several concatenated)
/// whose size nothing announces; zlib checks each member's CRC-32 and length.
///
/// - Parameters:
///   - name: the file named in errors.
///   - limit: the most bytes the output may have (default 1 GiB).
/// - Throws: `.malformed` for a truncated or corrupt stream, or output above
///   `limit` (all members together).
func gunzip(_ bytes: [UInt8], name: String, limit: Int = maximumInflatedSize) throws(DatasetError) -> [UInt8] {
    // The trailer's last 4 bytes are the length modulo 2^32: a good first
    // guess for the output buffer (read caps it by what the input can hold).
    var sizeHint = 0
    if bytes.count >= 18 {
        let n = bytes.count
        sizeHint = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
    }
    let inflater = try Inflater(bytes, format: .gzip, name: name)
    let output = try inflater.read(limit + 1, sizeHint: min(sizeHint, limit))
    guard output.count <= limit else {
        throw .malformed(file: name, reason: "gzip data inflates to more than \(limit) bytes; refusing to continue")
    }
    return output
}

/// Decompresses the raw deflate data at `range` of `bytes` (a zip entry),
/// which should come to exactly `expectedSize` bytes; inflating stops one
/// byte past it.
///
/// - Throws: `.malformed` naming `name` and `entry` for a corrupt or
///   truncated stream, or one whose output is not `expectedSize` bytes.
func inflateRaw(
    _ bytes: [UInt8], range: Range<Int>, expectedSize: Int, name: String, entry: String
) throws(DatasetError) -> [UInt8] {
    if let output = FastInflate.deflate(bytes, range: range, size: expectedSize) { return output }
    let inflater = try Inflater(bytes, range: range, format: .deflate, name: name, entry: entry)
    let output = try inflater.read(expectedSize + 1, sizeHint: expectedSize)
    guard output.count <= expectedSize else {
        throw .malformed(
            file: name,
            reason: "deflate data in '\(entry)' inflates to more than \(expectedSize) bytes, the size the archive gives")
    }
    guard output.count == expectedSize else {
        throw .malformed(
            file: name,
            reason: "'\(entry)' inflates to \(output.count) bytes, but the archive says \(expectedSize)")
    }
    return output
}
