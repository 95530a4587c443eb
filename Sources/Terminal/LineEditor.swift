@preconcurrency import CEditLine
import Foundation
import Glibc
import Synchronization

/// libedit through its readline-compatible API: the prompt, emacs-style keys
/// (arrows, Ctrl-A/E, Ctrl-R), the in-memory history, and tab completion.
///
/// Key bindings are libedit's readline emulation: `rl_initialize` binds Ctrl-R
/// to `em-inc-search-prev` (a `bck:` search prompt) and Home/End/Delete, then
/// reads `~/.editrc` (or `$EDITRC`), where `dnb:`-prefixed lines apply to dnb
/// only. libedit holds one editor per process, so there is one `LineEditor`.
struct LineEditor: LineReader {
    /// What libedit's C callbacks need; they cannot capture anything.
    private struct CompletionState {
        var parameterNames: [String] = []
        /// Candidates of the completion in progress, handed out one by one.
        var candidates: [String] = []
        var next = 0
    }

    private static let state = Mutex(CompletionState())

    /// Sets libedit up: UTF-8, no signal handlers of its own (Ctrl-C is ours),
    /// Ctrl-W deleting a word as in bash, and dnb's completion.
    init() {
        setlocale(LC_CTYPE, "")
        rl_readline_name = UnsafePointer(strdup("dnb"))
        rl_catch_signals = 0
        rl_initialize()
        // libedit's emacs Ctrl-W kills to a mark (usually the whole line).
        // Bound before the user's editrc is read again, so the editrc wins.
        _ = rl_parse_and_bind("bind ^W ed-delete-prev-word")
        _ = rl_read_init_file(nil)
        let separators = " \t\n,="
        rl_basic_word_break_characters = UnsafePointer(strdup(separators))
        rl_completer_word_break_characters = strdup(separators)
        Self.installCompletion()
    }

    var isInteractive: Bool { true }

    func read(prompt: String) -> LineInput {
        guard let pointer = readline(prompt) else {
            // With our SIGINT handler, Ctrl-C ends `readline` like Ctrl-D: the flag tells them apart.
            if Interrupts.isRequested {
                Interrupts.clear()
                return .interrupted
            }
            return .end
        }
        defer { free(pointer) }
        return .line(String(cString: pointer))
    }

    func useHistory(_ entries: [String]) {
        clear_history()
        for entry in entries { add_history(entry) }
    }

    func useParameterNames(_ names: [String]) {
        Self.state.withLock { $0.parameterNames = names }
    }

    /// Tab asks `Completer` for the word before the cursor. One candidate
    /// ending in `=` or `/` gets no space after it (more typing follows).
    private static func installCompletion() {
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1  // never fall back to libedit's file names
            let buffer = rl_line_buffer.map { String(cString: $0) } ?? ""
            let before = String(decoding: buffer.utf8.prefix(Int(max(start, 0))), as: UTF8.self)
            let word = text.map { String(cString: $0) } ?? ""
            let candidates = LineEditor.candidates(before: before, word: word)
            let open = candidates.count == 1 && (candidates[0].hasSuffix("=") || candidates[0].hasSuffix("/"))
            rl_completion_append_character = open ? 0 : 32
            LineEditor.state.withLock { $0.candidates = candidates }
            return rl_completion_matches(text) { _, index in
                LineEditor.state.withLock { state in
                    if index == 0 { state.next = 0 }
                    guard state.next < state.candidates.count else { return nil }
                    defer { state.next += 1 }
                    return strdup(state.candidates[state.next])
                }
            }
        }
    }

    /// The completer's candidates, plus `quit` (a prompt word, not a command) where a verb goes.
    private static func candidates(before: String, word: String) -> [String] {
        let parameterNames = state.withLock { $0.parameterNames }
        var candidates = Completer(parameterNames: parameterNames).candidates(before: before, word: word)
        if before.allSatisfy({ $0 == " " || $0 == "\t" }), !word.isEmpty, REPL.quitWord.hasPrefix(word) {
            candidates.append(REPL.quitWord)
        }
        return candidates
    }
}
