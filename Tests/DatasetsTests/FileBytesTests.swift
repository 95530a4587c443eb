import Foundation
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

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let fifo = folder + "/fifo"
        try #require(mkfifo(fifo, 0o600) == 0)
        try #require(symlink(fifo, folder + "/link") == 0)
        for path in [fifo, folder + "/link"] {
            // Opening a FIFO for reading waits for a writer: the old reader hung here.
            let error = Fixture.finishesQuickly(unblock: { Fixture.openWriteEnd(fifo) }) {
                Fixture.error { () throws(DatasetError) in try readFileBytes(path) }
            }
            #expect(error == .unreadable(path: path, reason: "it is a FIFO (named pipe), not a regular file"))
        }
    }

    @Test func aDeviceIsRefusedWithoutBeingOpened() throws {
        // A character device node of our own (null's numbers, 1:3) in a temporary folder.
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let device = folder + "/device"
        let null: dev_t = 0x103  // makedev(1, 3): reading it would be harmless if the test broke
        guard mknod(device, S_IFCHR | 0o600, null) == 0 else { return }  // no CAP_MKNOD: nothing to test
        let error = Fixture.error { () throws(DatasetError) in try readFileBytes(device) }
        #expect(error == .unreadable(path: device, reason: "it is a character device, not a regular file"))
        #expect(error?.description == "cannot read \(device): it is a character device, not a regular file")
    }

    @Test func filesThatReportNoSizeAreReadToTheEnd() throws {
        // /proc files say they are 0 bytes long; reading by size got nothing.
        let status = String(decoding: try readFileBytes("/proc/self/status"), as: UTF8.self)
        #expect(status.hasPrefix("Name:"))
        #expect(status.contains("Pid:"))
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

