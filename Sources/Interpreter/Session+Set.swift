import Engine
import Language

extension Session {
    /// `set seed=N plots=DIR format=png|svg threads=N`; with no options, lists the settings.
    func set(_ command: Command) throws(Diagnostic) {
        _ = try expectWords(command, atMost: 0, usage: CommandSpecs.set.usage)
        let options = try self.options(command)
        var settings = state.settings
        if let seed = options.integer("seed") { settings.seed = UInt64(seed) }
        if let plots = options.text("plots") { settings.plotsDirectory = plots }
        if let format = options.text("format") { settings.plotFormat = format }
        if let threads = options.integer("threads") { settings.threads = threads }
        if settings.threads != state.settings.threads { setComputeThreads(settings.threads) }
        state.settings = settings
        let names = command.options.isEmpty ? ["seed", "plots", "format", "threads"] : command.options.map(\.key.text)
        emit(.text(names.map { "\($0) = \(value(of: $0, in: settings))" }.joined(separator: "\n")))
    }

    private func value(of name: String, in settings: Settings) -> String {
        switch name {
        case "seed": String(settings.seed)
        case "plots": settings.plotsDirectory
        case "format": settings.plotFormat
        default: String(settings.threads)
        }
    }
}
