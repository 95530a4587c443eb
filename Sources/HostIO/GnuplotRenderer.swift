// Writes plot scripts to disk and, when gnuplot is installed, renders them.
// The only place in dnb that launches gnuplot; it returns values and never
// prints.

import Plotting

#if canImport(Glibc)
    import Glibc
#endif

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
    public init(searchPath: String? = getenv("PATH").map { String(cString: $0) }, timeout: Duration = .seconds(30)) {
        self.init(gnuplotPath: findExecutable("gnuplot", in: searchPath ?? ""), timeout: timeout)
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
        let scriptPath = joinPath(directory, output.scriptFileName)
        let imagePath = joinPath(directory, output.imageFileName)
        do {
            try writeFile(Array(script.text.utf8), to: scriptPath)
        } catch {
            return .failed(script: nil, message: error.description)
        }
        guard let gnuplotPath else { return .scriptOnly(script: scriptPath) }
        let request = ProcessRequest(
            gnuplotPath, [output.scriptFileName], directory: directory.isEmpty ? nil : directory, timeout: timeout)
        switch gnuplot(request) {
        case .failure(let failure):
            return .failed(script: scriptPath, message: failure.message)
        case .success:
            guard fileSize(imagePath) > 0 else {
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
        // The script on standard input (a file, so no pipe to break if gnuplot stops reading early).
        switch gnuplot(ProcessRequest(gnuplotPath, input: Array(script.text.utf8), timeout: timeout)) {
        case .failure(let failure):
            return .failed(message: failure.message)
        case .success(let finished):
            var text = finished.outputText
            if text.hasPrefix("\u{0C}") { text.removeFirst() }
            return .text(text)
        }
    }

    /// Runs gnuplot: its result, or its own error text (or the exit status when it said nothing).
    private func gnuplot(_ request: ProcessRequest) -> Result<ProcessResult, GnuplotFailure> {
        let finished: ProcessResult
        do {
            finished = try runProcess(request)
        } catch {
            return .failure(GnuplotFailure(message: error.description))
        }
        if finished.timedOut {
            return .failure(GnuplotFailure(message: "gnuplot did not finish within \(timeout) and was stopped"))
        }
        guard finished.status == 0 else {
            let text = finished.errorText.trimmingWhitespace()
            return .failure(GnuplotFailure(message: text.isEmpty ? "gnuplot exited with status \(finished.status)" : text))
        }
        return .success(finished)
    }
}

private struct GnuplotFailure: Error {
    var message: String
}

/// The size of the file at `path` in bytes; 0 when there is none.
func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : 0
}

extension String {
    func trimmingWhitespace() -> String {
        let isBlank = { (character: Character) in character.isWhitespace || character.isNewline }
        return String(drop(while: isBlank).reversed().drop(while: isBlank).reversed())
    }
}
