import Foundation
import Testing

@testable import Terminal

@Suite struct HistoryTests {
    @Test(arguments: [
        (["help", "fit"], "help", ["fit", "help"]),  // a repeat moves to the end, not stored twice
        (["help", "fit", "show data"], "fit", ["help", "show data", "fit"]),  // anywhere, not only the last
        (["help"], "   ", ["help"]),  // blank lines are not stored
        (["help"], "", ["help"]),
        (["help"], "  fit epochs=1  ", ["help", "fit epochs=1"]),  // outer blanks trimmed
        ([], "help\nfit", ["help fit"]),  // one line per command
    ])
    func addingACommand(before: [String], command: String, after: [String]) {
        #expect(History.adding(command, to: before) == after)
    }

    @Test func keepsTheNewestCommandsUpToCapacity() {
        let full = (0..<History.capacity).map { "help \($0)" }
        let after = History.adding("fit", to: full)
        #expect(after.count == History.capacity)
        #expect(after.first == "help 1")
        #expect(after.last == "fit")
    }

    @Test func parsesAFileSkippingBlanksAndRepeats() {
        #expect(History.entries(in: "help\n\nfit\r\nhelp\n  \nshow data") == ["fit", "help", "show data"])
    }

    @Test func historyPathComesFromDNBHistoryOrHome() {
        #expect(History.path(variables: ["DNB_HISTORY": "/tmp/h"], homeDirectory: "/home/u") == "/tmp/h")
        #expect(History.path(variables: ["DNB_HISTORY": ""], homeDirectory: "/home/u") == "/home/u/.dnb_history")
        #expect(History.path(variables: [:], homeDirectory: "/home/u") == "/home/u/.dnb_history")
    }

    @Test func recordWritesAPrivatePlainFileAtOnce() throws {
        let directory = try TemporaryDirectory()
        let history = History(path: directory.file("history"))
        #expect(history.load() == [])
        try history.record("help")
        try history.record("fit epochs=2")
        let entries = try history.record("help")
        #expect(entries == ["fit epochs=2", "help"])
        #expect(directory.read("history") == "fit epochs=2\nhelp\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("history"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // No temporary file left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["history"])
    }

    @Test func recordKeepsLinesAnotherSessionWroteMeanwhile() throws {
        let directory = try TemporaryDirectory()
        let first = History(path: directory.file("history"))
        try first.record("help")
        try "help\nshow model\n".write(toFile: directory.file("history"), atomically: true, encoding: .utf8)
        #expect(try first.record("fit") == ["help", "show model", "fit"])
    }

    @Test func recordFollowsASymbolicLink() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createSymbolicLink(atPath: directory.file("link"), withDestinationPath: directory.file("real"))
        try History(path: directory.file("link")).record("help")
        #expect(directory.read("real") == "help\n")
        let type = try FileManager.default.attributesOfItem(atPath: directory.file("link"))[.type] as? FileAttributeType
        #expect(type == .typeSymbolicLink)
    }

    @Test func recordIntoAMissingFolderSaysWhereAndCreatesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("no/such/history")
        #expect(throws: HistoryError.self) { try History(path: path).record("help") }
        do {
            try History(path: path).record("help")
        } catch {
            #expect(error.description == "cannot save the history: cannot write \(path): No such file or directory")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }

    @Test func recordKeepsTheModeOfAnExistingFile() throws {
        let directory = try TemporaryDirectory()
        try "help\n".write(toFile: directory.file("history"), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: directory.file("history"))
        try History(path: directory.file("history")).record("fit")
        #expect(directory.read("history") == "help\nfit\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.file("history"))
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
    }

    @Test func aFIFOIsNeitherWaitedOnNorReplaced() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.file("history")
        try #require(mkfifo(fifo, 0o600) == 0)
        let history = History(path: fifo)
        // Reading a FIFO waits for a writer: the prompt would hang at start.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = history.load()
            done.signal()
        }
        if done.wait(timeout: .now() + 2) == .timedOut {
            Issue.record("loading a FIFO history blocked")
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            done.wait()
        }
        #expect(history.load() == [])
        #expect {
            try history.record("help")
        } throws: { error in
            "\(error)" == "cannot save the history: cannot write \(fifo): it is a FIFO (named pipe), not a regular file"
        }
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)  // still a FIFO
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["history"])
    }
}
