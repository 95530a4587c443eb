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

    @Test func concatenatedMembersAreRefused() {
        let twice = Fixture.gzip(original) + Fixture.gzip(original)
        let error = Fixture.error { () throws(DatasetError) in try gunzip(twice, name: "two.gz") }
        #expect(error?.description.contains("several gzip members") == true)
    }

    @Test func rawDeflateChecksTheSize() throws {
        let compressed = Fixture.deflate(original, windowBits: -15)
        let inflated = try compressed.withBytes { bytes throws(DatasetError) in
            try inflateRaw(bytes, expectedSize: original.count, name: "a.npz", entry: "x.npy")
        }
        #expect(inflated == original)
        let error = Fixture.error { () throws(DatasetError) in
            try compressed.withBytes { bytes throws(DatasetError) in
                try inflateRaw(bytes, expectedSize: original.count - 1, name: "a.npz", entry: "x.npy")
            }
        }
        #expect(error?.description.contains("a.npz: deflate data in 'x.npy' inflates to more than") == true)
    }
}
