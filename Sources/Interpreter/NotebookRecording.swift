import Foundation
import Language

/// One command of a replayed notebook and the lines it printed.
public struct StatementOutput: Sendable {
    public var statement: Statement
    public var events: [OutputEvent]
    /// The rendered error, when this command failed.
    public var error: String?

    public init(statement: Statement, events: [OutputEvent], error: String? = nil) {
        self.statement = statement
        self.events = events
        self.error = error
    }

    public var lines: [String] { events.flatMap(\.transcriptLines) }
}

/// `dnb run NB.dnb --record` and `--check`: outputs kept under their command
/// as `#>` lines, like a Jupyter cell's output, and compared on replay.
public enum NotebookRecording {
    /// The notebook's source with every command's `#>` lines replaced by
    /// what it printed this time. Everything else is kept byte for byte.
    public static func rewrite(source: String, outputs: [StatementOutput]) -> String {
        var byLastLine: [Int: [String]] = [:]
        for output in outputs where !output.statement.isBlank {
            byLastLine[output.statement.lastLine, default: []] += output.lines
        }
        var result: [String] = []
        var inContinuation = false
        let lines = NotebookSplitter.lines(of: source)
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if !inContinuation, trimmed.hasPrefix("#>") { continue }
            // A comment line inside a continuation does not end it.
            if !(inContinuation && NotebookSplitter.isCommentLine(line)) {
                inContinuation = NotebookSplitter.endsWithContinuation(Array(line))
            }
            result.append(String(line))
            for output in byLastLine[number] ?? [] { result.append(output.isEmpty ? "#>" : "#> " + output) }
        }
        // Keep the file's final newline, if it had one.
        if result.last == "", source.hasSuffix("\n") {
            return result.dropLast().joined(separator: "\n") + "\n"
        }
        return result.joined(separator: "\n")
    }

    /// Why `actual` differs from the recorded `expected` output, or nil when
    /// they agree: the same lines, word for word, where numbers may differ by
    /// `tolerance` relative to the larger one, and timings (`0.31s`) and
    /// paths (words with a `/`) are not compared.
    public static func difference(expected: [String], actual: [String], tolerance: Double) -> String? {
        for index in 0..<max(expected.count, actual.count) {
            guard index < expected.count else { return "an extra output line: \(actual[index])" }
            guard index < actual.count else { return "a missing output line: \(expected[index])" }
            if let reason = lineDifference(expected[index], actual[index], tolerance: tolerance) {
                return "output line \(index + 1): \(reason)"
            }
        }
        return nil
    }

    static func lineDifference(_ expected: String, _ actual: String, tolerance: Double) -> String? {
        let expectedWords = expected.split(whereSeparator: \.isWhitespace)
        let actualWords = actual.split(whereSeparator: \.isWhitespace)
        guard expectedWords.count == actualWords.count else { return "the line changed" }
        for (want, got) in zip(expectedWords, actualWords) where want != got {
            if isTiming(want) && isTiming(got) { continue }
            if want.contains("/") && got.contains("/") { continue }
            if let a = number(want), let b = number(got) {
                let scale = max(abs(a), abs(b))
                if abs(a - b) <= tolerance * scale { continue }
                return "\(want) became \(got) (more than the relative tolerance \(tolerance))"
            }
            return "'\(want)' became '\(got)'"
        }
        return nil
    }

    /// `0.31s`, `12.4s`, `2m05s`, with any punctuation around them.
    static func isTiming(_ word: Substring) -> Bool {
        word.trimmingCharacters(in: .punctuationCharacters).wholeMatch(of: /\d+(\.\d+)?s|\d+m\d\ds/) != nil
    }

    /// A number inside punctuation: `0.9761`, `(10,000`, `101,770`, `-3`.
    static func number(_ word: Substring) -> Double? {
        let core = word.trimmingCharacters(in: CharacterSet(charactersIn: "()[]:;,%"))
        guard core.contains(where: \.isNumber) else { return nil }
        let plain = core.replacingOccurrences(of: ",", with: "")
        guard let value = Double(plain), value.isFinite else { return nil }
        return value
    }
}
