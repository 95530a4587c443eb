// IDX, the MNIST database's own format (LeCun et al.): a big-endian header
// then raw unsigned bytes.
//
//   images: magic 0x00000803, count, rows, cols (4 x UInt32), then count*rows*cols pixels
//   labels: magic 0x00000801, count (2 x UInt32), then count labels
//
// The third magic byte is the element type (0x08 = unsigned byte), the fourth
// the number of dimensions. Every header field is checked against the file's
// length before anything is allocated.

/// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
let idxImagesMagic: UInt32 = 0x0000_0803
/// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
let idxLabelsMagic: UInt32 = 0x0000_0801
/// Largest image side the readers accept: 4096 pixels (MNIST's is 28).
let maximumImageSide = 4096

/// Reads an IDX images file (raw, or gzipped: detected by its magic 1f 8b).
///
/// A gzipped file is inflated no further than its header allows (see
/// `IDXContents`), so a small file that inflates to gigabytes costs no memory.
///
/// - Parameter name: the file named in errors (callers pass the path).
/// - Returns: count × rows × cols pixels, row-major.
/// - Throws: `.malformed` naming `name` for a bad magic number, a zero or
///   oversized dimension (side > 4096), a pixel count that does not match
///   the file's length, or bad gzip data.
public func readIDXImages(
    _ bytes: [UInt8], name: String
) throws(DatasetError) -> (count: Int, rows: Int, cols: Int, pixels: [UInt8]) {
    var contents = try IDXContents(bytes, name: name)
    let headerSize = 16
    let header = try contents.header(headerSize)
    let (count, rows, cols) = try contents.checkingHeader { () throws(DatasetError) in
        try checkIDXMagic(header, expected: idxImagesMagic, headerSize: headerSize, name: name)
        let count = Int(header.bigEndianUInt32(at: 4))
        let rows = Int(header.bigEndianUInt32(at: 8))
        let cols = Int(header.bigEndianUInt32(at: 12))
        guard count > 0, rows > 0, cols > 0 else {
            throw .malformed(
                file: name, reason: "header says \(count) x \(rows) x \(cols) images; every dimension must be positive")
        }
        guard rows <= maximumImageSide, cols <= maximumImageSide else {
            throw .malformed(
                file: name,
                reason: "header says images of \(rows) x \(cols) pixels; at most "
                    + "\(maximumImageSide) x \(maximumImageSide) is supported")
        }
        return (count, rows, cols)
    }
    let dims = "\(count) x \(rows) x \(cols)"
    // At most 2^32 x 4096 x 4096 = 2^56: no overflow.
    let pixelCount = count * rows * cols
    return (count, rows, cols, try contents.body(pixelCount, what: "\(dims) = \(pixelCount) bytes of pixels"))
}

/// Reads an IDX labels file (raw or gzipped); every label must be a digit 0...9.
///
/// - Parameter name: the file named in errors (callers pass the path).
/// - Throws: `.malformed` naming `name` for a bad magic number, a count that
///   does not match the file's length, a label above 9 (with its index), or
///   bad gzip data.
public func readIDXLabels(_ bytes: [UInt8], name: String) throws(DatasetError) -> [UInt8] {
    var contents = try IDXContents(bytes, name: name)
    let headerSize = 8
    let header = try contents.header(headerSize)
    let count = try contents.checkingHeader { () throws(DatasetError) in
        try checkIDXMagic(header, expected: idxLabelsMagic, headerSize: headerSize, name: name)
        let count = Int(header.bigEndianUInt32(at: 4))
        guard count > 0 else {
            throw .malformed(file: name, reason: "header says 0 labels; the count must be positive")
        }
        return count
    }
    let labels = try contents.body(count, what: "\(count) labels = \(count) bytes")
    if let index = labels.firstIndex(where: { $0 > 9 }) {
        throw .malformed(file: name, reason: "label \(labels[index]) at index \(index) is not a digit 0...9")
    }
    return labels
}

/// An IDX file's contents, raw or gzipped, read as a header and then a body
/// whose length the header gives.
///
/// For a gzipped file the header is inflated on its own; the body is then
/// inflated up to its expected length plus one byte, which is enough to
/// tell "more data than the header says" (an error, as trailing bytes in a
/// raw file are) without inflating the rest.
struct IDXContents {
    private let bytes: [UInt8]
    private let name: String
    /// The gzip stream, when the file is gzipped (tests read its `producedCount`).
    let inflater: Inflater?
    private var headerSize = 0

    init(_ bytes: [UInt8], name: String) throws(DatasetError) {
        self.bytes = bytes
        self.name = name
        inflater = isGzip(bytes) ? try Inflater(bytes, format: .gzip, name: name) : nil
    }

    /// Whether the file is gzipped (`inflater` set).
    var isGzipped: Bool { inflater != nil }

    /// The first `size` bytes (fewer when the file is shorter).
    mutating func header(_ size: Int) throws(DatasetError) -> [UInt8] {
        headerSize = size
        guard let inflater else { return Array(bytes.prefix(size)) }
        return try inflater.read(size)
    }

    /// Runs `check` on the header. When it fails on a gzipped file, the
    /// header may be garbage from a corrupt stream that zlib has not noticed
    /// yet, so up to 64 KiB more are inflated (and dropped) first: a zlib
    /// error found there is the truer message.
    func checkingHeader<Result>(_ check: () throws(DatasetError) -> Result) throws(DatasetError) -> Result {
        do {
            return try check()
        } catch {
            _ = try inflater?.read(1 << 16)
            throw error
        }
    }

    /// The `expected` bytes after the header; `what` says what the header
    /// promised ("2 x 28 x 28 = 1568 bytes of pixels") for the message when
    /// the file has fewer or more.
    func body(_ expected: Int, what: String) throws(DatasetError) -> [UInt8] {
        let note = " (after the \(headerSize)-byte header\(isGzipped ? ", decompressed" : ""))"
        guard let inflater else {
            let available = bytes.count - headerSize
            guard available == expected else {
                throw .malformed(
                    file: name,
                    reason: "header says \(what), file has \(available)\(note)"
                        + (available < expected ? "; is the file truncated?" : ""))
            }
            return Array(bytes[headerSize...])
        }
        guard expected <= maximumInflatedSize else {
            throw .malformed(
                file: name,
                reason: "header says \(what), more than the \(maximumInflatedSize)-byte limit for decompressed data")
        }
        // Well-formed files take libdeflate's fast path (header and body in
        // one go); anything else is read on with zlib, which says what is wrong.
        if let body = FastInflate.gzip(bytes, size: expected, skipping: headerSize) { return body }
        let data = try inflater.read(expected + 1)
        if data.count > expected {
            throw .malformed(file: name, reason: "header says \(what), file has more\(note)")
        }
        if data.count < expected {
            throw .malformed(
                file: name, reason: "header says \(what), file has \(data.count)\(note); is the file truncated?")
        }
        return data
    }
}

/// Reads an IDX images file and its labels file into one set
/// (`load idx IMAGES LABELS`); errors name the file at fault.
///
/// - Throws: `.fileNotFound`, `.unreadable`, or `.malformed` (also when the
///   two files disagree on the number of images).
public func readIDXPair(imagesPath: String, labelsPath: String) throws(DatasetError) -> ImageSet {
    try readIDXPair(
        images: readDataFile(imagesPath), imagesName: imagesPath, labels: readDataFile(labelsPath), labelsName: labelsPath)
}

/// An IDX images file and its labels file, from bytes, as one set; errors
/// name the file at fault as `imagesName` or `labelsName` (see `DatasetError.file`).
public func readIDXPair(
    images: [UInt8], imagesName: String, labels: [UInt8], labelsName: String
) throws(DatasetError) -> ImageSet {
    let images = try readIDXImages(images, name: imagesName)
    let labels = try readIDXLabels(labels, name: labelsName)
    guard images.count == labels.count else {
        throw .malformed(
            file: labelsName,
            reason: "has \(labels.count) labels, but \(imagesName) has \(images.count) images")
    }
    return ImageSet(rows: images.rows, cols: images.cols, pixels: images.pixels, labels: labels)
}

/// Checks the header is complete and the magic number is `expected`,
/// recognising the other MNIST kind (images vs labels) to hint at a swap.
func checkIDXMagic(_ data: [UInt8], expected: UInt32, headerSize: Int, name: String) throws(DatasetError) {
    let kind = expected == idxImagesMagic ? "images" : "labels"
    guard data.count >= 4 else {
        throw .malformed(
            file: name, reason: "file is \(data.count) bytes, too short for an IDX \(kind) header (\(headerSize) bytes)")
    }
    let magic = data.bigEndianUInt32(at: 0)
    guard magic == expected else {
        var reason =
            "magic number is \(hex(magic)), expected \(hex(expected)) (IDX \(kind): unsigned bytes, "
            + "\(expected & 0xFF) dimension\(expected & 0xFF == 1 ? "" : "s"))"
        if magic == idxLabelsMagic {
            reason += "; is this a labels file?"
        } else if magic == idxImagesMagic {
            reason += "; is this an images file?"
        } else if magic >> 16 != 0 {
            reason += "; this is not an IDX file"
        }
        throw .malformed(file: name, reason: reason)
    }
    guard data.count >= headerSize else {
        throw .malformed(
            file: name, reason: "file is \(data.count) bytes, too short for an IDX \(kind) header (\(headerSize) bytes)")
    }
}
