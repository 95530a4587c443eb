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
/// - Parameter name: the file named in errors (callers pass the path).
/// - Returns: count × rows × cols pixels, row-major.
/// - Throws: `.malformed` naming `name` for a bad magic number, a zero or
///   oversized dimension (side > 4096), a pixel count that does not match
///   the file's length, or bad gzip data.
public func readIDXImages(
    _ bytes: [UInt8], name: String
) throws(DatasetError) -> (count: Int, rows: Int, cols: Int, pixels: [UInt8]) {
    let gzipped = isGzip(bytes)
    let data = gzipped ? try gunzip(bytes, name: name) : bytes
    let headerSize = 16
    try checkIDXMagic(data, expected: idxImagesMagic, headerSize: headerSize, name: name)

    let count = Int(data.bigEndianUInt32(at: 4))
    let rows = Int(data.bigEndianUInt32(at: 8))
    let cols = Int(data.bigEndianUInt32(at: 12))
    let dims = "\(count) x \(rows) x \(cols)"
    guard count > 0, rows > 0, cols > 0 else {
        throw .malformed(file: name, reason: "header says \(dims) images; every dimension must be positive")
    }
    guard rows <= maximumImageSide, cols <= maximumImageSide else {
        throw .malformed(
            file: name,
            reason: "header says images of \(rows) x \(cols) pixels; at most "
                + "\(maximumImageSide) x \(maximumImageSide) is supported")
    }
    let (perImage, overflow1) = rows.multipliedReportingOverflow(by: cols)
    let (pixelCount, overflow2) = count.multipliedReportingOverflow(by: perImage)
    let available = data.count - headerSize
    guard !overflow1, !overflow2, pixelCount == available else {
        let amount = overflow1 || overflow2 ? "more" : "\(pixelCount)"
        throw .malformed(
            file: name,
            reason: "header says \(dims) = \(amount) bytes of pixels, file has \(available)"
                + lengthNote(gzipped: gzipped, headerSize: headerSize, short: overflow1 || overflow2 || available < pixelCount))
    }
    return (count, rows, cols, Array(data[headerSize...]))
}

/// Reads an IDX labels file (raw or gzipped); every label must be a digit 0...9.
///
/// - Parameter name: the file named in errors (callers pass the path).
/// - Throws: `.malformed` naming `name` for a bad magic number, a count that
///   does not match the file's length, a label above 9 (with its index), or
///   bad gzip data.
public func readIDXLabels(_ bytes: [UInt8], name: String) throws(DatasetError) -> [UInt8] {
    let gzipped = isGzip(bytes)
    let data = gzipped ? try gunzip(bytes, name: name) : bytes
    let headerSize = 8
    try checkIDXMagic(data, expected: idxLabelsMagic, headerSize: headerSize, name: name)

    let count = Int(data.bigEndianUInt32(at: 4))
    guard count > 0 else {
        throw .malformed(file: name, reason: "header says 0 labels; the count must be positive")
    }
    let available = data.count - headerSize
    guard count == available else {
        throw .malformed(
            file: name,
            reason: "header says \(count) labels = \(count) bytes, file has \(available)"
                + lengthNote(gzipped: gzipped, headerSize: headerSize, short: available < count))
    }
    let labels = Array(data[headerSize...])
    if let index = labels.firstIndex(where: { $0 > 9 }) {
        throw .malformed(file: name, reason: "label \(labels[index]) at index \(index) is not a digit 0...9")
    }
    return labels
}

/// Reads an IDX images file and its labels file into one set
/// (`load idx IMAGES LABELS`); errors name the file at fault.
///
/// - Throws: `.fileNotFound`, `.unreadable`, or `.malformed` (also when the
///   two files disagree on the number of images).
public func readIDXPair(imagesPath: String, labelsPath: String) throws(DatasetError) -> ImageSet {
    let images = try readIDXImages(readFileBytes(imagesPath), name: imagesPath)
    let labels = try readIDXLabels(readFileBytes(labelsPath), name: labelsPath)
    guard images.count == labels.count else {
        throw .malformed(
            file: labelsPath,
            reason: "has \(labels.count) labels, but \(imagesPath) has \(images.count) images")
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
        var reason = "magic number is \(hex(magic)), expected \(hex(expected)) (IDX \(kind): unsigned bytes, "
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

/// The tail of a length-mismatch message: which bytes were counted, and
/// whether the file looks cut short.
private func lengthNote(gzipped: Bool, headerSize: Int, short: Bool) -> String {
    var note = " (after the \(headerSize)-byte header\(gzipped ? ", decompressed" : ""))"
    if short { note += "; is the file truncated?" }
    return note
}
