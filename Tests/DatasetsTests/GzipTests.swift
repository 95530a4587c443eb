import Testing

@testable import Datasets

@Suite struct GzipTests {
    let original = Fixture.imageSet(count: 50).pixels

    @Test func gunzipRoundTrips() throws {
        let compressed = Fixture.gzip(original)
        #expect(isGzip(compressed))
        #expect(!isGzip(original))
        #expect(try gunzip(compressed, name: "x.gz") == original)
    }

    @Test func emptyInputRoundTrips() throws {
        #expect(try gunzip(Fixture.gzip([]), name: "x.gz") == [])
    }

    @Test(arguments: [1, 9, 100, 1000])
    func truncatedStreamIsAnError(cut: Int) {
        let compressed = Fixture.gzip(original)
        let error = Fixture.error { () throws(DatasetError) in
            try gunzip(Array(compressed.dropLast(cut)), name: "cut.gz")
        }
        #expect(error == .malformed(file: "cut.gz", reason: "truncated gzip stream"))
    }

    @Test func corruptDataIsAnError() {
        var compressed = Fixture.gzip(original)
        for i in 20..<60 { compressed[i] ^= 0x5A }
        let error = Fixture.error { () throws(DatasetError) in try gunzip(compressed, name: "bad.gz") }
        guard case .malformed(let file, let reason)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(file == "bad.gz")
        #expect(reason.hasPrefix("corrupt gzip data: "))
    }

    @Test func wrongChecksumIsAnError() {
        var compressed = Fixture.gzip(original)
        compressed[compressed.count - 6] ^= 0xFF  // inside the CRC-32 of the trailer
        let error = Fixture.error { () throws(DatasetError) in try gunzip(compressed, name: "crc.gz") }
        #expect(error == .malformed(file: "crc.gz", reason: "corrupt gzip data: incorrect data check"))
    }

    @Test func outputAboveTheLimitIsRefused() {
        // 4 MiB of zeros compress to about 4 KiB: a small zip bomb.
        let bomb = Fixture.gzip([UInt8](repeating: 0, count: 4 << 20))
        #expect(bomb.count < 10_000)
        let error = Fixture.error { () throws(DatasetError) in try gunzip(bomb, name: "bomb.gz", limit: 1 << 20) }
        #expect(error?.description.contains("inflates to more than 1048576 bytes") == true)
    }

    @Test func concatenatedMembersAreReadAsOneStream() throws {
        // `cat a.gz b.gz > c.gz` is valid gzip: gzip, zcat and Python read both members.
        let first = Array(original.prefix(700)), second = Array(original.dropFirst(700))
        let joined = Fixture.gzip(first) + Fixture.gzip(second) + Fixture.gzip([])
        #expect(try gunzip(joined, name: "two.gz") == original)
        // Zero padding after the last member is ignored, as gzip does.
        #expect(try gunzip(joined + [0, 0, 0, 0], name: "padded.gz") == original)
    }

    @Test func theLimitCoversAllMembers() {
        let joined = Fixture.gzip([UInt8](repeating: 0, count: 600)) + Fixture.gzip([UInt8](repeating: 0, count: 600))
        let error = Fixture.error { () throws(DatasetError) in try gunzip(joined, name: "two.gz", limit: 1000) }
        #expect(error?.description.contains("inflates to more than 1000 bytes") == true)
    }

    @Test func aDamagedSecondMemberIsAnError() {
        let good = Fixture.gzip(original)
        let garbage = Fixture.error { () throws(DatasetError) in try gunzip(good + [0x42, 0x43], name: "tail.gz") }
        #expect(garbage?.description.hasPrefix("tail.gz: corrupt gzip data: ") == true)
        let cut = Fixture.error { () throws(DatasetError) in
            try gunzip(good + Array(good.dropLast(9)), name: "cut.gz")
        }
        #expect(cut == .malformed(file: "cut.gz", reason: "truncated gzip stream"))
    }

    @Test func rawDeflateChecksTheSize() throws {
        // The entry sits inside a bigger array, as in a zip archive.
        let compressed = Fixture.deflate(original, windowBits: -15)
        let archive = [UInt8](repeating: 0xAB, count: 30) + compressed + [UInt8](repeating: 0xCD, count: 40)
        let range = 30..<(30 + compressed.count)
        #expect(try inflateRaw(archive, range: range, expectedSize: original.count, name: "a.npz", entry: "x.npy") == original)
        let long = Fixture.error { () throws(DatasetError) in
            try inflateRaw(archive, range: range, expectedSize: original.count - 1, name: "a.npz", entry: "x.npy")
        }
        #expect(long?.description.contains("a.npz: deflate data in 'x.npy' inflates to more than") == true)
        let short = Fixture.error { () throws(DatasetError) in
            try inflateRaw(archive, range: range, expectedSize: original.count + 1, name: "a.npz", entry: "x.npy")
        }
        #expect(
            short
                == .malformed(
                    file: "a.npz",
                    reason: "'x.npy' inflates to \(original.count) bytes, but the archive says \(original.count + 1)"))
        let cut = Fixture.error { () throws(DatasetError) in
            try inflateRaw(
                archive, range: 30..<(20 + compressed.count), expectedSize: original.count, name: "a.npz", entry: "x.npy")
        }
        #expect(cut == .malformed(file: "a.npz", reason: "truncated deflate stream in 'x.npy'"))
    }

    @Test func inflaterReadsInPiecesAndStopsWhereAsked() throws {
        let inflater = try Inflater(Fixture.gzip(original), format: .gzip, name: "x.gz")
        let head = try inflater.read(16)
        #expect(head == Array(original.prefix(16)))
        #expect(!inflater.isFinished)
        #expect(inflater.producedCount == 16)
        let middle = try inflater.read(1000)
        #expect(middle == Array(original[16..<1016]))
        #expect(inflater.producedCount == 1016)
        let rest = try inflater.read(original.count)  // more than is left: stops at the end
        #expect(head + middle + rest == original)
        #expect(inflater.isFinished)
        #expect(try inflater.read(10) == [])
    }

    @Test func aBombStopsAtTheRequestedSize() throws {
        // 16 MiB of zeros compress to about 16 KiB.
        let bomb = Fixture.gzip([UInt8](repeating: 0, count: 16 << 20))
        let inflater = try Inflater(bomb, format: .gzip, name: "bomb.gz")
        #expect(try inflater.read(1001).count == 1001)
        #expect(inflater.producedCount == 1001)
        #expect(!inflater.isFinished)
    }
}

/// libdeflate's fast path gives zlib's bytes for well-formed data and
/// declines (nil) everything else, which zlib then reads and names.
struct FastInflateTests {
    static let data = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 300) }

    @Test func wellFormedGzipMatchesZlib() throws {
        let one = Fixture.gzip(Self.data)
        #expect(FastInflate.gzip(one, size: Self.data.count) == Self.data)
        // Several members, then zero padding, as `cat a.gz b.gz` and tapes make.
        let two = Fixture.gzip(Array(Self.data[..<20_000])) + Fixture.gzip(Array(Self.data[20_000...])) + [0, 0, 0]
        #expect(FastInflate.gzip(two, size: Self.data.count) == Self.data)
        #expect(try gunzip(two, name: "two.gz") == Self.data)
        // A header read already: the rest, moved down in place.
        #expect(FastInflate.gzip(one, size: Self.data.count - 16, skipping: 16) == Array(Self.data[16...]))
    }

    @Test func anythingElseIsLeftToZlib() {
        let good = Fixture.gzip(Self.data)
        #expect(FastInflate.gzip(good, size: Self.data.count - 1) == nil, "more data than expected")
        #expect(FastInflate.gzip(good, size: Self.data.count + 1) == nil, "less data than expected")
        #expect(FastInflate.gzip(Array(good.dropLast(9)), size: Self.data.count) == nil, "truncated")
        var corrupt = good
        corrupt[corrupt.count / 2] ^= 0x55
        #expect(FastInflate.gzip(corrupt, size: Self.data.count) == nil, "corrupt")
        #expect(FastInflate.gzip(good + [1, 2, 3], size: Self.data.count) == nil, "trailing garbage")
        // A size no deflate stream of this length can reach is not even allocated.
        #expect(FastInflate.gzip(good, size: 1 << 30) == nil)
    }
}
