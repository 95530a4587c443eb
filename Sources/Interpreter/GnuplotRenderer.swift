// Writes plot scripts to disk and, when gnuplot is installed, renders them.
// The only place in dnb that launches gnuplot; it returns values and never
// prints.

import Datasets
import Foundation
import Plotting

/// What became of one plot: the image, only the script, or a failure.
public enum GnuplotRenderResult: Sendable, Equatable {
    /// gnuplot wrote `image`; `script` is the `.gp` file it rendered.
    case rendered(script: String, image: String)
    /// gnuplot is not installed: only `script` was written.
    case scriptOnly(script: String)
    /// The script could not be written (`script` is nil), or gnuplot
    /// failed; `message` is gnuplot's own error text where it gave one.
    case failed(script: String?, message: String)
}

extension GnuplotRenderResult: CustomStringConvertible {
    /// One line (or gnuplot's message) for the user.
    public var description: String {
        switch self {
        case .rendered(_, let image):
            return "wrote \(image)"
        case .scriptOnly(let script):
            return "gnuplot not installed — render with: gnuplot \(script)"
        case .failed(let script?, let message):
            return "gnuplot could not render \(script): \(message)"
        case .failed(nil, let message):
            return message
        }
    }
}

/// A terminal preview's text, or why there is none.
public enum GnuplotPreviewResult: Sendable, Equatable {
    /// The chart as text, without the form feed gnuplot puts first.
    case text(String)
    /// gnuplot is not installed.
    case unavailable
    /// gnuplot failed; `message` is its own error text.
    case failed(message: String)
}

/// Runs gnuplot on scripts from the Plotting module.
///
/// Which gnuplot is injectable: ``init(gnuplotPath:timeout:)`` takes an
/// explicit executable (nil means "not installed"), ``init(searchPath:timeout:)``
/// looks it up on a `PATH`-style list.
public struct GnuplotRenderer: Sendable {
    /// The gnuplot executable, or nil when it is not installed.
    public let gnuplotPath: String?
    /// How long one gnuplot run may take before it is stopped.
    public let timeout: Duration

    /// A renderer using the executable at `gnuplotPath` (nil: none).
    public init(gnuplotPath: String?, timeout: Duration = .seconds(30)) {
        self.gnuplotPath = gnuplotPath
        self.timeout = timeout
    }

    /// A renderer using the first executable `gnuplot` in `searchPath`
    /// (colon-separated; default: this process's `PATH`).
    public init(searchPath: String? = ProcessInfo.processInfo.environment["PATH"], timeout: Duration = .seconds(30)) {
        self.init(gnuplotPath: Self.findExecutable("gnuplot", in: searchPath ?? ""), timeout: timeout)
    }

    /// The first `directory/name` in the colon-separated `searchPath` that
    /// is an executable file, or nil.
    public static func findExecutable(_ name: String, in searchPath: String) -> String? {
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory.hasSuffix("/") ? "\(directory)\(name)" : "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    /// Writes `script` to `directory/NAME.gp` (creating `directory`;
    /// atomically, through a temporary file and a rename), then renders it
    /// with gnuplot, run in `directory`, to `directory/NAME.png` (or
    /// `.svg`). Paths in the result start with `directory` as given.
    ///
    /// A terminal-preview script (no output file) is refused: use
    /// ``preview(_:)``.
    public func render(_ script: GnuplotScript, in directory: String) -> GnuplotRenderResult {
        guard let output = script.output else {
            return .failed(script: nil, message: "a terminal preview has no image to render")
        }
        let scriptPath = joined(directory, output.scriptFileName)
        let imagePath = joined(directory, output.imageFileName)
        do {
            try writeFile(Array(script.text.utf8), to: scriptPath)
        } catch {
            return .failed(script: nil, message: error.description)
        }
        guard let gnuplotPath else { return .scriptOnly(script: scriptPath) }
        let run = runProcess(gnuplotPath, arguments: [output.scriptFileName], workingDirectory: directory, timeout: timeout)
        switch run {
        case .failure(let failure):
            return .failed(script: scriptPath, message: failure.message)
        case .success(let finished) where finished.status != 0:
            return .failed(script: scriptPath, message: gnuplotMessage(finished))
        case .success:
            let size = (try? FileManager.default.attributesOfItem(atPath: imagePath)[.size] as? Int) ?? 0
            guard size > 0 else {
                return .failed(script: scriptPath, message: "gnuplot finished but \(imagePath) is missing or empty")
            }
            return .rendered(script: scriptPath, image: imagePath)
        }
    }

    /// Runs a terminal-preview script (from `lineChartPreview`) and returns
    /// what gnuplot drew, with its leading form feed removed. Writes no file.
    public func preview(_ script: GnuplotScript) -> GnuplotPreviewResult {
        guard script.output == nil else {
            return .failed(message: "not a terminal preview: the script writes \(script.output?.imageFileName ?? "")")
        }
        guard let gnuplotPath else { return .unavailable }
        // Through a temporary file rather than standard input: no pipe to
        // break if gnuplot stops reading early.
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("dnb-preview-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).gp")
        do {
            try writeFile(Array(script.text.utf8), to: temporary.path)
        } catch {
            return .failed(message: error.description)
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        let run = runProcess(gnuplotPath, arguments: [temporary.path], workingDirectory: nil, timeout: timeout)
        switch run {
        case .failure(let failure):
            return .failed(message: failure.message)
        case .success(let finished) where finished.status != 0:
            return .failed(message: gnuplotMessage(finished))
        case .success(let finished):
            var text = String(decoding: finished.standardOutput, as: UTF8.self)
            if text.hasPrefix("\u{0C}") { text.removeFirst() }
            return .text(text)
        }
    }
}

// MARK: - Files

/// `directory/name`, without doubling a trailing slash.
private func joined(_ directory: String, _ name: String) -> String {
    directory.isEmpty ? name : directory.hasSuffix("/") ? directory + name : directory + "/" + name
}

/// The human part of a file-system error.
private func reason(_ error: any Error) -> String {
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    return (error as NSError).localizedDescription
}

// MARK: - Running gnuplot

/// A process that ran to its end.
private struct FinishedProcess {
    var status: Int32
    var standardOutput: Data
    var standardError: Data
}

/// Why a process could not be run to its end.
private struct RunFailure: Error {
    var message: String
}

/// gnuplot's stderr, trimmed, or the exit status when it said nothing.
private func gnuplotMessage(_ finished: FinishedProcess) -> String {
    let text = String(decoding: finished.standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "gnuplot exited with status \(finished.status)" : text
}

/// Collects a pipe's bytes on a background thread, so a chatty process can
/// never block on a full pipe.
private final class PipeReader: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        DispatchQueue.global().async {
            let bytes = handle.readDataToEndOfFile()
            self.lock.lock()
            self.data = bytes
            self.lock.unlock()
            self.done.signal()
        }
    }

    /// Everything read, once the writer has closed its end.
    func result() -> Data {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}

/// Runs `executable` with `arguments` in `workingDirectory` (standard
/// input empty), and stops it after `timeout`.
private func runProcess(
    _ executable: String, arguments: [String], workingDirectory: String?, timeout: Duration
) -> Result<FinishedProcess, RunFailure> {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let workingDirectory {
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory, isDirectory: true)
    }
    let standardOutput = Pipe()
    let standardError = Pipe()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = standardOutput
    process.standardError = standardError
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    do {
        try process.run()
    } catch {
        return .failure(RunFailure(message: "cannot run \(executable): \(reason(error))"))
    }
    let outputReader = PipeReader(standardOutput)
    let errorReader = PipeReader(standardError)
    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    if exited.wait(timeout: .now() + seconds) == .timedOut {
        // SIGKILL, not `terminate()`'s SIGTERM: a child spawned from a
        // thread that blocks signals (Swift concurrency's, as under
        // `swift test`) inherits that mask and never sees SIGTERM.
        // gnuplot has nothing to clean up.
        kill(process.processIdentifier, SIGKILL)
        exited.wait()
        _ = outputReader.result()
        _ = errorReader.result()
        return .failure(RunFailure(message: "gnuplot did not finish within \(timeout) and was stopped"))
    }
    return .success(
        FinishedProcess(
            status: process.terminationStatus,
            standardOutput: outputReader.result(),
            standardError: errorReader.result()))
}
