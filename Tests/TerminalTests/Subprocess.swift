import HostIO

/// The tests' view of HostIO's one process runner: output as text.
enum Subprocess {
    /// What a finished program printed, and its exit status (128 + N when killed by signal N).
    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs `executable` (a path, or a name looked up in the PATH of
    /// `environment`) in `directory`, with `input` as its standard input.
    static func run(
        _ executable: String, _ arguments: [String], input: String = "", environment: [String: String],
        directory: String
    ) throws -> Result {
        let finished = try runProcess(
            ProcessRequest(
                executable, arguments, environment: environment, directory: directory, input: Array(input.utf8)))
        return Result(status: finished.status, standardOutput: finished.outputText, standardError: finished.errorText)
    }
}
