// Test fixtures built from bytes: IDX files, gzip and raw deflate (through
// zlib), NPY arrays and zip archives, so no test depends on files on disk
// other than those it writes into its own temporary folder.

import CZlibSystem
import Foundation
import Testing

@testable import Datasets

/// A damaged input for a table-driven test: a short label (what the test
/// output shows), the bytes, and a phrase the error message must contain.
struct BadInput: Sendable, CustomTestStringConvertible {
    var label: String
    var bytes: [UInt8]
    var expected: String

    init(_ label: String, _ bytes: [UInt8], _ expected: String) {
        self.label = label
        self.bytes = bytes
        self.expected = expected
    }

    var testDescription: String { label }
}

enum Fixture {
    /// A deterministic set: pixel k of image i is (7i + k) % 256, label i % 10.
    static func imageSet(count: Int, rows: Int = 28, cols: Int = 28) -> ImageSet {
        let width = rows * cols
        var pixels = [UInt8](repeating: 0, count: count * width)
        for i in 0..<count {
            for k in 0..<width { pixels[i * width + k] = UInt8((7 * i + k) % 256) }
        }
        return ImageSet(rows: rows, cols: cols, pixels: pixels, labels: (0..<count).map { UInt8($0 % 10) })
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func littleEndian16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }

    static func littleEndian32(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    /// An IDX images file: magic, count, rows, cols, pixels.
    static func idxImages(
        magic: UInt32 = 0x0000_0803, count: UInt32, rows: UInt32, cols: UInt32, pixels: [UInt8]
    ) -> [UInt8] {
        bigEndian(magic) + bigEndian(count) + bigEndian(rows) + bigEndian(cols) + pixels
    }

    static func idxImages(_ set: ImageSet) -> [UInt8] {
        idxImages(count: UInt32(set.count), rows: UInt32(set.rows), cols: UInt32(set.cols), pixels: set.pixels)
    }

    /// An IDX labels file: magic, count, labels.
    static func idxLabels(magic: UInt32 = 0x0000_0801, count: UInt32? = nil, _ labels: [UInt8]) -> [UInt8] {
        bigEndian(magic) + bigEndian(count ?? UInt32(labels.count)) + labels
    }

    /// Compresses with zlib's deflate: windowBits 15 + 16 gives gzip, -15 raw deflate.
    static func deflate(_ bytes: [UInt8], windowBits: Int32, level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK)
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(bytes.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                let result = CZlibSystem.deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] { deflate(bytes, windowBits: 15 + 16) }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, $0.count)) }
    }

    /// An NPY file, version 1 (UInt16 header length) or 2/3 (UInt32).
    static func npy(
        descr: String, shape: [Int], data: [UInt8], fortranOrder: Bool = false, version: UInt8 = 1
    ) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        let prefix = version == 1 ? 10 : 12
        while (prefix + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        let lengthBytes = version == 1 ? littleEndian16(length) : littleEndian32(UInt32(length))
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + lengthBytes + Array(header.utf8) + data
    }

    /// A zip archive of `entries`, stored (method 0) or deflated (method 8),
    /// laid out as Python's zipfile writes it.
    static func zip(_ entries: [(name: String, data: [UInt8])], deflated: Bool) -> [UInt8] {
        var archive: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let payload = deflated ? deflate(data, windowBits: -15) : data
            let nameBytes = Array(name.utf8)
            let method = deflated ? 8 : 0
            let checksum = crc(data)
            let offset = archive.count
            archive += littleEndian32(0x0403_4B50) + littleEndian16(20) + littleEndian16(0) + littleEndian16(method)
            archive += littleEndian16(0) + littleEndian16(0x21) + littleEndian32(checksum)
            archive += littleEndian32(UInt32(payload.count)) + littleEndian32(UInt32(data.count))
            archive += littleEndian16(nameBytes.count) + littleEndian16(0) + nameBytes + payload
            central += littleEndian32(0x0201_4B50) + littleEndian16(20) + littleEndian16(20) + littleEndian16(0)
            central += littleEndian16(method) + littleEndian16(0) + littleEndian16(0x21) + littleEndian32(checksum)
            central += littleEndian32(UInt32(payload.count)) + littleEndian32(UInt32(data.count))
            central += littleEndian16(nameBytes.count) + littleEndian16(0) + littleEndian16(0) + littleEndian16(0)
            central += littleEndian16(0) + littleEndian32(0) + littleEndian32(UInt32(offset)) + nameBytes
        }
        let centralOffset = archive.count
        archive += central
        archive += littleEndian32(0x0605_4B50) + littleEndian16(0) + littleEndian16(0)
        archive += littleEndian16(entries.count) + littleEndian16(entries.count)
        archive += littleEndian32(UInt32(central.count)) + littleEndian32(UInt32(centralOffset)) + littleEndian16(0)
        return archive
    }

    /// The four arrays of Keras's mnist.npz, with uint8 labels unless `labelDescr` says otherwise.
    static func mnistArrays(train: ImageSet, test: ImageSet) -> [(name: String, data: [UInt8])] {
        [
            ("x_train.npy", npy(descr: "|u1", shape: [train.count, train.rows, train.cols], data: train.pixels)),
            ("y_train.npy", npy(descr: "|u1", shape: [train.count], data: train.labels)),
            ("x_test.npy", npy(descr: "|u1", shape: [test.count, test.rows, test.cols], data: test.pixels)),
            ("y_test.npy", npy(descr: "|u1", shape: [test.count], data: test.labels)),
        ]
    }

    static func mnistNPZ(train: ImageSet, test: ImageSet, deflated: Bool) -> [UInt8] {
        zip(mnistArrays(train: train, test: test), deflated: deflated)
    }

    /// A fresh empty folder under the system's temporary folder.
    static func temporaryFolder() -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("dnb-datasets-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], _ path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let written = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(written, "cannot write \(path)")
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes the four MNIST IDX files of `train` and `test` into `folder`,
    /// gzipped or not, named `train-images-idx3-ubyte` etc. (or with
    /// `separator` "." as in `train-images.idx3-ubyte`).
    static func writeIDXFolder(
        _ folder: String, train: ImageSet, test: ImageSet, gzipped: Bool, separator: String = "-"
    ) {
        let suffix = gzipped ? ".gz" : ""
        let files: [(String, [UInt8])] = [
            ("train-images\(separator)idx3-ubyte", idxImages(train)),
            ("train-labels\(separator)idx1-ubyte", idxLabels(train.labels)),
            ("t10k-images\(separator)idx3-ubyte", idxImages(test)),
            ("t10k-labels\(separator)idx1-ubyte", idxLabels(test.labels)),
        ]
        for (name, bytes) in files {
            write(gzipped ? gzip(bytes) : bytes, folder + "/" + name + suffix)
        }
    }

    /// The error `body` throws, recording an issue when it throws none.
    static func error<T>(
        _ body: () throws(DatasetError) -> T, sourceLocation: SourceLocation = #_sourceLocation
    ) -> DatasetError? {
        do {
            _ = try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}
