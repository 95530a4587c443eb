// Running a program as a child and measuring it from outside: wall time and
// the child's own peak RSS (`wait4`'s rusage, the figure `/usr/bin/time -v`
// prints as "Maximum resident set size").

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended and what it cost.
struct ChildOutcome {
    var status: Int32
    var seconds: Double
    var peakRSS: Int
}

/// Runs `arguments` (the first is the program's path), with stdout sent to
/// `stdoutPath` when given, and waits for it.
func runChild(_ arguments: [String], stdoutPath: String? = nil) throws -> ChildOutcome {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdoutPath {
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
    argv.append(nil)
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let start = now()
    let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
    guard spawned == 0 else {
        throw BenchError.message("cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 {
        guard errno == EINTR else { throw BenchError.message("wait4 failed: \(String(cString: strerror(errno)))") }
    }
    let seconds = now() - start
    // WIFEXITED / WEXITSTATUS by hand (Glibc's macros do not import).
    let exitCode: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return ChildOutcome(status: exitCode, seconds: seconds, peakRSS: Int(usage.ru_maxrss) * 1024)
}

/// This executable's own path (/proc/self/exe).
func executablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return CommandLine.arguments[0] }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
