import HostIO

/// Everything that can go wrong while finding, reading or preparing a data set.
///
/// Errors are data: each case carries the file (or place) and what is wrong.
/// `description` turns them into the one user-facing text, shown after
/// `error: `; `message` and `hint` give the two parts separately for a
/// renderer that lays them out itself.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `path` does not exist.
    case fileNotFound(path: String)
    /// `path` exists but cannot be read (a directory, no permission, too large, ...).
    case unreadable(path: String, reason: String)
    /// `file` was read but its contents are not what they claim to be.
    case malformed(file: String, reason: String)
    /// No data in any of the places `searched`; `hint` says what was expected.
    case notFound(searched: [String], hint: String)
    /// Downloading `url` failed; `hint` lists where the files may be placed instead.
    case downloadFailed(url: String, reason: String, hint: String)
    /// A file could not be written; `reason` is the system's.
    case unwritable(path: String, reason: String)

    /// The file this error is about, as it was named to the reader (nil
    /// for errors about no one file). Callers match it against the files
    /// they passed, never against the message text.
    public var file: String? {
        switch self {
        case .fileNotFound(let path), .unreadable(let path, _), .unwritable(let path, _): path
        case .malformed(let file, _): file
        case .notFound, .downloadFailed: nil
        }
    }

    /// The first line: where, and what is wrong.
    public var message: String {
        switch self {
        case .fileNotFound(let path):
            return "no such file or directory: \(path)"
        case .unreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .malformed(let file, let reason):
            return "\(file): \(reason)"
        case .notFound(let searched, _):
            if searched.isEmpty { return "no MNIST data found" }
            return "no MNIST data found in \(searched.joined(separator: ", "))"
        case .downloadFailed(let url, let reason, _):
            return "could not download \(url): \(reason)"
        case .unwritable(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }

    /// What the user can do about it, when there is something to say.
    public var hint: String? {
        switch self {
        case .notFound(_, let hint), .downloadFailed(_, _, let hint):
            return hint.isEmpty ? nil : hint
        case .fileNotFound, .unreadable, .malformed, .unwritable:
            return nil
        }
    }

    /// `message`, then `hint: ...` on a second line when there is a hint.
    public var description: String {
        guard let hint else { return message }
        return "\(message)\nhint: \(hint)"
    }
}

extension DatasetError {
    /// The same failure as a data-set error.
    init(_ error: FileError) {
        switch error {
        case .fileNotFound(let path): self = .fileNotFound(path: path)
        case .unreadable(let path, let reason): self = .unreadable(path: path, reason: reason)
        case .unwritable(let path, let reason): self = .unwritable(path: path, reason: reason)
        }
    }
}

/// HostIO's `readFileBytes`, throwing `DatasetError` like every reader here.
func readDataFile(_ path: String) throws(DatasetError) -> [UInt8] {
    do { return try HostIO.readFileBytes(path) } catch { throw DatasetError(error) }
}
