import HostIO
import Interpreter
import Language

/// Tab completion from the command table: verbs, their sub-words, option
/// keys and values, `$parameters`, and file paths where a verb takes a file.
public struct Completer: Sendable {
    /// Lists a directory's entries as (name, isDirectory); injectable for tests.
    var listDirectory: @Sendable (String) -> [(name: String, isDirectory: Bool)]
    var parameterNames: [String]

    public init(parameterNames: [String] = []) {
        self.parameterNames = parameterNames
        self.listDirectory = { path in
            listFolder(path.isEmpty ? "." : path).map { name in
                (name, fileKind((path.isEmpty ? "" : path) + name) == .directory)
            }
        }
    }

    init(parameterNames: [String], listDirectory: @escaping @Sendable (String) -> [(name: String, isDirectory: Bool)]) {
        self.parameterNames = parameterNames
        self.listDirectory = listDirectory
    }

    /// Candidates for the word being typed. `before` is the line up to the
    /// start of that word; `word` is its typed part. A candidate ending in
    /// `=` or `/` expects more typing (no space after it).
    public func candidates(before: String, word: String) -> [String] {
        if word.hasPrefix("$") {
            return parameterNames.map { "$" + $0 }.filter { $0.hasPrefix(word) }
        }
        let lastSeparator = before.last
        let tokens = before.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = tokens.first?.lowercased() else {
            return CommandTable.verbs.filter { $0.hasPrefix(word.lowercased()) }
        }
        guard let spec = CommandTable.spec(named: verb) else { return [] }

        // A value after `key=`.
        let groupOptions = (spec.groups ?? []).flatMap(\.options)
        if lastSeparator == "=", let key = tokens.last?.split(separator: "=").first.map(String.init),
            let option = (spec.options + groupOptions).first(where: { $0.name == key })
        {
            return values(of: option.kind, matching: word)
        }
        // The positional word being typed, and what the table says it is.
        let words = tokens.dropFirst().filter { !$0.contains("=") }.map { $0.lowercased() }
        var result: [String] = []
        // `fit`'s own options come before its first comma, its callbacks after.
        let inCommandPart = spec.groupsAfterComma && !before.contains(",")
        if let forms = spec.groups, !inCommandPart {
            // Inside a comma-separated group (`build`): its first word picks the form.
            let group =
                lastSeparator == ","
                ? []
                : before.split(separator: ",").last.map { part in
                    part.split(separator: " ").map(String.init).filter { $0 != spec.name }
                } ?? []
            let groupWords = group.filter { !$0.contains("=") }
            if let first = groupWords.first {
                if let form = spec.group(named: first.lowercased()) {
                    let index = groupWords.count - 1
                    if index < form.arguments.count { result += values(of: form.arguments[index].kind, matching: word) }
                    let given = Set(group.compactMap { $0.split(separator: "=").first.map(String.init) })
                    result += form.options.map(\.name).filter { !given.contains($0) }.map { $0 + "=" }
                }
            } else {
                result += forms.map(\.name)
            }
        } else if let form = words.first.flatMap(spec.subcommand(named:)) {
            let index = words.count - 1
            if index < form.arguments.count { result += values(of: form.arguments[index].kind, matching: word) }
        } else if words.isEmpty {
            result += spec.subcommands.map(\.name)
            if let first = spec.arguments.first { result += values(of: first.kind, matching: word) }
        } else if spec.subcommands.isEmpty, words.count < spec.arguments.count {
            result += values(of: spec.arguments[words.count].kind, matching: word)
        }
        if !word.contains("/"), spec.groups == nil || !spec.groupsAfterComma || inCommandPart {
            let given = Set(tokens.compactMap { $0.split(separator: "=").first.map(String.init) })
            let form = tokens.dropFirst().first.flatMap { spec.subcommand(named: $0.lowercased()) }
            result += spec.options(for: form).map(\.name).filter { !given.contains($0) }.map { $0 + "=" }
        }
        return result.filter { $0.hasPrefix(word) }
    }

    /// What may be typed for a value of `kind`.
    func values(of kind: ValueKind, matching word: String) -> [String] {
        switch kind {
        case .choice(let words): words.filter { $0.hasPrefix(word) }
        case .boolean: ["true", "false"].filter { $0.hasPrefix(word) }
        case .path: paths(matching: word)
        case .command: CommandTable.verbs.filter { $0.hasPrefix(word) }
        case .integer, .number, .text, .squareSize: []
        }
    }

    /// Files and folders whose path starts with `typed` (folders end in `/`).
    func paths(matching typed: String) -> [String] {
        let directory: String
        let prefix: String
        if let slash = typed.lastIndex(of: "/") {
            directory = String(typed[...slash])
            prefix = String(typed[typed.index(after: slash)...])
        } else {
            directory = ""
            prefix = typed
        }
        return listDirectory(directory)
            .filter { $0.name.hasPrefix(prefix) && (prefix.hasPrefix(".") || !$0.name.hasPrefix(".")) }
            .map { directory + $0.name + ($0.isDirectory ? "/" : "") }
    }
}
