import Foundation
import Glibc
import Testing

/// `dnb` on a real terminal: a detached tmux session on a server of its own
/// (`tmux -L dnb-test-UUID`), driven with `send-keys` and read with
/// `capture-pane`. HOME, the working directory and DNB_HISTORY are in a
/// temporary folder. Every wait polls every 50 ms up to a timeout; none sleeps.
///
/// dnb runs under `bash -c 'trap : INT; ...; echo EXIT=$?'`: Ctrl-C reaches
/// the whole foreground process group, and the trap keeps the wrapper alive
/// to report dnb's exit code.
final class TmuxPane {
    static let prompt = "dnb>"
    static let continuationPrompt = "...>"

    let socket = "dnb-test-" + UUID().uuidString
    let directory: TemporaryDirectory
    let width: Int
    let height: Int
    /// Each launch is a new tmux session; keys go to the newest.
    private var launches = 0
    private var target: String { "dnb\(launches)" }
    /// The server's socket file, which `kill-server` leaves behind.
    private var socketPath: String?

    var historyPath: String { directory.file("history") }

    init(width: Int = 120, height: Int = 40) throws {
        directory = try TemporaryDirectory()
        self.width = width
        self.height = height
    }

    deinit {
        // The server goes with its sessions and every process in them.
        _ = try? tmux(["kill-server"])
        if let socketPath { unlink(socketPath) }
    }

    struct Timeout: Error, CustomStringConvertible {
        var waitingFor: String
        var description: String { "timed out waiting for \(waitingFor)" }
    }

    struct TmuxFailed: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: Starting dnb

    /// Starts dnb in a new session of this server and waits for its first
    /// prompt. `environment` adds variables (DNB_DATA is passed on only here).
    func launch(environment: [String: String] = [:], timeout: Double = 10) async throws {
        let binary = try DnbBinary.require()
        launches += 1
        var variables = ["HOME": directory.path, "DNB_HISTORY": historyPath, "LANG": "C.UTF-8"]
        variables.merge(environment) { $1 }
        let command =
            ["env", "-u", "EDITRC", "-u", "DNB_DATA", "-u", "LC_ALL"]
            + variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [binary]
        try tmux(
            [
                "new-session", "-d", "-s", target, "-x", String(width), "-y", String(height), "-c", directory.path,
                "bash", "-c", "trap : INT; \"$@\"; echo EXIT=$?; exec sleep 600", "bash",
            ] + command)
        if socketPath == nil {
            socketPath = try tmux(["display-message", "-p", "#{socket_path}"]).trimmingCharacters(in: .newlines)
        }
        try await waitFor("the first prompt", timeout: timeout) { Self.isWaitingAtPrompt($0) }
    }

    // MARK: Typing

    /// Types `text` literally (no key names).
    func type(_ text: String) throws {
        try tmux(["send-keys", "-t", target, "-l", text])
    }

    /// Presses keys by tmux name: `Enter`, `Tab`, `Up`, `C-c`, `C-d`, ...
    func press(_ keys: String...) throws {
        try tmux(["send-keys", "-t", target] + keys)
    }

    /// Types a command, presses Enter, waits for the next prompt, and returns
    /// what was printed in between (standard output and error, as shown).
    @discardableResult
    func run(_ command: String, timeout: Double = 10) async throws -> String {
        try type(command)
        return try await submit("`\(command)`", timeout: timeout)
    }

    /// Presses Enter on the line as it stands, waits for the next prompt, and
    /// returns what was printed in between.
    @discardableResult
    func submit(_ what: String = "the line", timeout: Double = 10) async throws -> String {
        let before = Self.promptLines(in: try screen()).count
        try press("Enter")
        let screen = try await waitFor("the prompt after \(what)", timeout: timeout) { screen in
            Self.promptLines(in: screen).count > before && Self.isWaitingAtPrompt(screen)
        }
        return Self.output(after: before, in: screen)
    }

    /// Waits for the exit line of the wrapper and returns dnb's exit code.
    func waitForExit(timeout: Double = 10) async throws -> Int32? {
        let screen = try await waitFor("dnb to exit", timeout: timeout) { $0.contains("EXIT=") }
        let line = screen.split(separator: "\n").last { $0.hasPrefix("EXIT=") }
        return line.flatMap { Int32($0.dropFirst("EXIT=".count)) }
    }

    // MARK: Reading the screen

    /// The pane's text, scroll-back included, each line without trailing
    /// blanks, trailing empty lines dropped. `joined` undoes line wrapping.
    func screen(joined: Bool = true) throws -> String {
        let text = try tmux(["capture-pane", "-p", "-S", "-", "-t", target] + (joined ? ["-J"] : []))
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.reversed().drop { $0 == " " }.reversed())
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// The cursor's column (0-based).
    func cursorColumn() throws -> Int? {
        Int(try tmux(["display-message", "-p", "-t", target, "#{cursor_x}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Polls the screen every 50 ms until `condition` holds; returns that
    /// screen. On timeout, fails with what the screen showed.
    @discardableResult
    func waitFor(
        _ what: String, timeout: Double = 10, sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: (String) throws -> Bool
    ) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while true {
            screen = try self.screen()
            if try condition(screen) { return screen }
            if Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out after \(timeout) s waiting for \(what); the screen:\n\(screen)", sourceLocation: sourceLocation)
        throw Timeout(waitingFor: what)
    }

    /// Lines that show the main prompt (with or without typing after it).
    static func promptLines(in screen: String) -> [Substring] {
        screen.split(separator: "\n", omittingEmptySubsequences: false).filter {
            $0 == prompt || $0.hasPrefix(prompt + " ")
        }
    }

    /// True when the last line is an empty main prompt.
    static func isWaitingAtPrompt(_ screen: String) -> Bool {
        screen.split(separator: "\n", omittingEmptySubsequences: false).last == Substring(prompt)
    }

    /// The lines between the `count`-th prompt line (the command's) and the next prompt line.
    static func output(after count: Int, in screen: String) -> String {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        let promptIndices = lines.indices.filter { lines[$0] == prompt || lines[$0].hasPrefix(prompt + " ") }
        guard count >= 1, count < promptIndices.count else { return "" }
        return lines[(promptIndices[count - 1] + 1)..<promptIndices[count]].joined(separator: "\n")
    }

    // MARK: tmux

    /// Runs one tmux command on this pane's server; returns its output.
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil  // tests may themselves run inside tmux
        let result = try Subprocess.run(
            "tmux", ["-L", socket, "-f", "/dev/null"] + arguments, environment: environment,
            directory: directory.path)
        guard result.status == 0 else {
            let hint = result.status == 127 ? " (is tmux installed? make test installs it)" : ""
            throw TmuxFailed(
                description: "tmux \(arguments.joined(separator: " ")) exited \(result.status)\(hint): \(result.standardError)")
        }
        return result.standardOutput
    }
}
