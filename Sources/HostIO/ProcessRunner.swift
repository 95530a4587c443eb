// dnb's one way to run another program: gnuplot for plots, dnb itself for
// the benchmark and the end-to-end tests.
//
// `posix_spawn` and `wait4`, not Foundation's `Process`: inside async tests
// `Process.waitUntilExit` never returned (its children stayed unreaped
// zombies), and its children inherit the caller's thread signal mask (which
// under `swift test` blocks SIGINT and SIGTERM). Here the child starts with
// no signal blocked and default handlers. Standard input, output and error
// are files, so no pipe can fill up and stall the child.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One program to run.
public struct ProcessRequest: Sendable {
    /// A path, or a name looked up in the PATH.
    public var executable: String
    public var arguments: [String]
    /// The child's environment; nil: this process's.
    public var environment: [String: String]?
    /// Where the child runs; nil: here.
    public var directory: String?
    /// The child's standard input.
    public var input: [UInt8]
    /// Send standard output to this file instead of capturing it.
    public var outputPath: String?
    /// Stop the child (SIGKILL) after this long; nil: wait as long as it runs.
    public var timeout: Duration?

    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil, directory: String? = nil,
        input: [UInt8] = [], outputPath: String? = nil, timeout: Duration? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.input = input
        self.outputPath = outputPath
        self.timeout = timeout
    }
}

/// How a program ended, what it printed and what it cost.
public struct ProcessResult: Sendable {
    /// The exit status, or 128 + N when signal N ended it.
    public var status: Int32
    public var standardOutput: [UInt8]
    public var standardError: [UInt8]
    /// Wall-clock time from start to end.
    public var seconds: Double
    /// The child's peak resident set size in bytes (`wait4`'s rusage).
    public var peakRSS: Int
    /// True when the timeout stopped it.
    public var timedOut: Bool

    public var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
    public var errorText: String { String(decoding: standardError, as: UTF8.self) }
}

/// Why a program could not be run at all.
public struct ProcessError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
}

/// Runs `request` to its end (or its timeout).
public func runProcess(_ request: ProcessRequest) throws(ProcessError) -> ProcessResult {
    if request.executable.contains("/"), access(request.executable, X_OK) != 0 {
        throw ProcessError(description: "cannot run \(request.executable): \(systemErrorText(errno))")
    }
    let base =
        (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/dnb-process-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let paths = (input: base + ".stdin", output: request.outputPath ?? base + ".stdout", error: base + ".stderr")
    do {
        try writeFileAtomically(request.input, to: paths.input, newFileMode: 0o600)
    } catch {
        throw ProcessError(description: "cannot run \(request.executable): \(error.reason)")
    }
    defer {
        unlink(paths.input)
        if request.outputPath == nil { unlink(paths.output) }
        unlink(paths.error)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, paths.input, O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, paths.output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, paths.error, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    // `env -C` changes directory (glibc's posix_spawn_file_actions_addchdir_np
    // is not visible to Swift) and looks a bare name up in the PATH.
    let argv =
        (["/usr/bin/env"] + (request.directory.map { ["-C", $0] } ?? []) + [request.executable] + request.arguments)
        .map { strdup($0) } + [nil]
    let variables = request.environment.map { $0.map { "\($0.key)=\($0.value)" } }
    let envp = variables.map { $0.map { strdup($0) } + [nil] }
    defer { for pointer in argv + (envp ?? []) { free(pointer) } }
    var pid = pid_t()
    let started = monotonicSeconds()
    let spawned =
        envp.map { envp in posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, envp) }
        ?? posix_spawn(&pid, "/usr/bin/env", &actions, &attributes, argv, environ)
    guard spawned == 0 else {
        throw ProcessError(description: "cannot run \(request.executable): \(systemErrorText(spawned))")
    }
    var status: Int32 = 0
    var usage = rusage()
    var timedOut = false
    let deadline = request.timeout.map { started + Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
    while true {
        let waited = wait4(pid, &status, deadline == nil ? 0 : WNOHANG, &usage)
        if waited == pid { break }
        if waited < 0 {
            guard errno == EINTR else {
                throw ProcessError(description: "waiting for \(request.executable): \(systemErrorText(errno))")
            }
            continue
        }
        if let deadline, monotonicSeconds() > deadline, !timedOut {
            kill(pid, SIGKILL)
            timedOut = true
        }
        usleep(2000)
    }
    let seconds = monotonicSeconds() - started
    let read = { (path: String) in (try? readFileBytes(path)) ?? [] }
    // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
    let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return ProcessResult(
        status: exitStatus, standardOutput: request.outputPath == nil ? read(paths.output) : [],
        standardError: read(paths.error), seconds: seconds, peakRSS: Int(usage.ru_maxrss) * 1024, timedOut: timedOut)
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// The first `directory/name` in the colon-separated `searchPath` that is an
/// executable file, or nil.
public func findExecutable(_ name: String, in searchPath: String) -> String? {
    for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
        let candidate = joinPath(String(directory), name)
        if fileKind(candidate) == .file, access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}
