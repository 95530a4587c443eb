import Foundation
import HostIO
import Interpreter
import Language

/// `dnb run FILE.dnb` and `dnb < FILE.dnb`: replays a notebook and returns the
/// exit code (0; 1 at the first failing command or a checked output that
/// differs; 130 after Ctrl-C).
public enum BatchRunner {
    /// What `dnb run` does besides replaying.
    public struct Options: Sendable {
        /// Notebook parameters from `-p NAME=VALUE`.
        public var parameters: [String: String] = [:]
        /// `--record`: write each command's output under it as `#>` lines.
        public var record = false
        /// `--check`: compare each command's output with its `#>` lines.
        public var check = false
        /// `--tolerance`: relative difference allowed between numbers in `--check`.
        public var tolerance = 1e-4
        /// `--report FILE.md|FILE.ipynb`.
        public var report: String?

        public init() {}
    }

    public static func run(
        file: String?, source: String? = nil, readStandardInput: Bool = false, options: Options = Options()
    ) -> Int32 {
        let console = Console()
        Interrupts.install()
        if let file, file.hasSuffix(".ipynb"), source == nil {
            return runJupyterNotebook(file, options: options, console: console)
        }
        let notebookSource: String
        if let source {
            notebookSource = source
        } else if readStandardInput {
            do {
                notebookSource = try Session.notebookText(readAll(from: STDIN_FILENO), name: file ?? "<stdin>")
            } catch {
                console.error(Diagnostic(error.description).rendered(file: nil, sourceLines: []))
                return 1
            }
        } else if let file {
            do {
                notebookSource = try Session.readNotebook(file)
            } catch {
                console.error(error.rendered(file: nil, sourceLines: []))
                return 1
            }
        } else {
            return 1
        }
        let name = file ?? "<stdin>"
        let session = Session(environment: .current, isInterrupted: { Interrupts.isRequested }, emit: console.show)
        if !options.parameters.isEmpty { session.overrideParameters(options.parameters) }
        let keepsOutputs = options.record || options.check || options.report != nil
        var outputs: [StatementOutput] = []
        var differences: [Diagnostic] = []
        let sourceLines = NotebookSplitter.lines(of: notebookSource)
        let failure = session.run(
            source: notebookSource, file: name,
            onStatement: keepsOutputs
                ? { statement, events in
                    let output = StatementOutput(statement: statement, events: events)
                    outputs.append(output)
                    if options.check, !statement.isBlank,
                        let difference = difference(output, tolerance: options.tolerance)
                    {
                        differences.append(difference)
                    }
                } : nil)
        for name in session.undeclaredOverrides {
            console.error("dnb: warning: -p \(name)=… was given but no `param \(name)=…` line declares it")
        }
        if let failure, let last = outputs.indices.last {
            outputs[last].error = failure.rendered
        }
        var status: Int32 = 0
        if let failure {
            console.error(failure.rendered)
            status = failure.interrupted ? 130 : 1
        }
        if let report = options.report, !writeReport(report, title: name, outputs: outputs, console: console) {
            status = status == 0 ? 1 : status
        }
        if options.check {
            for difference in differences {
                console.error(difference.rendered(file: name, sourceLines: sourceLines))
            }
            if !differences.isEmpty {
                console.error("\(name): \(differences.count) command(s) printed something else than their recorded output")
                status = status == 0 ? 1 : status
            } else if failure == nil {
                console.show(.text("\(name): every recorded output matches (relative tolerance \(options.tolerance))"))
            }
        }
        if options.record, failure == nil, let file {
            let recorded = NotebookRecording.rewrite(source: notebookSource, outputs: outputs)
            do {
                try writeFile(Array(recorded.utf8), to: file)
                console.show(
                    .text("recorded the outputs of \(outputs.filter { !$0.statement.isBlank }.count) command(s) in \(file)"))
            } catch {
                console.error(Diagnostic(error.description).rendered(file: nil, sourceLines: []))
                status = 1
            }
        }
        return status
    }

    /// `dnb run FILE.ipynb`: the code cells of a notebook written for the dnb
    /// kernel, in order, in one session; errors name the cell
    /// (`FILE[cell N]:LINE:COL`). `--report` works; `--record` and `--check`
    /// are for `.dnb` notebooks (main refuses them here).
    static func runJupyterNotebook(_ file: String, options: Options, console: Console) -> Int32 {
        let cells: [JupyterNotebook.CodeCell]
        do throws(Diagnostic) {
            let bytes: [UInt8]
            do {
                bytes = try readFileBytes(file)
            } catch {
                throw Diagnostic(error.message(naming: file))
            }
            cells = try JupyterNotebook.codeCells(bytes, name: file)
        } catch {
            console.error(error.rendered(file: nil, sourceLines: []))
            return 1
        }
        let session = Session(environment: .current, isInterrupted: { Interrupts.isRequested }, emit: console.show)
        if !options.parameters.isEmpty { session.overrideParameters(options.parameters) }
        var outputs: [StatementOutput] = []
        var failure: Failure?
        for cell in cells {
            failure = session.run(
                source: cell.source, file: "\(file)[cell \(cell.number)]",
                onStatement: options.report == nil
                    ? nil : { statement, events in outputs.append(StatementOutput(statement: statement, events: events)) })
            if failure != nil { break }
        }
        var status: Int32 = 0
        if let failure {
            if let last = outputs.indices.last { outputs[last].error = failure.rendered }
            console.error(failure.rendered)
            status = failure.interrupted ? 130 : 1
        }
        if let report = options.report, !writeReport(report, title: file, outputs: outputs, console: console) {
            status = status == 0 ? 1 : status
        }
        return status
    }

    /// Everything on a file descriptor, as bytes.
    static func readAll(from descriptor: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return bytes
            }
        }
    }

    /// A command whose output differs from its `#>` lines, as an error at its line.
    static func difference(_ output: StatementOutput, tolerance: Double) -> Diagnostic? {
        let expected = output.statement.recordedOutput
        let actual = output.lines
        guard let reason = NotebookRecording.difference(expected: expected, actual: actual, tolerance: tolerance) else {
            return nil
        }
        let statement = output.statement
        let span = SourceSpan(line: statement.line, column: 1, length: statement.source.count)
        let message =
            expected.isEmpty
            ? "no recorded output to compare with (record it with: dnb run FILE.dnb --record)"
            : "the output differs from the recording: \(reason)"
        let notes = ["expected:"] + expected.map { "    #> " + $0 } + ["actual:"] + actual.map { "    #> " + $0 }
        return Diagnostic(message, at: span, notes: notes)
    }

    private static func writeReport(_ path: String, title: String, outputs: [StatementOutput], console: Console) -> Bool {
        let report = NotebookReport(title: title, outputs: outputs)
        let directory = FileManager.default.currentDirectoryPath
        let absolute = path.hasPrefix("/") ? path : directory + "/" + path
        let bytes: [UInt8] =
            path.hasSuffix(".ipynb")
            ? report.ipynb(workingDirectory: directory)
            : Array(
                report.markdown(
                    reportDirectory: URL(fileURLWithPath: absolute).deletingLastPathComponent().path,
                    workingDirectory: directory
                ).utf8)
        do {
            try writeFile(bytes, to: absolute)
            console.show(.text("wrote the report \(path)"))
            return true
        } catch {
            console.error(Diagnostic(error.description).rendered(file: nil, sourceLines: []))
            return false
        }
    }
}

extension Environment {
    /// This process's environment and directories.
    public static var current: Environment {
        let variables = ProcessInfo.processInfo.environment
        return Environment(
            variables: variables, currentDirectory: FileManager.default.currentDirectoryPath,
            homeDirectory: variables["HOME"] ?? NSHomeDirectory())
    }
}
