import Foundation
import Testing

@testable import Datasets

/// Large and deeply nested inputs, legal in size, that once crashed a
/// reader or took super-linear time. Each asserts the behaviour (the error,
/// or a correct load), never a time.
@Suite struct LargeInputTests {
    let train = Fixture.imageSet(count: 3)
    let test = Fixture.imageSet(count: 2)

    /// An NPY array whose header dict holds `value` as its shape.
    func npy(shapeText: String) -> [UInt8] {
        let header = "{'descr': '|u1', 'fortran_order': False, 'shape': \(shapeText), }\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + Fixture.littleEndian16(header.utf8.count) + Array(header.utf8)
    }

    @Test(arguments: [33, 60_000])
    func aDeeplyNestedNPYHeaderIsAnErrorNotACrash(depth: Int) {
        // 60,000 '(' overflowed the stack of the header's recursive parser.
        var arrays = Fixture.mnistArrays(train: train, test: test)
        arrays[1].data = npy(shapeText: String(repeating: "(", count: depth))
        let error = Fixture.error { () throws(DatasetError) in
            try readMNISTNPZ(Fixture.zip(arrays, deflated: false), name: "deep.npz")
        }
        #expect(
            error?.description
                == "deep.npz: array 'y_train': the NPY header nests tuples or lists more than 32 deep "
                + "(NumPy writes a flat shape tuple); the file is damaged or not from NumPy")
    }

    @Test func nestingUpToTheLimitStillParses() {
        var parser = PythonLiteralParser(
            "{'a': " + String(repeating: "(", count: 32) + String(repeating: ")", count: 32) + "}")
        #expect(parser.parseHeaderDict() != nil)
        #expect(!parser.isTooDeep)
    }

    /// Keras's four arrays after `count` small other entries.
    func manyEntries(_ count: Int, extra: [(name: String, data: [UInt8])] = []) -> [UInt8] {
        let filler = (0..<count).map { (name: "e\($0)", data: [UInt8($0 & 0xFF)]) }
        return Fixture.zip(filler + extra + Fixture.mnistArrays(train: train, test: test), deflated: false)
    }

    @Test func anArchiveOf60000EntriesLoads() throws {
        let data = try readMNISTNPZ(manyEntries(60_000), name: "many.npz")
        #expect(data.train == train)
        #expect(data.test == test)
    }

    @Test func aDuplicateAmong60000EntriesIsFound() {
        let error = Fixture.error { () throws(DatasetError) in
            try readMNISTNPZ(manyEntries(60_000, extra: [(name: "e59999", data: [0])]), name: "dup.npz")
        }
        #expect(error == .malformed(file: "dup.npz", reason: "'e59999' appears twice in the archive"))
    }

    @Test func aMissingArrayAmongManyListsTenNames() {
        let filler = (0..<30_000).map { (name: "e\($0).npy", data: [UInt8(0)]) }
        let error = Fixture.error { () throws(DatasetError) in
            try readMNISTNPZ(Fixture.zip(filler, deflated: false), name: "none.npz")
        }
        let expected = (0..<10).map { "'e\($0)'" }.joined(separator: ", ") + " and 29990 more"
        #expect(error == .malformed(file: "none.npz", reason: "no array 'x_train' in the archive; it has \(expected)"))
    }

    @Test func aGzippedIDXFileOfSeveralMembersReads() throws {
        // `cat a.gz b.gz > c.gz`: gzip, zcat and Python read it as one file.
        let file = Fixture.idxImages(train)
        let split =
            Fixture.gzip(Array(file.prefix(10))) + Fixture.gzip(Array(file[10..<900]))
            + Fixture.gzip(Array(file.dropFirst(900)))
        let images = try readIDXImages(split, name: "joined.gz")
        #expect(images.pixels == train.pixels)
        let labels = try readIDXLabels(
            Fixture.gzip(Fixture.idxLabels(train.labels)) + Fixture.gzip([]), name: "labels.gz")
        #expect(labels == train.labels)
    }

    @Test func aGzippedIDXFileIsStillBoundedByItsHeader() {
        // A second member past the header's size is more data than promised.
        let file = Fixture.idxLabels(train.labels)
        let error = Fixture.error { () throws(DatasetError) in
            try readIDXLabels(Fixture.gzip(file) + Fixture.gzip([7, 7]), name: "long.gz")
        }
        #expect(error?.description.contains("file has more") == true)
    }
}
