import Engine
import Language

/// `set seed=N plots=DIR format=png|svg threads=N`: its declaration; the
/// defaults here are the settings a session starts with.
enum SetCommand {
    static let seed = Option("seed", .integer(0...Int.max), default: 1, "seeds weight initialisation and shuffling")
    static let plots = Option("plots", .path, default: "plots", "folder for plot scripts and images")
    static let format = Option("format", .choice(["png", "svg"]), default: "png", "image format of plots")
    static let threads = Option(
        "threads", .integer(1...256), default: availableCores(), note: "the cores this process may run on",
        "threads the engine may use; the numbers do not depend on it")

    static let spec = CommandSpec(
        name: "set",
        usage: "set seed=N | plots=DIR | format=png|svg | threads=N",
        summary: "session settings",
        details: "Same notebook and seed give bit-identical numbers, on any x86-64-v3 CPU and with any thread count.",
        options: [seed.spec, plots.spec, format.spec, threads.spec],
        examples: ["set seed=7", "set threads=1"])

    static let entry = CommandEntry(spec: spec, handler: Session.set)
}

/// Session settings changed with `set`.
public struct Settings: Equatable, Sendable {
    /// Seeds weight initialisation and shuffling: same seed, same numbers.
    public var seed = UInt64(SetCommand.seed.defaultValue)
    /// Where plots are written, relative to the working directory.
    public var plotsDirectory = SetCommand.plots.defaultValue
    /// Image format of rendered plots.
    public var plotFormat = SetCommand.format.defaultValue
    /// Threads the engine may use: every core this process may run on by
    /// default. Numbers do not depend on it.
    public var threads = SetCommand.threads.defaultValue

    public init() {}
}

extension Session {
    /// With no options, lists the settings.
    func set(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        var settings = state.settings
        if invocation.has(SetCommand.seed) { settings.seed = UInt64(invocation[SetCommand.seed]) }
        if invocation.has(SetCommand.plots) { settings.plotsDirectory = invocation[SetCommand.plots] }
        if invocation.has(SetCommand.format) { settings.plotFormat = invocation[SetCommand.format] }
        if invocation.has(SetCommand.threads) { settings.threads = invocation[SetCommand.threads] }
        if settings.threads != state.settings.threads { setComputeThreads(settings.threads) }
        state.settings = settings
        let shown: [(String, String)] = [
            (SetCommand.seed.name, String(settings.seed)), (SetCommand.plots.name, settings.plotsDirectory),
            (SetCommand.format.name, settings.plotFormat), (SetCommand.threads.name, String(settings.threads)),
        ]
        let written = invocation.writtenOptions.map(\.key.text)
        let lines = written.isEmpty ? shown : written.compactMap { name in shown.first { $0.0 == name } }
        emit(.text(lines.map { "\($0.0) = \($0.1)" }.joined(separator: "\n")))
        return .done
    }
}
