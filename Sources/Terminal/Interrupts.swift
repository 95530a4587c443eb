import Glibc
import Synchronization

/// Set by the SIGINT handler, polled by long commands between batches. The
/// one global the house style allows: a signal handler can reach nothing else.
private let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C stops the running command, not the program.
public enum Interrupts {
    /// Installs a SIGINT handler that only sets the flag.
    public static func install() {
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
