/// A command checked against its `CommandSpec`: the form it picked, its
/// positional words with their typed values, and every option with its
/// default applied. Handlers read only this; nothing is validated twice.
public struct Invocation: Equatable, Sendable {
    /// A positional word and its checked value.
    public struct Argument: Equatable, Sendable {
        public var name: String
        public var word: Word
        public var value: OptionValue
    }

    public var command: Command
    /// The sub-word (lower case) and where it was written; nil when the
    /// command has none, or when it was left out (then `subcommand` is the default).
    public var subcommandWord: Word?
    /// The form picked: the sub-word given, or the command's default form.
    public var subcommand: String?
    /// The positional words after the sub-word.
    public var arguments: [Argument]
    /// Comma-separated groups, for a command that takes them (`build`).
    public var groups: [Group]
    var values: [String: OptionValue]
    var spans: [String: SourceSpan]
    /// Declared defaults of the optional positional words that were left out.
    var argumentDefaults: [String: OptionValue]

    public var verb: Word { command.verb }

    /// The option's value, or its declared default.
    public subscript<Value>(_ option: Option<Value>) -> Value {
        option.read(values[option.name])
    }

    /// Whether the option was written on the line.
    public func has<Value>(_ option: Option<Value>) -> Bool { values[option.name] != nil }

    /// The checked value of option `name` as given, nil when it was not given
    /// (options declared by name, e.g. from the engine's optimizers).
    public func givenOption(_ name: String) -> OptionValue? { values[name] }

    /// Where the option's value was written.
    public func span<Value>(of option: Option<Value>) -> SourceSpan? { spans[option.name] }

    /// Every option as written, in order (`param`).
    public var writtenOptions: [OptionArgument] { command.options }

    /// The positional word declared as `name`, if it was given.
    public func argument(_ name: String) -> Argument? { arguments.first { $0.name == name } }

    /// The whole number declared as `name`, or its declared default.
    public func integer(_ name: String) -> Int? {
        switch argument(name)?.value ?? argumentDefaults[name] {
        case .integer(let value)?: value
        default: nil
        }
    }

    /// The form picked, as the handler's enum of sub-words (whose raw
    /// values the table declared, so this fails only on a programmer error).
    public func form<Form: RawRepresentable>(_: Form.Type) throws(Diagnostic) -> Form where Form.RawValue == String {
        guard let name = subcommand, let form = Form(rawValue: name) else {
            throw Diagnostic(
                "'\(verb.text)' has no form '\(subcommand ?? "")' (the command table and its handler disagree)", at: verb.span)
        }
        return form
    }

    /// A span covering the verb and its words, for errors about the whole command.
    public var wholeSpan: SourceSpan {
        var end = command.verb.span.start.column + command.verb.span.length
        let line = command.verb.span.start.line
        for item in command.items where item.span.start.line == line {
            end = max(end, item.span.start.column + item.span.length)
        }
        for option in command.options where option.value.span.start.line == line {
            end = max(end, option.value.span.start.column + option.value.span.length)
        }
        return SourceSpan(start: command.verb.span.start, length: end - command.verb.span.start.column)
    }
}

extension CommandSpec {
    /// Checks `command` against this declaration: the sub-word, the number
    /// and type of positional words, and every option (unknown, misplaced or
    /// bad values are refused at their place, with the nearest valid name).
    /// `verbs` are the commands a `.command` word may name.
    public func bind(_ command: Command, verbs: [String]) throws(Diagnostic) -> Invocation {
        var invocation = Invocation(
            command: command, subcommandWord: nil, subcommand: nil, arguments: [], groups: [], values: [:], spans: [:],
            argumentDefaults: [:])
        let usageNote = "usage: \(usage)"
        if groups != nil {
            try bindGroups(command, into: &invocation, verbs: verbs)
        } else {
            if let comma = command.items.first(where: { if case .comma = $0 { true } else { false } }) {
                throw Diagnostic("unexpected ',' — \(usageNote)", at: comma.span)
            }
            var words = command.words
            var argumentSpecs = arguments
            var form: SubcommandSpec?
            if !subcommands.isEmpty {
                if let first = words.first, let match = subcommand(named: first.text.lowercased()) {
                    form = match
                    invocation.subcommandWord = Word(text: match.name, span: first.span, quoted: first.quoted)
                    words.removeFirst()
                    argumentSpecs = match.arguments
                } else if let first = words.first, arguments.isEmpty {
                    throw unknownSubcommand(first)
                } else if words.isEmpty, arguments.isEmpty || arguments.allSatisfy({ $0.presence != .required }) {
                    guard let fallback = defaultSubcommand.flatMap(subcommand(named:)) else {
                        throw Diagnostic("\(name) what? \(usageNote)", at: command.verb.span)
                    }
                    form = fallback
                    argumentSpecs = fallback.arguments
                }
            }
            invocation.subcommand = form?.name
            // Options first: an unknown one is the likelier mistake, and needs no other word to be right.
            try bindOptions(command, form: form, into: &invocation)
            let place = form.map { "\(name) \($0.name)" } ?? name
            invocation.arguments = try bindArguments(
                words, argumentSpecs, after: invocation.subcommandWord ?? command.verb, form: place, verbs: verbs)
            for spec in argumentSpecs where invocation.argument(spec.name) == nil {
                if let value = spec.defaultValue { invocation.argumentDefaults[spec.name] = value }
            }
            return invocation
        }
        return invocation
    }

    private func unknownSubcommand(_ word: Word) -> Diagnostic {
        let names = subcommands.map(\.name)
        var notes: [String] = []
        if let guess = closestMatch(to: word.text.lowercased(), among: names) { notes.append("note: did you mean '\(guess)'?") }
        return Diagnostic(
            "unknown \(subcommandNoun) '\(word.text)' — expected one of: \(names.joined(separator: ", "))", at: word.span,
            notes: notes)
    }

    /// Positional words against their specs: count, then each value.
    func bindArguments(
        _ words: [Word], _ specs: [ArgumentSpec], after anchor: Word, form: String?, usage: String? = nil, verbs: [String]
    ) throws(Diagnostic) -> [Invocation.Argument] {
        let usage = usage ?? self.usage
        if words.count > specs.count {
            let extra = words[specs.count]
            if groups != nil {
                throw Diagnostic(
                    "unexpected '\(extra.text)' — separate \(groupNoun)s with a comma: \(examples.first ?? usage)",
                    at: extra.span)
            }
            throw Diagnostic("unexpected '\(extra.text)' — usage: \(usage)", at: extra.span)
        }
        for (index, spec) in specs.enumerated() where index >= words.count {
            let missing =
                spec.presence == .required || (spec.presence == .withPrevious && index == words.count && index > 0)
            guard missing else { continue }
            let what = spec.noun == spec.name.lowercased() ? spec.name : "\(spec.name) (\(spec.noun))"
            throw Diagnostic("`\(form ?? name)` needs \(what) — usage: \(usage)", at: (words.last ?? anchor).span)
        }
        var bound: [Invocation.Argument] = []
        for (word, spec) in zip(words, specs) {
            bound.append(
                Invocation.Argument(
                    name: spec.name, word: word,
                    value: try Self.argumentValue(word, spec, verbs: verbs)))
        }
        return bound
    }

    func bindOptions(
        _ command: Command, form: SubcommandSpec?, into invocation: inout Invocation, only given: [OptionArgument]? = nil
    ) throws(Diagnostic) {
        let accepted = options(for: form)
        for option in given ?? command.options {
            let key = option.key.text
            if acceptsAnyOption {
                invocation.values[key] = .text(option.value.text)
                invocation.spans[key] = option.value.span
                continue
            }
            guard let spec = accepted.first(where: { $0.name == key }) else {
                throw misplaced(option, accepted: accepted, form: form)
            }
            invocation.values[key] = try Self.value(
                option.value.text, as: spec.kind, named: key, at: option.value.span, verbs: [], isOption: true)
            invocation.spans[key] = option.value.span
        }
    }

    /// An option this form does not take: where it goes instead, or the nearest name.
    private func misplaced(_ option: OptionArgument, accepted: [OptionSpec], form: SubcommandSpec?) -> Diagnostic {
        let key = option.key.text
        var homes = subcommands.filter { $0.options?.contains(key) ?? true }.map { "`\(name) \($0.name)`" }
        if !arguments.isEmpty { homes.append("`\(([name] + arguments.map(\.name)).joined(separator: " "))`") }
        if options.contains(where: { $0.name == key }), !homes.isEmpty {
            return Diagnostic("\(key)= goes with \(homes.joined(separator: " or "))", at: option.key.span)
        }
        // An option of a group written among the command's own (`fit patience=3`).
        let groupHomes = (groups ?? []).filter { $0.options.contains { $0.name == key } }.map { "`\($0.name)`" }
        if !groupHomes.isEmpty {
            let example = (groups ?? []).first { $0.options.contains { $0.name == key } }.map {
                "\(name) ..., \($0.name) \(key)=..."
            }
            return Diagnostic(
                "\(key)= goes with \(groupNoun) \(groupHomes.joined(separator: " or ")), after a comma: \(example ?? usage)",
                at: option.key.span)
        }
        let names = accepted.map(\.name)
        var notes: [String] = []
        if let guess = closestMatch(to: key, among: names) { notes.append("note: did you mean '\(guess)='?") }
        let place = form.map { "\(name) \($0.name)" } ?? name
        let takes =
            names.isEmpty
            ? "'\(place)' takes no options" : "'\(place)' takes: " + names.map { "\($0)=" }.joined(separator: " ")
        return Diagnostic("unknown option '\(key)' — \(takes)", at: option.key.span, notes: notes)
    }

    /// A positional word checked against its kind, with errors that name it by its noun.
    static func argumentValue(_ word: Word, _ spec: ArgumentSpec, verbs: [String]) throws(Diagnostic) -> OptionValue {
        switch spec.kind {
        case .choice(let words) where !words.contains(word.text.lowercased()):
            var notes: [String] = []
            if let guess = closestMatch(to: word.text.lowercased(), among: words) {
                notes.append("note: did you mean '\(guess)'?")
            }
            throw Diagnostic(
                "unknown \(spec.noun) '\(word.text)' — expected one of: \(words.joined(separator: ", "))", at: word.span,
                notes: notes)
        case .integer:
            do {
                return try value(word.text, as: spec.kind, named: spec.noun, at: word.span, verbs: verbs)
            } catch {
                throw Diagnostic(
                    "\(spec.noun) must be \(spec.kind.expectation). Received: \(word.text)", at: word.span)
            }
        default:
            return try value(word.text, as: spec.kind, named: spec.noun, at: word.span, verbs: verbs)
        }
    }

    /// A written value checked against its kind.
    static func value(
        _ text: String, as kind: ValueKind, named name: String, at span: SourceSpan, verbs: [String], isOption: Bool = false
    ) throws(Diagnostic) -> OptionValue {
        func bad(_ notes: [String] = []) -> Diagnostic {
            let received = isOption ? "\(name)=\(text)" : text
            return Diagnostic(
                "invalid value for '\(name)': expected \(kind.expectation). Received: \(received)", at: span, notes: notes)
        }
        switch kind {
        case .integer(let range):
            guard let value = Int(text.filter { $0 != "_" }), range.contains(value) else { throw bad() }
            return .integer(value)
        case .number(let range, let exclusive):
            guard let value = Double(text), value.isFinite, range.contains(value), !(exclusive && value == range.lowerBound)
            else { throw bad() }
            return .number(value)
        case .choice(let words):
            let lowered = text.lowercased()
            guard words.contains(lowered) else {
                throw bad(closestMatch(to: lowered, among: words).map { ["note: did you mean '\($0)'?"] } ?? [])
            }
            return .text(lowered)
        case .command:
            let lowered = text.lowercased()
            guard verbs.contains(lowered) else {
                var notes: [String] = []
                if let guess = closestMatch(to: lowered, among: verbs) { notes.append("note: did you mean '\(guess)'?") }
                throw Diagnostic(
                    "unknown command '\(text)' — expected one of: \(verbs.joined(separator: ", "))", at: span, notes: notes)
            }
            return .text(lowered)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .boolean(true)
            case "false", "no", "off", "0": return .boolean(false)
            default: throw bad()
            }
        case .squareSize(let range):
            // `3x3` (or `3`, as Keras takes kernel_size=3); only square sizes exist here.
            let sides = text.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
            guard sides.count <= 2, let side = sides[0], sides.allSatisfy({ $0 == side }), range.contains(side) else {
                if sides.count == 2, let height = sides[0], let width = sides[1], height != width {
                    throw Diagnostic(
                        "\(name) must be square, as \(height)x\(height) or \(width)x\(width). Received: \(text)", at: span)
                }
                throw bad()
            }
            return .integer(side)
        case .text, .path:
            return .text(text)
        }
    }
}
