// Reading a model file that a C library with a record of crashes (libhdf5)
// must parse: dnb runs itself as a child (`dnb __read-model FORMAT`, the
// file's bytes on its standard input), so a crash, a runaway allocation or a
// hang ends the child, never the session.

/// How long a child may take to read a model file.
public let modelReaderTimeout: Duration = .seconds(120)

/// The dnb executable: this process when it is dnb, else `dnb` beside it
/// (the test runner in .build/debug sits beside .build/debug/dnb).
public func dnbExecutable() -> String? {
    guard let me = executablePath() else { return nil }
    if me.hasSuffix("/dnb") { return me }
    let sibling = parentFolder(me) + "/dnb"
    return fileKind(sibling) == .file ? sibling : nil
}

extension HostServices {
    /// Runs `dnb __read-model FORMAT` on `bytes` (see ModelReaderProcess.swift).
    public func readModelInChild(format: String, bytes: [UInt8]) throws(ProcessError) -> ProcessResult {
        guard let dnb = dnbExecutable() else {
            throw ProcessError(description: "cannot find the dnb executable to read the file in a child process")
        }
        return try runProcess(ProcessRequest(dnb, ["__read-model", format], input: bytes, timeout: modelReaderTimeout))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The child's side: limits on memory (8 GiB of address space), CPU time
/// (the timeout's length) and core files (none), then all of standard
/// input, or nil when it is over `limit` bytes.
public func enterModelReaderChild(limit: Int = maximumFileSize) -> [UInt8]? {
    var memory = rlimit(rlim_cur: 8 << 30, rlim_max: 8 << 30)
    setrlimit(Int32(RLIMIT_AS.rawValue), &memory)
    var cpu = rlimit(rlim_cur: 120, rlim_max: 120)
    setrlimit(Int32(RLIMIT_CPU.rawValue), &cpu)
    var core = rlimit(rlim_cur: 0, rlim_max: 0)
    setrlimit(Int32(RLIMIT_CORE.rawValue), &core)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        bytes += chunk[0..<count]
        if bytes.count > limit { return nil }
    }
    return bytes
}

/// Writes all of `bytes` to standard output.
public func writeStandardOutput(_ bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}
