/// What grows with every line of a session: notebook parameters and the
/// commands that succeeded. A snapshot of the session is taken before each
/// command (so a failed one changes nothing); copying these collections
/// into it would make every line cost as much as all the lines before it.
/// So they live in one object shared by the snapshots, with an undo
/// journal: a snapshot keeps a mark, and restoring undoes back to it.
final class SessionJournal {
    /// Notebook parameters (`param`, `-p`), used as `$name`.
    private(set) var parameters: [String: String] = [:]
    /// Names declared by `param` lines.
    private(set) var declaredParameters: Set<String> = []
    /// The source of every top-level command that succeeded, for `save session`.
    private(set) var successfulCommands: [String] = []

    private enum Change {
        case parameter(name: String, previous: String?)
        case declared(String)
        case command
    }
    private var changes: [Change] = []

    /// A point to come back to.
    struct Mark {
        fileprivate let changes: Int
    }

    var mark: Mark { Mark(changes: changes.count) }

    func setParameter(_ name: String, to value: String) {
        changes.append(.parameter(name: name, previous: parameters.updateValue(value, forKey: name)))
    }

    func declareParameter(_ name: String) {
        if declaredParameters.insert(name).inserted { changes.append(.declared(name)) }
    }

    func recordCommand(_ source: String) {
        successfulCommands.append(source)
        changes.append(.command)
    }

    /// Undoes every change since `mark`, last first.
    func undo(to mark: Mark) {
        while changes.count > mark.changes {
            switch changes.removeLast() {
            case .parameter(let name, let previous): parameters[name] = previous
            case .declared(let name): declaredParameters.remove(name)
            case .command: successfulCommands.removeLast()
            }
        }
    }
}
