import Datasets
import HostIO
import Language

/// `run FILE.dnb`: its declaration and its handler.
enum RunCommand {
    static let spec = CommandSpec(
        name: "run",
        usage: "run FILE.dnb",
        summary: "replay another notebook inside this session",
        arguments: [ArgumentSpec("FILE", .path)],
        examples: ["run notebooks/seed-a.dnb"])

    static let entry = CommandEntry(spec: spec, handler: Session.runNotebook)
}

extension Session {
    /// Notebooks may `run` each other, but not endlessly.
    static let maximumRunDepth = 8

    /// Replays another notebook in this session. An error inside it is
    /// reported at its own file, line and column, and (as for any failed
    /// command) `execute` puts the session back as it was before `run`.
    func runNotebook(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        guard let fileWord = invocation.argument("FILE")?.word else { return .done }
        guard runStack.count < Self.maximumRunDepth else {
            throw Diagnostic(
                "notebooks run each other more than \(Self.maximumRunDepth) deep (\(runStack.joined(separator: " → ")))",
                at: fileWord.span)
        }
        let bytes = try read(fileWord)
        let source: String
        do {
            source = try Self.notebookText(bytes, name: fileWord.text)
        } catch {
            throw Diagnostic(error.description, at: fileWord.span)
        }
        runStack.append(fileWord.text)
        defer { runStack.removeLast() }
        // The `run` line is what `save session` keeps, not the lines it
        // replays (`execute` records top-level commands only).
        if let failure = run(source: source, file: fileWord.text) {
            return Outcome(nestedFailure: failure)
        }
        return .done
    }

    /// A notebook's text, read through `host`; refuses binary files and invalid UTF-8.
    public static func readNotebook(_ path: String, host: any HostServices = LocalHost()) throws(Diagnostic) -> String {
        let bytes: [UInt8]
        do {
            bytes = try host.read(path)
        } catch {
            throw Diagnostic(error.message(naming: path))
        }
        do {
            return try notebookText(bytes, name: path)
        } catch {
            throw Diagnostic(error.description)
        }
    }

    /// Notebook text from bytes (a file, or standard input), refusing what is
    /// not text with the line and column of the first bad byte.
    public static func notebookText(_ bytes: [UInt8], name: String) throws(DatasetError) -> String {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                throw .malformed(
                    file: name, reason: "line \(line), column \(index - lineStart + 1): a NUL byte; this is not a text notebook")
            }
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            // Find the first line that is not UTF-8, to say where.
            var number = 1
            for piece in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                if String(validating: piece, as: UTF8.self) == nil { break }
                number += 1
            }
            throw .malformed(file: name, reason: "line \(number) is not UTF-8 text; save the notebook as UTF-8")
        }
        return text
    }
}
