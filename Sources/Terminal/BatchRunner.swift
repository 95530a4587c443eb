import Foundation
import Interpreter
import Language

/// `dnb run FILE.dnb` and `dnb < FILE.dnb`: replays a notebook and returns the
/// exit code (0, 1 at the first failing command, 130 after Ctrl-C).
public enum BatchRunner {
    public static func run(
        file: String?, source: String? = nil, parameters: [String: String] = [:]
    ) -> Int32 {
        let console = Console()
        Interrupts.install()
        let notebookSource: String
        if let source {
            notebookSource = source
        } else if let file {
            do {
                notebookSource = try Session.readNotebook(file)
            } catch {
                console.error("dnb: error: \(error.description)")
                return 1
            }
        } else {
            return 1
        }
        let interpreter = Session(
            environment: .current, isInterrupted: { Interrupts.isRequested }, emit: console.show)
        if !parameters.isEmpty { interpreter.overrideParameters(parameters) }
        if let failure = interpreter.run(source: notebookSource, file: file ?? "<stdin>") {
            console.error(failure.rendered)
            return failure.interrupted ? 130 : 1
        }
        return 0
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
