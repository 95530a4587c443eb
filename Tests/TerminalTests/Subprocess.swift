import Foundation
import Glibc

/// Runs a program to completion with `posix_spawn` and `waitpid`.
///
/// Not Foundation's `Process`: inside these async tests its `waitUntilExit`
/// never returned (its children stayed unreaped zombies), and its children
/// inherit the test runner's thread signal mask, which blocks SIGINT, so
/// Ctrl-C could never reach a dnb started that way. Here the child starts
/// with no signal blocked and default handlers.
enum Subprocess {
    /// What a finished program printed, and its exit status (128 + N when killed by signal N).
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `executable` (a path, or a name looked up in the PATH of
    /// `environment`) in `directory`, with `input` as its standard input and
    /// its output captured in files (no pipe can fill up and stall it).
    static func run(
        _ executable: String, _ arguments: [String], input: String = "", environment: [String: String],
        directory: String
    ) throws -> Result {
        let base = NSTemporaryDirectory() + "dnb-test-process-" + UUID().uuidString
        let paths = (input: base + ".stdin", output: base + ".stdout", error: base + ".stderr")
        try Data(input.utf8).write(to: URL(fileURLWithPath: paths.input))
        defer { for path in [paths.input, paths.output, paths.error] { unlink(path) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, paths.input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, paths.output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
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

        // `env -C` changes directory: glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift.
        let launcher = "/usr/bin/env"
        let argv = ([launcher, "-C", directory, executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, launcher, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw Failed(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failed(description: "waitpid: \(String(cString: strerror(errno)))") }
        }
        let read = { (path: String) in
            FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot see.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: exitStatus, standardOutput: read(paths.output), standardError: read(paths.error))
    }
}
