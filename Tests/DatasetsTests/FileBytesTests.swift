import Testing

@testable import Datasets

@Suite struct FileBytesTests {
    @Test func readsWhatWasWritten() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let bytes = (0..<100_000).map { UInt8($0 % 253) }
        Fixture.write(bytes, folder + "/f")
        #expect(try readFileBytes(folder + "/f") == bytes)
        Fixture.write([], folder + "/empty")
        #expect(try readFileBytes(folder + "/empty") == [])
    }

    @Test func missingFilesAndFoldersAreDistinguished() {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        #expect(Fixture.error { () throws(DatasetError) in try readFileBytes(folder + "/none") } == .fileNotFound(path: folder + "/none"))
        #expect(
            Fixture.error { () throws(DatasetError) in try readFileBytes(folder + "/none/deeper") }
                == .fileNotFound(path: folder + "/none/deeper"))
        let directory = Fixture.error { () throws(DatasetError) in try readFileBytes(folder) }
        #expect(directory == .unreadable(path: folder, reason: "it is a directory, not a file"))
        #expect(directory?.description == "cannot read \(folder): it is a directory, not a file")
    }

    @Test func specialFilesAreRefused() {
        #expect(
            Fixture.error { () throws(DatasetError) in try readFileBytes("/dev/null") }
                == .unreadable(path: "/dev/null", reason: "not a regular file"))
    }

    @Test func writesAtomicallyIntoNewFolders() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let target = folder + "/a/b/c"
        try createDirectories(target)
        try createDirectories(target)  // existing folders are fine
        #expect(fileKind(target) == .directory)
        try writeFileAtomically([1, 2, 3], to: target + "/f.npz")
        try writeFileAtomically([4, 5], to: target + "/f.npz")  // replaces
        #expect(try readFileBytes(target + "/f.npz") == [4, 5])
        #expect(fileKind(target + "/f.npz") == .file)

        #expect(throws: FileWriteFailure.self) { try writeFileAtomically([1], to: folder + "/missing/f") }
        Fixture.write([0], folder + "/plain")
        #expect(throws: FileWriteFailure.self) { try createDirectories(folder + "/plain/sub") }
    }
}
