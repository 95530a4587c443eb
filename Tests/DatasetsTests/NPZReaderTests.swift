import Testing

@testable import Datasets

@Suite struct NPZReaderTests {
    let train = Fixture.imageSet(count: 30, rows: 4, cols: 3)
    let test = Fixture.imageSet(count: 10, rows: 4, cols: 3)

    @Test(arguments: [false, true])
    func readsMNISTArchives(deflated: Bool) throws {
        let bytes = Fixture.mnistNPZ(train: train, test: test, deflated: deflated)
        let data = try readMNISTNPZ(bytes, name: "m.npz")
        #expect(data.train == train)
        #expect(data.test == test)
        #expect(data.origin == "m.npz (npz)")
    }

    @Test func readsAFile() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        Fixture.write(Fixture.mnistNPZ(train: train, test: test, deflated: true), folder + "/m.npz")
        let data = try readNPZFile(folder + "/m.npz")
        #expect(data.train == train)
        #expect(data.origin == "\(folder)/m.npz (npz)")
    }

    /// Little- and big-endian integer labels of every width, as NumPy writes them.
    static let labelTypes: [(String, Int, Bool)] = [
        ("|u1", 1, false), ("|i1", 1, false), ("<u2", 2, false), ("<i2", 2, false), (">i2", 2, true),
        ("<u4", 4, false), ("<i4", 4, false), (">u4", 4, true), ("<i8", 8, false), ("<u8", 8, false),
        (">i8", 8, true),
    ]

    @Test(arguments: labelTypes)
    func readsIntegerLabels(descr: String, size: Int, bigEndian: Bool) throws {
        let labels: [UInt8] = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
        let data = labels.flatMap { label in
            let little = [label] + [UInt8](repeating: 0, count: size - 1)
            return bigEndian ? Array(little.reversed()) : little
        }
        let array = try parseNPY(Fixture.npy(descr: descr, shape: [10], data: data), name: "f", array: "y")
        #expect(try npzLabels(array, "f", "y") == labels)
    }

    @Test(arguments: [("<i4", [0xFF, 0xFF, 0xFF, 0xFF] as [UInt8], "-1"), ("<u2", [10, 0], "10"), ("|i1", [0x80], "-128")])
    func rejectsLabelsOutsideDigits(descr: String, element: [UInt8], shown: String) throws {
        let data = [UInt8](repeating: 0, count: element.count * 3) + element
        let array = try parseNPY(Fixture.npy(descr: descr, shape: [4], data: data), name: "f.npz", array: "y_test")
        let error = Fixture.error { () throws(DatasetError) in try npzLabels(array, "f.npz", "y_test") }
        #expect(error == .malformed(file: "f.npz", reason: "array 'y_test': label \(shown) at index 3 is not a digit 0...9"))
    }

    @Test func readsVersion2And3Headers() throws {
        for version: UInt8 in [2, 3] {
            let array = try parseNPY(
                Fixture.npy(descr: "|u1", shape: [2, 3, 1], data: [1, 2, 3, 4, 5, 6], version: version),
                name: "f", array: "x")
            #expect(array.shape == [2, 3, 1])
            #expect(array.elementType == NPYElementType(descr: "|u1"))
        }
    }

    @Test func parsesHeaderDicts() {
        var parser = PythonLiteralParser("{'descr': '<i8', 'fortran_order': False, 'shape': (60000L, 28), }   \n")
        #expect(
            parser.parseHeaderDict() == [
                "descr": .string("<i8"), "fortran_order": .bool(false), "shape": .tuple([.int(60000), .int(28)]),
            ])
        var scalar = PythonLiteralParser("{\"shape\": (), \"descr\": \"<f4\", \"fortran_order\": True}")
        #expect(scalar.parseHeaderDict()?["shape"] == .tuple([]))
        for bad in ["", "{", "{'a' 1}", "{'a': (1, 2}", "{'a': 1} x", "{'a': 'open}"] {
            var parser = PythonLiteralParser(bad)
            #expect(parser.parseHeaderDict() == nil, "\(bad)")
        }
    }

    /// Archives with one thing wrong, and a phrase the error must contain.
    static func badArchives() -> [BadInput] {
        let train = Fixture.imageSet(count: 6, rows: 2, cols: 2)
        let test = Fixture.imageSet(count: 4, rows: 2, cols: 2)
        let good = Fixture.mnistArrays(train: train, test: test)
        func replacing(_ name: String, with data: [UInt8]) -> [UInt8] {
            Fixture.zip(good.map { $0.name == name ? ($0.name, data) : $0 }, deflated: true)
        }
        let stored = Fixture.zip(good, deflated: false)
        var flipped = stored
        flipped[100] ^= 0x01  // a pixel of x_train: the CRC no longer matches
        return [
            BadInput(
                "missing y_test", Fixture.zip(good.filter { $0.name != "y_test.npy" }, deflated: true),
                "no array 'y_test' in the archive; it has 'x_train', 'y_train', 'x_test'"),
            BadInput(
                "float images",
                replacing(
                    "x_train.npy", with: Fixture.npy(descr: "<f4", shape: [6, 2, 2], data: [UInt8](repeating: 0, count: 96))),
                "array 'x_train': dtype is '<f4', expected uint8 ('|u1') images"),
            BadInput(
                "float labels",
                replacing("y_train.npy", with: Fixture.npy(descr: "<f8", shape: [6], data: [UInt8](repeating: 0, count: 48))),
                "array 'y_train': dtype is '<f8', expected integer labels"),
            BadInput(
                "flat images", replacing("x_test.npy", with: Fixture.npy(descr: "|u1", shape: [4, 4], data: test.pixels)),
                "array 'x_test': shape is (4, 4), expected (count, rows, cols)"),
            BadInput(
                "2-D labels", replacing("y_test.npy", with: Fixture.npy(descr: "|u1", shape: [4, 1], data: test.labels)),
                "array 'y_test': shape is (4, 1), expected (count,)"),
            BadInput(
                "Fortran order",
                replacing(
                    "x_train.npy", with: Fixture.npy(descr: "|u1", shape: [6, 2, 2], data: train.pixels, fortranOrder: true)),
                "array 'x_train': the array is stored in Fortran (column-major) order"),
            BadInput(
                "short data",
                replacing("x_train.npy", with: Fixture.npy(descr: "|u1", shape: [60000, 28, 28], data: train.pixels)),
                "array 'x_train': shape (60000, 28, 28) of '|u1' needs 47040000 bytes of data, the array has 24"),
            BadInput(
                "count mismatch", replacing("y_train.npy", with: Fixture.npy(descr: "|u1", shape: [5], data: [1, 2, 3, 4, 5])),
                "x_train has 6 images but y_train has 5 labels"),
            BadInput(
                "not NPY", replacing("y_train.npy", with: Array("hello".utf8)),
                "array 'y_train': not an NPY array"),
            BadInput(
                "string labels",
                replacing("y_train.npy", with: Fixture.npy(descr: "<U1", shape: [6], data: [UInt8](repeating: 0x31, count: 24))),
                "array 'y_train': unsupported dtype '<U1' (Unicode strings)"),
            BadInput(
                "byte-string images",
                replacing("x_train.npy", with: Fixture.npy(descr: "|S4", shape: [6], data: [UInt8](repeating: 0x31, count: 24))),
                "array 'x_train': unsupported dtype '|S4' (byte strings)"),
            BadInput(
                "object labels",
                replacing("y_test.npy", with: Fixture.npy(descr: "|O", shape: [4], data: [UInt8](repeating: 0, count: 32))),
                "array 'y_test': unsupported dtype '|O'"),
            BadInput(
                "x_train twice", Fixture.zip(good + [("x_train.npy", good[0].data)], deflated: true),
                "'x_train.npy' appears twice in the archive"),
            BadInput(
                "y_test twice, spelled two ways", Fixture.zip(good + [("y_test", good[3].data)], deflated: false),
                "the archive has both 'y_test.npy' and 'y_test'"),
            BadInput("truncated zip", Array(stored.dropLast(30)), "truncated zip archive (no end-of-central-directory record)"),
            BadInput("cut in the middle", Array(stored.prefix(stored.count / 2)), "truncated zip archive"),
            BadInput("CRC mismatch", flipped, "entry 'x_train.npy': CRC-32 is 0x"),
            BadInput("not a zip", Fixture.gzip([1, 2, 3]), "not a zip archive (an .npz file is a zip archive of .npy arrays)"),
            BadInput("a bare .npy", good[0].data, "this is a single .npy array, not an .npz archive"),
            BadInput("empty", [], "not a zip archive"),
        ]
    }

    @Test(arguments: badArchives())
    func rejectsBadArchives(_ input: BadInput) {
        let error = Fixture.error { () throws(DatasetError) in try readMNISTNPZ(input.bytes, name: "/data/mnist.npz") }
        guard case .malformed(let file, let reason)? = error else {
            Issue.record("expected .malformed, got \(String(describing: error))")
            return
        }
        #expect(file == "/data/mnist.npz")
        #expect(reason.contains(input.expected), "\(reason)")
    }

    @Test func corruptDeflateInAnEntryIsNamed() {
        var bytes = Fixture.zip([("x_train.npy", [UInt8](repeating: 7, count: 5000))], deflated: true)
        for i in 45..<60 { bytes[i] = 0xFF }  // inside the deflate data, after the 41-byte local header
        let error = Fixture.error { () throws(DatasetError) in
            let archive = try ZipArchive(bytes, name: "z.npz")
            return try archive.contents(of: archive.entries[0])
        }
        #expect(error?.description.hasPrefix("z.npz: ") == true)
        #expect(error?.description.contains("in 'x_train.npy'") == true)
    }

    @Test func refusesZip64AndOffsetsOutsideTheArchive() {
        var zip64 = Fixture.zip([("a.npy", [1, 2, 3])], deflated: false)
        let end = zip64.count - 22
        for i in 16..<20 { zip64[end + i] = 0xFF }  // central directory offset 0xFFFFFFFF
        let error = Fixture.error { () throws(DatasetError) in try ZipArchive(zip64, name: "z") }
        #expect(error == .malformed(file: "z", reason: "zip64 archives are not supported"))

        var wild = Fixture.zip([("a.npy", [1, 2, 3])], deflated: false)
        let central = wild.count - 22 - 51  // the one central entry: 46 bytes + "a.npy"
        wild[central + 42] = 0x7F  // local header offset far past the end
        let outside = Fixture.error { () throws(DatasetError) in
            let archive = try ZipArchive(wild, name: "z")
            return try archive.contents(of: archive.entries[0])
        }
        #expect(outside?.description.contains("no local header at offset") == true)
    }
}
