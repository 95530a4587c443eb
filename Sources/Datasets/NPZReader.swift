// Keras's mnist.npz: a NumPy .npz (zip of .npy arrays) holding
//   x_train (60000, 28, 28) uint8, y_train (60000,) uint8,
//   x_test  (10000, 28, 28) uint8, y_test  (10000,) uint8.
// Images must be uint8 of shape (N, H, W); labels may be any integer type of
// shape (N,) with values 0...9.

/// Reads Keras's mnist.npz (np.savez or np.savez_compressed) from bytes.
///
/// - Parameter name: the file named in errors (callers pass the path).
/// - Returns: both splits, with `origin` set to "`name` (npz)"; callers
///   that know better (the locator) replace it.
/// - Throws: `.malformed` naming `name` for a damaged archive, a missing
///   array (listing those present), a wrong dtype or shape, a label outside
///   0...9, or image and label counts that disagree.
public func readMNISTNPZ(_ bytes: [UInt8], name: String) throws(DatasetError) -> TrainTestData {
    let archive = try ZipArchive(bytes, name: name)
    let train = try readNPZImageSet(archive, images: "x_train", labels: "y_train")
    let test = try readNPZImageSet(archive, images: "x_test", labels: "y_test")
    guard train.rows == test.rows, train.cols == test.cols else {
        throw .malformed(
            file: name,
            reason: "x_test images are \(test.rows) x \(test.cols) but x_train images are \(train.rows) x \(train.cols)")
    }
    return TrainTestData(train: train, test: test, origin: "\(name) (npz)")
}

/// Reads an .npz file with x_train, y_train, x_test, y_test (`load npz FILE`).
///
/// - Throws: `.fileNotFound`, `.unreadable`, or `.malformed` as `readMNISTNPZ`.
public func readNPZFile(_ path: String) throws(DatasetError) -> TrainTestData {
    try readMNISTNPZ(readDataFile(path), name: path)
}

/// One split from two arrays of an archive, checking their counts agree.
func readNPZImageSet(_ archive: ZipArchive, images: String, labels: String) throws(DatasetError) -> ImageSet {
    let imageArray = try npzArray(archive, images)
    let labelArray = try npzArray(archive, labels)
    let (rows, cols, pixels) = try npzImages(imageArray, archive.name, images)
    let labelValues = try npzLabels(labelArray, archive.name, labels)
    let count = imageArray.shape[0]
    guard count == labelValues.count else {
        throw .malformed(
            file: archive.name, reason: "\(images) has \(count) images but \(labels) has \(labelValues.count) labels")
    }
    return ImageSet(rows: rows, cols: cols, pixels: pixels, labels: labelValues)
}

/// The array `name` (entry `name.npy`, or `name`), parsed; a missing one
/// lists what the archive has, and both spellings at once are refused.
func npzArray(_ archive: ZipArchive, _ name: String) throws(DatasetError) -> NPYArray {
    if archive.entry(named: name + ".npy") != nil, archive.entry(named: name) != nil {
        throw .malformed(
            file: archive.name, reason: "the archive has both '\(name).npy' and '\(name)'; which is meant is unclear")
    }
    guard let entry = archive.entry(named: name + ".npy") ?? archive.entry(named: name) else {
        // At most 10 names: an archive may hold tens of thousands.
        let shown = 10
        let present = archive.entries.prefix(shown).map {
            "'" + ($0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name).clipped(60) + "'"
        }
        let more = archive.entries.count > shown ? " and \(archive.entries.count - shown) more" : ""
        throw .malformed(
            file: archive.name,
            reason: "no array '\(name)' in the archive; it has "
                + (present.isEmpty ? "no arrays" : present.joined(separator: ", ") + more))
    }
    return try parseNPY(archive.contents(of: entry), name: archive.name, array: name)
}

/// An images array: uint8 of shape (N, H, W), every dimension positive, sides ≤ 4096.
func npzImages(_ array: NPYArray, _ file: String, _ name: String) throws(DatasetError) -> (Int, Int, [UInt8]) {
    func fail(_ reason: String) -> DatasetError { .malformed(file: file, reason: "array '\(name)': \(reason)") }
    guard array.elementType.kind == "u", array.elementType.size == 1 else {
        throw fail("dtype is '\(array.elementType.descr)', expected uint8 ('|u1') images")
    }
    guard array.shape.count == 3 else {
        throw fail("shape is \(array.shapeText), expected (count, rows, cols)")
    }
    guard array.shape.allSatisfy({ $0 > 0 }), array.shape[1] <= maximumImageSide, array.shape[2] <= maximumImageSide
    else {
        throw fail(
            "shape is \(array.shapeText); every dimension must be positive and images at most "
                + "\(maximumImageSide) x \(maximumImageSide)")
    }
    return (array.shape[1], array.shape[2], Array(array.bytes[array.dataOffset...]))
}

/// A labels array: any integer dtype of shape (N,), values 0...9, as bytes.
func npzLabels(_ array: NPYArray, _ file: String, _ name: String) throws(DatasetError) -> [UInt8] {
    func fail(_ reason: String) -> DatasetError { .malformed(file: file, reason: "array '\(name)': \(reason)") }
    let type = array.elementType
    guard type.isInteger else {
        throw fail("dtype is '\(type.descr)', expected integer labels (e.g. '|u1', '<i8')")
    }
    guard array.shape.count == 1 else {
        throw fail("shape is \(array.shapeText), expected (count,)")
    }
    let count = array.shape[0]
    var labels = [UInt8](repeating: 0, count: count)
    var badIndex: Int? = nil
    var badValue = ""
    array.bytes.withUnsafeBytes { raw in
        let data = raw[array.dataOffset...]
        let base = data.startIndex
        labels.withUnsafeMutableBufferPointer { out in
            for index in 0..<count {
                // Assemble the element in its byte order, then sign-extend.
                var bits: UInt64 = 0
                let start = base + index * type.size
                for byte in 0..<type.size {
                    let value = UInt64(data[start + (type.bigEndian ? byte : type.size - 1 - byte)])
                    bits = bits << 8 | value
                }
                var value = Int64(bitPattern: bits)
                if type.kind == "i", type.size < 8 {
                    let shift = UInt64(64 - 8 * type.size)
                    value = Int64(bitPattern: bits << shift) >> shift
                }
                guard value >= 0, value <= 9 else {
                    badIndex = index
                    badValue = type.kind == "u" ? "\(bits)" : "\(value)"
                    return
                }
                out[index] = UInt8(value)
            }
        }
    }
    if let badIndex {
        throw fail("label \(badValue) at index \(badIndex) is not a digit 0...9")
    }
    return labels
}
