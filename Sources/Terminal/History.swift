import Foundation
import HostIO

/// The prompt's persistent history: a plain text file (`~/.dnb_history`, or
/// `$DNB_HISTORY`), one command per line, oldest first.
///
/// The file is rewritten on every accepted line (a crash loses nothing),
/// through a temporary file and a rename (a crash never leaves half a file).
/// Blank lines are not stored; a command typed again moves to the end
/// instead of being stored twice. Before each write the file is read again,
/// so two sessions open at once both keep their lines.
struct History: Sendable {
    /// Commands kept; older ones are dropped first.
    static let capacity = 1000

    let path: String

    /// `$DNB_HISTORY` when set and not empty, else `~/.dnb_history`.
    static func path(variables: [String: String], homeDirectory: String) -> String {
        if let path = variables["DNB_HISTORY"], !path.isEmpty { return path }
        return homeDirectory + "/.dnb_history"
    }

    /// The stored commands, oldest first; none when the file is missing or
    /// unreadable, or is not a regular file (a FIFO would block the prompt).
    func load() -> [String] {
        guard let bytes = try? readFileBytes(path) else { return [] }
        return Self.entries(in: String(decoding: bytes, as: UTF8.self))
    }

    /// Stores `command` and returns the whole history, oldest first. Throws
    /// when the file cannot be written (the history in memory still has it).
    @discardableResult
    func record(_ command: String) throws(HistoryError) -> [String] {
        let entries = Self.adding(command, to: load())
        try write(entries)
        return entries
    }

    /// The history after typing `command`: blanks ignored, an older copy of
    /// the same command removed, at most `capacity` entries.
    static func adding(_ command: String, to entries: [String]) -> [String] {
        let entry = normalized(command)
        guard !entry.isEmpty else { return entries }
        var result = entries.filter { $0 != entry }
        result.append(entry)
        return Array(result.suffix(capacity))
    }

    /// One history line per command: surrounding blanks trimmed; a line break
    /// (there should be none: the REPL stores logical lines) becomes a space.
    static func normalized(_ command: String) -> String {
        String(command.map { $0.isNewline ? " " : $0 }).trimmingCharacters(in: .whitespaces)
    }

    /// Parses the file's text; blank lines and duplicates (the older copy) are dropped.
    static func entries(in text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .reduce(into: [String]()) { entries, line in entries = adding(String(line), to: entries) }
    }

    /// Replaces the file through dnb's one atomic writer, which follows a
    /// symbolic link (a linked history file stays linked), keeps an existing
    /// file's mode and refuses anything but a regular file. A new history
    /// file is private to the user (0600). A missing folder is not created:
    /// `$DNB_HISTORY` naming one is more likely a typo than a wish.
    private func write(_ entries: [String]) throws(HistoryError) {
        let bytes = Array(entries.map { $0 + "\n" }.joined().utf8)
        do {
            try writeFile(bytes, to: path, newFileMode: 0o600, creatingFolders: false)
        } catch {
            throw HistoryError(path: path, reason: error.description)
        }
    }
}

/// The history file could not be written.
struct HistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    var path: String
    /// What went wrong, naming the file: "cannot write PATH: Permission denied".
    var reason: String

    var description: String { "cannot save the history: \(reason)" }
}
