import Foundation
import Glibc

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

    /// The stored commands, oldest first; none when the file is missing or unreadable.
    func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return Self.entries(in: String(decoding: data, as: UTF8.self))
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

    /// Replaces the file atomically; follows a symbolic link so a linked
    /// history file stays linked. The file is private to the user (0600).
    private func write(_ entries: [String]) throws(HistoryError) {
        let target = Self.followingLinks(path)
        let temporary = target + ".tmp-\(getpid())"
        let bytes = Array(entries.map { $0 + "\n" }.joined().utf8)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure() }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let error = failure()
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard close(descriptor) == 0, rename(temporary, target) == 0 else {
            let error = failure()
            unlink(temporary)
            throw error
        }
    }

    /// The file a chain of symbolic links ends at (which may not exist yet).
    private static func followingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<16 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { break }
            current =
                destination.hasPrefix("/")
                ? destination : (current as NSString).deletingLastPathComponent + "/" + destination
        }
        return current
    }

    /// The reason the last system call failed, as an error naming the file.
    private func failure() -> HistoryError {
        HistoryError(path: path, reason: String(cString: strerror(errno)))
    }
}

/// The history file could not be written.
struct HistoryError: Error, Equatable, Sendable, CustomStringConvertible {
    var path: String
    var reason: String

    var description: String { "cannot save the history to \(path): \(reason)" }
}
