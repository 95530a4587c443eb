import Foundation
import Glibc
import Testing

@testable import Terminal

/// A fresh temporary folder, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "dnb-terminal-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: file(name)).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// What a `Console` wrote, by descriptor, in order.
final class CapturedOutput {
    var writes: [(descriptor: Int32, text: String)] = []

    var standardOutput: String { writes.filter { $0.descriptor == STDOUT_FILENO }.map(\.text).joined() }
    var standardError: String { writes.filter { $0.descriptor == STDERR_FILENO }.map(\.text).joined() }
    var all: String { writes.map(\.text).joined() }

    /// A console writing here, as a terminal of `columns` columns or as a pipe.
    func console(isTerminal: Bool = false, columns: Int? = nil) -> Console {
        Console(isTerminal: isTerminal, columns: { columns }, output: { self.writes.append(($1, $0)) })
    }
}
