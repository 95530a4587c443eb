import Testing

@testable import Datasets

@Suite struct IDXReaderTests {
    let set = Fixture.imageSet(count: 12, rows: 3, cols: 5)

    @Test(arguments: [false, true])
    func readsImages(gzipped: Bool) throws {
        let raw = Fixture.idxImages(set)
        let images = try readIDXImages(gzipped ? Fixture.gzip(raw) : raw, name: "images")
        #expect(images.count == 12)
        #expect(images.rows == 3)
        #expect(images.cols == 5)
        #expect(images.pixels == set.pixels)
    }

    @Test(arguments: [false, true])
    func readsLabels(gzipped: Bool) throws {
        let raw = Fixture.idxLabels(set.labels)
        #expect(try readIDXLabels(gzipped ? Fixture.gzip(raw) : raw, name: "labels") == set.labels)
    }

    /// Bad images files and a phrase the error must contain.
    static let badImages: [BadInput] = [
        BadInput("empty", [], "file is 0 bytes, too short for an IDX images header (16 bytes)"),
        BadInput("short header", Fixture.bigEndian(0x803) + [0, 0], "too short for an IDX images header"),
        BadInput(
            "labels magic", Fixture.idxLabels([1, 2, 3]),
            "magic number is 0x00000801, expected 0x00000803 (IDX images: unsigned bytes, 3 dimensions); is this a labels file?"
        ),
        BadInput(
            "PNG", [0x89, 0x50, 0x4E, 0x47] + [UInt8](repeating: 0, count: 20), "magic number is 0x89504E47, expected 0x00000803"),
        BadInput(
            "too few pixels", Fixture.idxImages(count: 60000, rows: 28, cols: 28, pixels: [UInt8](repeating: 1, count: 123)),
            "header says 60000 x 28 x 28 = 47040000 bytes of pixels, file has 123 (after the 16-byte header); is the file truncated?"
        ),
        BadInput(
            "too many pixels", Fixture.idxImages(count: 2, rows: 2, cols: 2, pixels: [UInt8](repeating: 1, count: 9)),
            "header says 2 x 2 x 2 = 8 bytes of pixels, file has 9"
        ),
        BadInput("zero count", Fixture.idxImages(count: 0, rows: 28, cols: 28, pixels: []), "header says 0 x 28 x 28 images"),
        BadInput("zero rows", Fixture.idxImages(count: 1, rows: 0, cols: 28, pixels: []), "every dimension must be positive"),
        BadInput(
            "huge side", Fixture.idxImages(count: 1, rows: 5000, cols: 28, pixels: []),
            "header says images of 5000 x 28 pixels; at most 4096 x 4096 is supported"
        ),
    ]

    @Test(arguments: badImages)
    func rejectsBadImages(_ input: BadInput) {
        let error = Fixture.error { () throws(DatasetError) in try readIDXImages(input.bytes, name: "data/train-images") }
        guard case .malformed(let file, let reason)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(file == "data/train-images")
        #expect(reason.contains(input.expected), "\(reason)")
        #expect(error?.description.hasPrefix("data/train-images: ") == true)
    }

    @Test func billionsOfImagesFailFastWithoutAllocating() {
        // 4,294,967,295 x 4096 x 4096 would be 72 PB; the length check must come first.
        let header = Fixture.idxImages(count: 0xFFFF_FFFF, rows: 4096, cols: 4096, pixels: [1, 2, 3])
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            let error = Fixture.error { () throws(DatasetError) in try readIDXImages(header, name: "huge") }
            #expect(
                error?.description
                    == "huge: header says 4294967295 x 4096 x 4096 = 72057594021150720 bytes of pixels, "
                    + "file has 3 (after the 16-byte header); is the file truncated?")
        }
        #expect(elapsed < .milliseconds(100))
    }

    @Test func gzippedLengthMismatchSaysDecompressed() {
        let bytes = Fixture.gzip(Fixture.idxImages(count: 5, rows: 2, cols: 2, pixels: [1, 2, 3]))
        let error = Fixture.error { () throws(DatasetError) in try readIDXImages(bytes, name: "x.gz") }
        #expect(error?.description.contains("file has 3 (after the 16-byte header, decompressed)") == true)
    }

    /// Bad labels files and a phrase the error must contain.
    static let badLabels: [BadInput] = [
        BadInput("empty", [], "file is 0 bytes, too short for an IDX labels header (8 bytes)"),
        BadInput(
            "images magic", Fixture.idxImages(count: 1, rows: 1, cols: 1, pixels: [0]),
            "magic number is 0x00000803, expected 0x00000801 (IDX labels: unsigned bytes, 1 dimension); is this an images file?"
        ),
        BadInput("count too big", Fixture.idxLabels(count: 10, [1, 2, 3]), "header says 10 labels = 10 bytes, file has 3"),
        BadInput("count 0", Fixture.idxLabels(count: 0, []), "header says 0 labels"),
        BadInput("label 12", Fixture.idxLabels([0, 1, 2, 12, 4]), "label 12 at index 3 is not a digit 0...9"),
        BadInput("label 255", Fixture.idxLabels([255]), "label 255 at index 0 is not a digit 0...9"),
    ]

    @Test(arguments: badLabels)
    func rejectsBadLabels(_ input: BadInput) {
        let error = Fixture.error { () throws(DatasetError) in try readIDXLabels(input.bytes, name: "t10k-labels") }
        guard case .malformed(let file, let reason)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(file == "t10k-labels")
        #expect(reason.contains(input.expected), "\(reason)")
    }

    @Test func truncatedAndCorruptGzipNameTheFile() {
        let compressed = Fixture.gzip(Fixture.idxImages(set))
        let truncated = Fixture.error { () throws(DatasetError) in
            try readIDXImages(Array(compressed.dropLast(20)), name: "/d/train-images-idx3-ubyte.gz")
        }
        #expect(truncated == .malformed(file: "/d/train-images-idx3-ubyte.gz", reason: "truncated gzip stream"))
        var corrupt = compressed
        for i in 12..<40 { corrupt[i] = 0xFF }
        let error = Fixture.error { () throws(DatasetError) in try readIDXLabels(corrupt, name: "/d/l.gz") }
        #expect(error?.description.hasPrefix("/d/l.gz: corrupt gzip data: ") == true, "\(String(describing: error))")
    }

    @Test func readsAPairOfFiles() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        Fixture.write(Fixture.gzip(Fixture.idxImages(set)), folder + "/images.gz")
        Fixture.write(Fixture.idxLabels(set.labels), folder + "/labels")
        #expect(try readIDXPair(imagesPath: folder + "/images.gz", labelsPath: folder + "/labels") == set)

        Fixture.write(Fixture.idxLabels(Array(set.labels.dropLast())), folder + "/short-labels")
        let error = Fixture.error { () throws(DatasetError) in
            try readIDXPair(imagesPath: folder + "/images.gz", labelsPath: folder + "/short-labels")
        }
        #expect(
            error == .malformed(file: folder + "/short-labels", reason: "has 11 labels, but \(folder)/images.gz has 12 images"))
    }

    @Test func aMissingFileIsNamed() {
        let error = Fixture.error { () throws(DatasetError) in
            try readIDXPair(imagesPath: "/no/such/images", labelsPath: "/no/such/labels")
        }
        #expect(error == .fileNotFound(path: "/no/such/images"))
        #expect(error?.description == "no such file or directory: /no/such/images")
    }
}

@Suite struct IDXGzipBombTests {
    /// A gzipped images file whose header says 2 images of 28 x 28 but whose
    /// stream holds 100 images, or megabytes of zeros, after the header.
    static func lyingFile(images: Int) -> [UInt8] {
        Fixture.gzip(
            Fixture.idxImages(count: 2, rows: 28, cols: 28, pixels: [UInt8](repeating: 7, count: images * 28 * 28)))
    }

    @Test(arguments: [100, 20_000])
    func moreDataThanTheHeaderSaysIsRefusedAfterOneByteTooMany(images: Int) throws {
        let bytes = Self.lyingFile(images: images)
        let error = Fixture.error { () throws(DatasetError) in try readIDXImages(bytes, name: "bomb.gz") }
        #expect(
            error
                == .malformed(
                    file: "bomb.gz",
                    reason: "header says 2 x 28 x 28 = 1568 bytes of pixels, file has more "
                        + "(after the 16-byte header, decompressed)"))

        // Inflating stopped at the header, the 1568 pixels and one more byte.
        var contents = try IDXContents(bytes, name: "bomb.gz")
        _ = try contents.header(16)
        #expect(throws: DatasetError.self) { try contents.body(1568, what: "1568 bytes") }
        #expect(contents.inflater?.producedCount == 16 + 1568 + 1)
    }

    @Test func labelsWithTrailingDataAreRefusedToo() {
        let bytes = Fixture.gzip(Fixture.idxLabels(count: 3, [1, 2, 3] + [UInt8](repeating: 0, count: 1 << 20)))
        let error = Fixture.error { () throws(DatasetError) in try readIDXLabels(bytes, name: "l.gz") }
        #expect(
            error
                == .malformed(
                    file: "l.gz", reason: "header says 3 labels = 3 bytes, file has more (after the 8-byte header, decompressed)")
        )
    }

    @Test func aBombWithoutAnIDXHeaderIsRefusedFromItsFirstBytes() throws {
        let bomb = Fixture.gzip([UInt8](repeating: 0, count: 16 << 20))
        let error = Fixture.error { () throws(DatasetError) in try readIDXImages(bomb, name: "zeros.gz") }
        #expect(error?.description.contains("magic number is 0x00000000, expected 0x00000803") == true)
        var contents = try IDXContents(bomb, name: "zeros.gz")
        _ = try contents.header(16)
        #expect(contents.inflater?.producedCount == 16)
    }

    @Test func aHeaderClaimingMoreThanTheLimitIsRefusedWithoutInflating() throws {
        let bytes = Fixture.gzip(Fixture.idxImages(count: 100_000, rows: 4096, cols: 4096, pixels: [1, 2, 3]))
        let error = Fixture.error { () throws(DatasetError) in try readIDXImages(bytes, name: "big.gz") }
        #expect(error?.description.contains("more than the 1073741824-byte limit for decompressed data") == true)
    }
}
