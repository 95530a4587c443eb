// Reading zip archives (PKWARE APPNOTE), enough for NumPy's .npz files:
// np.savez stores entries (method 0), np.savez_compressed deflates them
// (method 8). The central directory is authoritative for names and sizes
// (NumPy writes 0xFFFFFFFF sizes plus a zip64 extra field in local headers);
// every offset and size is checked against the archive's length before use.
//
//   end of central directory (22 bytes + comment), at the end of the file:
//     0x06054b50, disk, cd disk, entries on disk, entries, cd size, cd offset, comment length
//   central directory entry (46 bytes + name + extra + comment):
//     0x02014b50, ..., flags @8, method @10, crc32 @16, compressed @20,
//     uncompressed @24, name length @28, extra @30, comment @32, local header offset @42
//   local header (30 bytes + name + extra), then the entry's data:
//     0x04034b50, ..., name length @26, extra length @28

import CZlibSystem

/// A zip archive held in memory, with its central directory parsed (also
/// the container of Keras's `.keras` files).
public struct ZipArchive: Sendable {
    /// One file inside the archive, as the central directory describes it.
    public struct Entry: Equatable, Sendable {
        public var name: String
        var flags: UInt16
        var method: UInt16
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    /// The archive's bytes.
    let bytes: [UInt8]
    /// The file named in errors.
    let name: String
    /// Entries in central-directory order.
    public private(set) var entries: [Entry] = []
    /// Where each name is in `entries`: lookups and the duplicate check stay
    /// linear in the number of entries (a zip may list 65,535).
    private var indexByName: [String: Int] = [:]
    /// Where the central directory starts; entry data must end before it.
    private var centralDirectoryOffset = 0

    /// Parses the end-of-central-directory record and the central directory.
    ///
    /// - Throws: `.malformed` naming `name` for something that is not a zip
    ///   archive, a truncated one, or an unsupported one (zip64, multi-disk).
    public init(_ bytes: [UInt8], name: String) throws(DatasetError) {
        self.bytes = bytes
        self.name = name
        func fail(_ reason: String) -> DatasetError { .malformed(file: name, reason: reason) }

        guard let end = Self.findEndRecord(bytes) else {
            if bytes.count >= 4, bytes.littleEndianUInt32(at: 0) == 0x0403_4B50 {
                throw fail("truncated zip archive (no end-of-central-directory record)")
            }
            if bytes.count >= 6, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) {
                throw fail("this is a single .npy array, not an .npz archive of arrays")
            }
            throw fail("not a zip archive (an .npz file is a zip archive of .npy arrays)")
        }
        let disk = bytes.littleEndianUInt16(at: end + 4)
        let centralDisk = bytes.littleEndianUInt16(at: end + 6)
        let entriesOnDisk = bytes.littleEndianUInt16(at: end + 8)
        let entryCount = bytes.littleEndianUInt16(at: end + 10)
        let centralSize = bytes.littleEndianUInt32(at: end + 12)
        let centralOffset = bytes.littleEndianUInt32(at: end + 16)
        if entryCount == 0xFFFF || centralSize == 0xFFFF_FFFF || centralOffset == 0xFFFF_FFFF {
            throw fail("zip64 archives are not supported")
        }
        guard disk == 0, centralDisk == 0, entriesOnDisk == entryCount else {
            throw fail("multi-disk (split) zip archives are not supported")
        }
        guard Int(centralOffset) + Int(centralSize) <= end else {
            throw fail(
                "central directory at \(centralOffset) + \(centralSize) bytes runs past the "
                    + "end record at \(end); is the archive truncated?")
        }
        centralDirectoryOffset = Int(centralOffset)

        var position = Int(centralOffset)
        let centralEnd = Int(centralOffset) + Int(centralSize)
        let entrySize = 46
        for index in 0..<Int(entryCount) {
            guard position + entrySize <= centralEnd, bytes.littleEndianUInt32(at: position) == 0x0201_4B50 else {
                throw fail("central directory entry \(index) is damaged")
            }
            let nameLength = Int(bytes.littleEndianUInt16(at: position + 28))
            let extraLength = Int(bytes.littleEndianUInt16(at: position + 30))
            let commentLength = Int(bytes.littleEndianUInt16(at: position + 32))
            let next = position + entrySize + nameLength + extraLength + commentLength
            guard next <= centralEnd else { throw fail("central directory entry \(index) is damaged") }
            let entry = Entry(
                name: String(decoding: bytes[position + entrySize..<position + entrySize + nameLength], as: UTF8.self),
                flags: bytes.littleEndianUInt16(at: position + 8),
                method: bytes.littleEndianUInt16(at: position + 10),
                crc32: bytes.littleEndianUInt32(at: position + 16),
                compressedSize: Int(bytes.littleEndianUInt32(at: position + 20)),
                uncompressedSize: Int(bytes.littleEndianUInt32(at: position + 24)),
                localHeaderOffset: Int(bytes.littleEndianUInt32(at: position + 42)))
            if entry.compressedSize == 0xFFFF_FFFF || entry.uncompressedSize == 0xFFFF_FFFF
                || entry.localHeaderOffset == 0xFFFF_FFFF
            {
                throw fail("entry '\(entry.name)' uses zip64, which is not supported")
            }
            // Two entries of one name: which one a reader gets would be an accident.
            guard indexByName.updateValue(entries.count, forKey: entry.name) == nil else {
                throw fail("'\(entry.name.clipped())' appears twice in the archive")
            }
            entries.append(entry)
            position = next
        }
    }

    /// The entry called `entryName`, if any.
    public func entry(named entryName: String) -> Entry? {
        indexByName[entryName].map { entries[$0] }
    }

    /// The uncompressed contents of `entry`, CRC-checked.
    ///
    /// - Parameter limit: the most bytes an entry may inflate to (default 1 GiB).
    /// - Throws: `.malformed` for an out-of-range offset, an encrypted entry,
    ///   an unsupported method, bad deflate data, or a CRC-32 mismatch.
    public func contents(of entry: Entry, limit: Int = 1 << 30) throws(DatasetError) -> [UInt8] {
        func fail(_ reason: String) -> DatasetError { .malformed(file: name, reason: "entry '\(entry.name)': \(reason)") }

        let localSize = 30
        let local = entry.localHeaderOffset
        guard local + localSize <= centralDirectoryOffset, bytes.littleEndianUInt32(at: local) == 0x0403_4B50 else {
            throw fail("no local header at offset \(local); is the archive damaged?")
        }
        let dataStart =
            local + localSize + Int(bytes.littleEndianUInt16(at: local + 26))
            + Int(bytes.littleEndianUInt16(at: local + 28))
        guard dataStart + entry.compressedSize <= centralDirectoryOffset else {
            throw fail(
                "data at \(dataStart) + \(entry.compressedSize) bytes runs past the central directory at "
                    + "\(centralDirectoryOffset); is the archive truncated?")
        }
        guard entry.flags & 1 == 0 else { throw fail("the entry is encrypted") }
        guard entry.uncompressedSize <= limit else {
            throw fail("the entry is \(entry.uncompressedSize) bytes, more than the \(limit)-byte limit")
        }

        let data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw fail(
                    "stored entry has \(entry.compressedSize) bytes but claims \(entry.uncompressedSize) uncompressed")
            }
            data = Array(bytes[dataStart..<dataStart + entry.compressedSize])
        case 8:
            data = try inflateRaw(
                bytes, range: dataStart..<dataStart + entry.compressedSize, expectedSize: entry.uncompressedSize,
                name: name, entry: entry.name)
        default:
            throw fail("compression method \(entry.method) is not supported (only stored and deflate)")
        }

        let checksum = data.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32_z(0, buffer.baseAddress, buffer.count))
        }
        guard checksum == entry.crc32 else {
            throw fail("CRC-32 is \(hex(checksum)), the archive says \(hex(entry.crc32)); the data is corrupt")
        }
        return data
    }

    /// Offset of the end-of-central-directory record: its signature, searched
    /// backwards over the last 22 + 65,535 bytes (the longest comment).
    private static func findEndRecord(_ bytes: [UInt8]) -> Int? {
        let recordSize = 22
        guard bytes.count >= recordSize else { return nil }
        let lowest = max(0, bytes.count - recordSize - 0xFFFF)
        var offset = bytes.count - recordSize
        while offset >= lowest {
            if bytes[offset] == 0x50, bytes.littleEndianUInt32(at: offset) == 0x0605_4B50,
                offset + recordSize + Int(bytes.littleEndianUInt16(at: offset + 20)) <= bytes.count
            {
                return offset
            }
            offset -= 1
        }
        return nil
    }
}
