// A zip archive of stored (uncompressed) entries, as Keras's `.keras` files
// are: local header + data per entry, then the central directory and its
// end record (PKWARE APPNOTE 4.3). CRC-32 from zlib. No zip64: the whole
// archive stays under 4 GiB, which `entries` checks.

import CZlibSystem

/// Stored-entry zip archives.
enum ZipWriter {
    /// The archive of `entries` (name, bytes) in order, with a fixed date
    /// (1980-01-01), so the same model gives the same bytes.
    static func archive(_ entries: [(name: String, bytes: [UInt8])]) throws(ModelFormatError) -> [UInt8] {
        var output: [UInt8] = []
        var central: [UInt8] = []
        func u16(_ value: Int, _ into: inout [UInt8]) {
            into += [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)]
        }
        func u32(_ value: UInt32, _ into: inout [UInt8]) {
            for k in 0..<4 { into.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(k)))) }
        }
        let total = entries.reduce(0) { $0 + $1.bytes.count + 2 * (46 + $1.name.utf8.count) }
        guard total < Int(UInt32.max) - 1024, entries.count < 65_535 else {
            throw .cannotWrite("the archive would be over 4 GiB, which needs zip64")
        }
        for (name, bytes) in entries {
            let crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            let nameBytes = Array(name.utf8)
            let offset = UInt32(output.count)
            // Version 2.0, no flags, method 0 (stored), DOS time 0:00, date 1980-01-01.
            func common(_ into: inout [UInt8]) {
                u16(20, &into)
                u16(0, &into)
                u16(0, &into)
                u16(0, &into)
                u16(0x21, &into)
                u32(crc, &into)
                u32(UInt32(bytes.count), &into)
                u32(UInt32(bytes.count), &into)
                u16(nameBytes.count, &into)
                u16(0, &into)
            }
            u32(0x0403_4B50, &output)
            common(&output)
            output += nameBytes
            output += bytes

            u32(0x0201_4B50, &central)
            u16(20, &central)  // made by
            common(&central)
            u16(0, &central)  // comment length
            u16(0, &central)  // disk
            u16(0, &central)  // internal attributes
            u32(0, &central)  // external attributes
            u32(offset, &central)
            central += nameBytes
        }
        let centralOffset = UInt32(output.count)
        output += central
        u32(0x0605_4B50, &output)
        u16(0, &output)
        u16(0, &output)
        u16(entries.count, &output)
        u16(entries.count, &output)
        u32(UInt32(central.count), &output)
        u32(centralOffset, &output)
        u16(0, &output)
        return output
    }
}
