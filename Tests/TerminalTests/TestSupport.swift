import Foundation
import Glibc
import Interpreter
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

/// Lines typed from a script; remembers the prompts shown and the history handed over.
final class ScriptedReader: LineReader {
    let isInteractive: Bool
    private var inputs: [LineInput]
    var prompts: [String] = []
    var history: [String] = []

    init(_ inputs: [LineInput], isInteractive: Bool = true) {
        self.inputs = inputs
        self.isInteractive = isInteractive
    }

    func read(prompt: String) -> LineInput {
        prompts.append(prompt)
        return inputs.isEmpty ? .end : inputs.removeFirst()
    }

    func useHistory(_ entries: [String]) { history = entries }
    func useParameterNames(_ names: [String]) {}
}
