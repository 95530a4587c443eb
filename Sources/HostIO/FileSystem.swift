// dnb's file-system code: reading a whole file, asking what a path is, and
// writing a file atomically (everything dnb writes goes through `writeFile`).

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Largest file `readFileBytes` accepts: 2 GiB (MNIST's largest file is 47 MB).
public let maximumFileSize = 1 << 31

/// Reads a whole regular file (dnb's only file-reading code).
///
/// The path is checked with `stat` before it is opened, so a FIFO (which
/// would block `open` until a writer comes) or a device is refused without
/// being opened; the open itself is non-blocking in case the path changes
/// in between. Reading goes on to the end of the file rather than stopping
/// at the size `stat` gave: files in /proc report 0 bytes but have content.
///
/// - Throws: `.fileNotFound` when `path` does not exist; `.unreadable` for a
///   directory, a FIFO, a device or socket, a permission problem, an I/O
///   error, or a file larger than 2 GiB (refused before reading).
public func readFileBytes(_ path: String) throws(FileError) -> [UInt8] {
    var info = stat()
    guard stat(path, &info) == 0 else {
        let code = errno
        if code == ENOENT || code == ENOTDIR { throw .fileNotFound(path: path) }
        throw .unreadable(path: path, reason: systemErrorText(code))
    }
    try requireRegularFile(info, path)

    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
    guard descriptor >= 0 else {
        let code = errno
        if code == ENOENT || code == ENOTDIR { throw .fileNotFound(path: path) }
        throw .unreadable(path: path, reason: systemErrorText(code))
    }
    defer { close(descriptor) }
    guard fstat(descriptor, &info) == 0 else {
        throw .unreadable(path: path, reason: systemErrorText(errno))
    }
    try requireRegularFile(info, path)  // it may have been replaced since the stat above
    // Back to blocking reads: O_NONBLOCK was only for the open, and some
    // file systems honour it on regular files too.
    let flags = fcntl(descriptor, F_GETFL)
    if flags >= 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }

    let size = Int(info.st_size)
    guard size <= maximumFileSize else { throw tooLargeToRead(path, size: size) }
    var (bytes, atEnd) = try readUpTo(size, from: descriptor, path: path)
    while !atEnd {
        let (more, end) = try readUpTo(1 << 16, from: descriptor, path: path)
        guard bytes.count + more.count <= maximumFileSize else {
            throw tooLargeToRead(path, size: bytes.count + more.count)
        }
        bytes += more
        atEnd = end
    }
    return bytes
}

/// Reads until `count` bytes or the end of the file, retrying interrupted
/// reads; `atEnd` is true when the end came first.
private func readUpTo(
    _ count: Int, from descriptor: Int32, path: String
) throws(FileError) -> (bytes: [UInt8], atEnd: Bool) {
    var failure: Int32 = 0
    var atEnd = false
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        initialized = 0
        guard let base = buffer.baseAddress else { return }
        while initialized < count {
            let got = read(descriptor, base + initialized, count - initialized)
            if got > 0 {
                initialized += got
            } else if got == 0 {
                atEnd = true
                return
            } else if errno != EINTR {
                failure = errno
                return
            }
        }
    }
    guard failure == 0 else { throw .unreadable(path: path, reason: systemErrorText(failure)) }
    return (bytes, atEnd)
}

private func tooLargeToRead(_ path: String, size: Int) -> FileError {
    .unreadable(path: path, reason: "the file is \(size) bytes, more than the \(maximumFileSize >> 30) GiB limit")
}

/// Refuses anything but a regular file, saying what it is instead.
private func requireRegularFile(_ info: stat, _ path: String) throws(FileError) {
    switch info.st_mode & S_IFMT {
    case S_IFREG: return
    case S_IFDIR: throw .unreadable(path: path, reason: "it is a directory, not a file")
    default: throw .unreadable(path: path, reason: "it is \(fileTypeName(info.st_mode)), not a regular file")
    }
}

/// What a `stat` mode says a path is, with an article: "a FIFO (named
/// pipe)", "a character device", "a directory", ...
public func fileTypeName(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: return "a regular file"
    case S_IFDIR: return "a directory"
    case S_IFIFO: return "a FIFO (named pipe)"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "a special file"
    }
}

/// What a path names, following symbolic links.
public enum FileKind: Equatable, Sendable {
    case missing, file, directory, other
}

/// What `path` is, without reading it.
public func fileKind(_ path: String) -> FileKind {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return .file
    case S_IFDIR: return .directory
    default: return .other
    }
}

/// Why the files of `folder` cannot be listed or opened (e.g. "Permission
/// denied"), or nil when they can.
public func folderAccessProblem(_ folder: String) -> String? {
    access(folder, R_OK | X_OK) == 0 ? nil : systemErrorText(errno)
}

/// A failed write, with the system's reason.
public struct FileWriteFailure: Error, Equatable {
    public init(reason: String) { self.reason = reason }
    public
        var reason: String
}

/// Creates `path` and any missing parent directories (`mkdir -p`), mode 0755.
public func createDirectories(_ path: String) throws(FileWriteFailure) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        prefix += "/" + component
        if mkdir(prefix, 0o755) != 0 {
            let code = errno
            if code == EEXIST {
                guard fileKind(prefix) == .directory else { throw FileWriteFailure(reason: "\(prefix) is not a folder") }
            } else {
                throw FileWriteFailure(reason: "cannot create \(prefix): \(systemErrorText(code))")
            }
        }
    }
}

/// Writes `bytes` to `path` so that `path` is either absent, its old
/// contents, or all of `bytes` — never half a file: the bytes go to a
/// temporary file in the same directory, which is flushed and then renamed
/// over `path`.
///
/// Only a regular, writable file is ever replaced (a read-only one is
/// refused, saying how to go on). A symbolic link is followed (to
/// the end of a chain) and the file it names is written, so the link stays
/// a link; a device, FIFO, socket or folder at the target is refused, never
/// renamed over. A replaced file keeps its permission bits (rwx for user,
/// group, others) and, where the system allows, its owner; a new file gets
/// `newFileMode` less the umask. Errors name `path` (and the file a link
/// leads to), never the temporary file.
///
/// - Parameter creatingFolders: create missing parent folders first (`mkdir -p`).
public func writeFileAtomically(
    _ bytes: [UInt8], to path: String, newFileMode: Int = 0o644, creatingFolders: Bool = false
) throws(FileWriteFailure) {
    let target = try followingLinks(path)
    func failure(_ reason: String) -> FileWriteFailure {
        FileWriteFailure(reason: target == path ? reason : "it is a link to \(target): \(reason)")
    }

    let name = target.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? target
    guard !name.isEmpty else { throw failure("the path ends with / (a folder), not a file name") }
    let folder = parentFolder(target)
    if creatingFolders, fileKind(folder) != .directory { try createDirectories(folder) }
    var old = stat()
    let exists = lstat(target, &old) == 0
    if exists, old.st_mode & S_IFMT != S_IFREG {
        throw failure("it is \(fileTypeName(old.st_mode)), not a regular file")
    }
    // A read-only file is kept, as an editor asks before overwriting one
    // (root may write anything, so the mode bits decide, not only access()).
    if exists, old.st_mode & 0o222 == 0 || access(target, W_OK) != 0 {
        throw failure(
            "the file is read-only (mode \(String(old.st_mode & 0o777, radix: 8))); remove it first "
                + "(rm \(target)), make it writable (chmod u+w \(target)), or write to another file")
    }

    let temporaryName = (name.utf8.count <= 200 ? name : "dnb") + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let temporary = joinPath(folder, temporaryName)
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(exists ? 0o600 : newFileMode))
    guard descriptor >= 0 else { throw failure(systemErrorText(errno)) }
    var code: Int32 = 0
    if exists {
        _ = fchown(descriptor, old.st_uid, old.st_gid)  // only root may give a file away; else it stays ours
        if fchmod(descriptor, old.st_mode & 0o777) != 0 { code = errno }
    }
    if code == 0 {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var written = 0
            while written < buffer.count {
                let result = write(descriptor, base + written, buffer.count - written)
                if result >= 0 {
                    written += result
                } else if errno != EINTR {
                    code = errno
                    return
                }
            }
        }
    }
    if code == 0, fsync(descriptor) != 0 { code = errno }
    if close(descriptor) != 0, code == 0 { code = errno }
    if code == 0, rename(temporary, target) != 0 { code = errno }
    if code != 0 {
        unlink(temporary)
        throw failure(systemErrorText(code))
    }
}

/// Where a write to `path` should go: `path`, or, when it is a symbolic
/// link, the path the chain of links ends at (which may not exist yet).
/// Relative link contents are taken from the link's own folder.
public func followingLinks(_ path: String) throws(FileWriteFailure) -> String {
    var current = path
    for _ in 0..<40 {  // Linux's own limit (ELOOP)
        var info = stat()
        guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return current }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink(current, &buffer, buffer.count - 1)
        guard length > 0 else {
            throw FileWriteFailure(reason: "cannot read the link \(current): \(systemErrorText(errno))")
        }
        let destination = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        current = destination.hasPrefix("/") ? destination : joinPath(parentFolder(current), destination)
    }
    throw FileWriteFailure(reason: systemErrorText(ELOOP))
}

/// The folder holding `path`: "/" for "/x", "." for a bare name.
public func parentFolder(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// Writes `bytes` to `path` atomically, creating missing folders first
/// (see `writeFileAtomically`: links are followed, only regular files are
/// replaced, an existing file's mode is kept). Every file dnb writes —
/// models, notebooks, reports, plot scripts, the download, the prompt's
/// history — goes through here.
///
/// - Parameters:
///   - newFileMode: permissions of a file that does not exist yet, before
///     the umask (default 0o644; the history uses 0o600).
///   - creatingFolders: whether missing parent folders are created (default true).
public func writeFile(
    _ bytes: [UInt8], to path: String, newFileMode: Int = 0o644, creatingFolders: Bool = true
) throws(FileError) {
    do {
        try writeFileAtomically(bytes, to: path, newFileMode: newFileMode, creatingFolders: creatingFolders)
    } catch {
        throw .unwritable(path: path, reason: error.reason)
    }
}

/// The C library's text for an `errno` value, e.g. "Permission denied".
public func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// `folder` + "/" + `name`, without doubling a trailing slash.
public func joinPath(_ folder: String, _ name: String) -> String {
    if folder.isEmpty { return name }
    if name.isEmpty { return folder }
    return folder.hasSuffix("/") ? folder + name : folder + "/" + name
}

/// A file could not be found, read or written. The cases carry the path;
/// `message(naming:)` says what went wrong with the file as the user named it.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
    case fileNotFound(path: String)
    /// `path` exists but cannot be read (a directory, no permission, too large, ...).
    case unreadable(path: String, reason: String)
    /// `path` could not be written; `reason` is the system's.
    case unwritable(path: String, reason: String)

    public var path: String {
        switch self {
        case .fileNotFound(let path), .unreadable(let path, _), .unwritable(let path, _): path
        }
    }

    /// The error with the file called `shown` (as the user wrote it).
    public func message(naming shown: String) -> String {
        switch self {
        case .fileNotFound: "no such file or directory: \(shown)"
        case .unreadable(_, let reason): "cannot read \(shown): \(reason)"
        case .unwritable(_, let reason): "cannot write \(shown): \(reason)"
        }
    }

    public var description: String { message(naming: path) }
}

/// The names in `folder` (without `.` and `..`), sorted; none when it cannot be listed.
public func listFolder(_ folder: String) -> [String] {
    guard let directory = opendir(folder.isEmpty ? "." : folder) else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if name != ".", name != ".." { names.append(name) }
    }
    return names.sorted()
}

/// This process's executable as an absolute path (Linux's `/proc/self/exe`),
/// for a kernelspec that starts this same binary; nil where unknown.
public func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
