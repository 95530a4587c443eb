import Glibc
import Synchronization

/// Set by the SIGINT handler, polled by long commands between batches. The
/// one global the house style allows: a signal handler can reach nothing else.
private let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C stops the running command, not the program.
public enum Interrupts {
    /// Installs a SIGINT handler that only sets the flag, and unblocks
    /// SIGINT on the calling thread: a process inherits its parent's signal
    /// mask (a test runner's spawned children start with SIGINT blocked),
    /// and a blocked Ctrl-C would never reach the handler.
    public static func install() {
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            interruptRequested.store(true, ordering: .relaxed)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a blocked read returns so the REPL sees Ctrl-C
        sigaction(SIGINT, &action, nil)
    }

    public static var isRequested: Bool { interruptRequested.load(ordering: .relaxed) }

    public static func clear() { interruptRequested.store(false, ordering: .relaxed) }
}
