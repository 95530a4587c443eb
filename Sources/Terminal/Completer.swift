import Foundation
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
            let manager = FileManager.default
            let entries = (try? manager.contentsOfDirectory(atPath: path.isEmpty ? "." : path)) ?? []
            return entries.sorted().map { name in
                var isDirectory: ObjCBool = false
                _ = manager.fileExists(atPath: (path.isEmpty ? "" : path) + name, isDirectory: &isDirectory)
                return (name, isDirectory.boolValue)
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
        if lastSeparator == "=", let key = tokens.last?.split(separator: "=").first.map(String.init),
            let option = spec.options.first(where: { $0.name == key })
        {
            switch option.kind {
            case .choice(let words): return words.filter { $0.hasPrefix(word) }
            case .boolean: return ["true", "false"].filter { $0.hasPrefix(word) }
            case .text: return paths(matching: word)
            default: return []
            }
        }
        let positional = tokens.dropFirst().filter { !$0.contains("=") }
        var result: [String] = []
        if verb == "help", positional.isEmpty {
            result += CommandTable.verbs
        } else if verb == "build" {
            // Inside a layer group: `dense`, then units, then an activation.
            let group = before.split(separator: ",").last.map { $0.split(separator: " ") } ?? []
            let groupWords = group.filter { !$0.isEmpty }.map(String.init)
            let inGroup = lastSeparator == "," ? [] : (groupWords.first == "build" ? Array(groupWords.dropFirst()) : groupWords)
            switch inGroup.count {
            case 0: result += ["dense"]
            case 2: result += CommandSpecs.activationNames
            default: break
            }
        } else if positional.isEmpty, !spec.subcommands.isEmpty {
            result += spec.subcommands
        } else if spec.takesPaths {
            let needsFile = verb == "run" || verb == "predict" || (positional.first.map { $0 != "mnist" } ?? false)
            if needsFile { result += paths(matching: word) }
        }
        if !word.contains("/") {
            let given = Set(tokens.compactMap { $0.split(separator: "=").first.map(String.init) })
            result += spec.options.map(\.name).filter { !given.contains($0) }.map { $0 + "=" }
        }
        return result.filter { $0.hasPrefix(word) }
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
