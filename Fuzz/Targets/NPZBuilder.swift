import CZlibSystem

/// Small valid mnist.npz contents, for the NPY harness to place a fuzzed
/// array among (and for the seed corpora's tests).
enum NPZBuilder {
    static func littleEndian(_ value: Int, _ bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// An NPY v1 array of uint8.
    static func npy(shape: [Int], data: [UInt8]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': \(shapeText), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + littleEndian(header.utf8.count, 2) + Array(header.utf8) + data
    }

    /// Keras's four arrays: 2 training and 1 test image of 4 x 4 (the seeds' size).
    static func mnistArrays() -> [(name: String, data: [UInt8])] {
        let bar: [UInt8] = (0..<16).map { $0 % 4 == 2 ? 255 : 0 }
        return [
            ("x_train.npy", npy(shape: [2, 4, 4], data: bar + bar)),
            ("y_train.npy", npy(shape: [2], data: [3, 7])),
            ("x_test.npy", npy(shape: [1, 4, 4], data: bar)),
            ("y_test.npy", npy(shape: [1], data: [9])),
        ]
    }

    /// A zip archive of stored (uncompressed) entries, as np.savez writes it.
    static func storedZip(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
        var archive: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let nameBytes = Array(name.utf8)
            let checksum = data.withUnsafeBufferPointer { Int(crc32_z(0, $0.baseAddress, $0.count)) }
            let common =
                littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0x21, 2)
                + littleEndian(checksum, 4) + littleEndian(data.count, 4) + littleEndian(data.count, 4)
                + littleEndian(nameBytes.count, 2) + littleEndian(0, 2)
            let offset = archive.count
            archive += littleEndian(0x0403_4B50, 4) + littleEndian(20, 2) + common + nameBytes + data
            central += littleEndian(0x0201_4B50, 4) + littleEndian(20, 2) + littleEndian(20, 2) + common
            central += littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 2) + littleEndian(0, 4)
            central += littleEndian(offset, 4) + nameBytes
        }
        let centralOffset = archive.count
        archive += central
        archive += littleEndian(0x0605_4B50, 4) + littleEndian(0, 2) + littleEndian(0, 2)
        archive += littleEndian(entries.count, 2) + littleEndian(entries.count, 2)
        archive += littleEndian(central.count, 4) + littleEndian(centralOffset, 4) + littleEndian(0, 2)
        return archive
    }
}
