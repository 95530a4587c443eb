import Foundation
import Testing

@testable import HostIO

@Suite struct FileSystemTests {
    @Test func aReadOnlyFileIsNotReplaced() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let path = folder + "/kept.dnb"
        Fixture.write(Array("old\n".utf8), path)
        chmod(path, 0o444)
        let error = Fixture.error { () throws(FileError) in try writeFile(Array("new\n".utf8), to: path) }
        #expect(
            error?.description
                == "cannot write \(path): the file is read-only (mode 444); remove it first (rm \(path)), "
                + "make it writable (chmod u+w \(path)), or write to another file")
        #expect(FileManager.default.contents(atPath: path) == Data("old\n".utf8))
        chmod(path, 0o644)
        try writeFile(Array("new\n".utf8), to: path)
        #expect(FileManager.default.contents(atPath: path) == Data("new\n".utf8))
    }

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
        #expect(
            Fixture.error { () throws(FileError) in try readFileBytes(folder + "/none") }
                == .fileNotFound(path: folder + "/none"))
        #expect(
            Fixture.error { () throws(FileError) in try readFileBytes(folder + "/none/deeper") }
                == .fileNotFound(path: folder + "/none/deeper"))
        let directory = Fixture.error { () throws(FileError) in try readFileBytes(folder) }
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
                Fixture.error { () throws(FileError) in try readFileBytes(path) }
            }
            #expect(error == .unreadable(path: path, reason: "it is a FIFO (named pipe), not a regular file"))
        }
    }

    @Test(.enabled(if: canMakeDeviceNodes, "mknod needs root (CAP_MKNOD)"))
    func aDeviceIsRefusedWithoutBeingOpened() throws {
        // A character device node of our own (null's numbers, 1:3) in a temporary folder.
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let device = folder + "/device"
        let null: dev_t = 0x103  // makedev(1, 3): reading it would be harmless if the test broke
        #expect(mknod(device, S_IFCHR | 0o600, null) == 0)
        let error = Fixture.error { () throws(FileError) in try readFileBytes(device) }
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

@Suite struct FileWritingTests {
    /// What `path` itself is (not following a link): "link", "file", "fifo", "folder", or "missing".
    static func kind(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return "missing" }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return "link"
        case S_IFREG: return "file"
        case S_IFIFO: return "fifo"
        case S_IFDIR: return "folder"
        default: return "other"
        }
    }

    static func mode(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    static func listing(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func writingThroughALinkUpdatesTheFileAndKeepsTheLink() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: true)
        Fixture.write([1, 2, 3], folder + "/real/notebook.dnb")
        try #require(symlink("real/notebook.dnb", folder + "/link.dnb") == 0)  // relative, as `ln -s` makes
        try #require(symlink(folder + "/link.dnb", folder + "/link2.dnb") == 0)  // a chain

        try writeFile([4, 5], to: folder + "/link.dnb")
        #expect(try readFileBytes(folder + "/real/notebook.dnb") == [4, 5])
        try writeFile([6], to: folder + "/link2.dnb")
        #expect(try readFileBytes(folder + "/real/notebook.dnb") == [6])
        #expect(Self.kind(folder + "/link.dnb") == "link")
        #expect(Self.kind(folder + "/link2.dnb") == "link")
        #expect(Self.listing(folder) == ["link.dnb", "link2.dnb", "real"])
        #expect(Self.listing(folder + "/real") == ["notebook.dnb"])
    }

    @Test func aDanglingLinkCreatesTheFileItNames() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        try #require(symlink(folder + "/models/m.safetensors", folder + "/latest") == 0)
        try writeFile([9], to: folder + "/latest")
        #expect(try readFileBytes(folder + "/models/m.safetensors") == [9])
        #expect(Self.kind(folder + "/latest") == "link")
    }

    @Test func aLinkLoopIsAnError() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        try #require(symlink(folder + "/b", folder + "/a") == 0)
        try #require(symlink(folder + "/a", folder + "/b") == 0)
        let error = Fixture.error { () throws(FileError) in try writeFile([1], to: folder + "/a") }
        #expect(error?.description == "cannot write \(folder)/a: Too many levels of symbolic links")
    }

    @Test func aFIFOOrAFolderIsNeverReplaced() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        try #require(mkfifo(folder + "/fifo", 0o600) == 0)
        try #require(symlink(folder + "/fifo", folder + "/to-fifo") == 0)
        try FileManager.default.createDirectory(atPath: folder + "/dir", withIntermediateDirectories: false)
        let cases = [
            ("fifo", "cannot write \(folder)/fifo: it is a FIFO (named pipe), not a regular file"),
            (
                "to-fifo",
                "cannot write \(folder)/to-fifo: it is a link to \(folder)/fifo: it is a FIFO (named pipe), not a regular file"
            ),
            ("dir", "cannot write \(folder)/dir: it is a directory, not a regular file"),
            ("dir/", "cannot write \(folder)/dir/: the path ends with / (a folder), not a file name"),
        ]
        for (name, message) in cases {
            let error = Fixture.error { () throws(FileError) in try writeFile([1], to: folder + "/" + name) }
            #expect(error?.description == message)
        }
        #expect(Self.kind(folder + "/fifo") == "fifo")
        #expect(Self.kind(folder + "/to-fifo") == "link")
        #expect(Self.kind(folder + "/dir") == "folder")
        #expect(Self.listing(folder) == ["dir", "fifo", "to-fifo"])  // no temporary file left
        #expect(Self.listing(folder + "/dir") == [])
    }

    @Test(.enabled(if: canMakeDeviceNodes, "mknod needs root (CAP_MKNOD)"))
    func aDeviceIsNeverReplaced() throws {
        // `save model /dev/null` as root once replaced /dev/null with a file: a
        // node of our own (null's numbers) in a temporary folder stands in.
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        let device = folder + "/null"
        let null: dev_t = 0x103  // makedev(1, 3)
        #expect(mknod(device, S_IFCHR | 0o666, null) == 0)
        let error = Fixture.error { () throws(FileError) in try writeFile([1, 2, 3], to: device) }
        #expect(error?.description == "cannot write \(device): it is a character device, not a regular file")
        #expect(Self.kind(device) == "other")
        #expect(Self.listing(folder) == ["null"])
    }

    @Test func aReplacedFileKeepsItsModeAndANewOneGetsTheRequestedMode() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        Fixture.write([1], folder + "/shared.dnb")
        try #require(chmod(folder + "/shared.dnb", 0o664) == 0)
        try writeFile([2], to: folder + "/shared.dnb")
        #expect(Self.mode(folder + "/shared.dnb") == 0o664)
        Fixture.write([1], folder + "/private")
        try #require(chmod(folder + "/private", 0o600) == 0)
        try writeFile([2], to: folder + "/private")
        #expect(Self.mode(folder + "/private") == 0o600)

        try writeFile([3], to: folder + "/new-private", newFileMode: 0o600)
        #expect(Self.mode(folder + "/new-private") == 0o600)
        try writeFile([3], to: folder + "/new-private")  // now it exists: its mode stays
        #expect(Self.mode(folder + "/new-private") == 0o600)
    }

    @Test func errorsNameTheTargetNeverTheTemporaryFile() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.remove(folder) }
        Fixture.write([0], folder + "/plain")
        let cases: [(String, Bool, String)] = [
            ("missing/f.dnb", false, "cannot write \(folder)/missing/f.dnb: No such file or directory"),
            ("plain/f.dnb", false, "cannot write \(folder)/plain/f.dnb: Not a directory"),
            ("plain/f.dnb", true, "cannot write \(folder)/plain/f.dnb: \(folder)/plain is not a folder"),
        ]
        for (name, creatingFolders, message) in cases {
            let error = Fixture.error { () throws(FileError) in
                try writeFile([1], to: folder + "/" + name, creatingFolders: creatingFolders)
            }
            #expect(error?.description == message)
            #expect(error?.description.contains("partial") == false)
        }
        #expect(Self.kind(folder + "/missing") == "missing")
        #expect(Self.listing(folder) == ["plain"])
    }
}

/// Whether this process may create device nodes (root has CAP_MKNOD; others skip those tests).
let canMakeDeviceNodes: Bool = geteuid() == 0
