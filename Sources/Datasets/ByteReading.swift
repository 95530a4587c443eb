// Small helpers for reading fixed-width integers out of byte arrays.
// Callers check bounds first; these only assemble bytes.

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body that throws `DatasetError` (the standard
    /// library's version rethrows untyped errors).
    func withBytes<Result>(
        _ body: (UnsafeRawBufferPointer) throws(DatasetError) -> Result
    ) throws(DatasetError) -> Result {
        let outcome: Swift.Result<Result, DatasetError> = withUnsafeBytes { buffer in
            Swift.Result { () throws(DatasetError) in try body(buffer) }
        }
        return try outcome.get()
    }

    /// The big-endian 32-bit unsigned integer at `offset` (IDX headers).
    func bigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }

    /// The little-endian 16-bit unsigned integer at `offset` (zip, NPY headers).
    func littleEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) | UInt16(self[offset + 1]) << 8
    }

    /// The little-endian 32-bit unsigned integer at `offset` (zip, NPY headers).
    func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
            | UInt32(self[offset + 3]) << 24
    }
}

/// `value` as 0x-prefixed, zero-padded, upper-case hex of `digits` digits, e.g. 0x00000803.
func hex<T: BinaryInteger>(_ value: T, digits: Int = 8) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, digits - text.count)) + text
}
