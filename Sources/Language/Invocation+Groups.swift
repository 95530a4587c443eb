/// Comma-separated groups (`build conv 32 3x3 relu padding=same, flatten, ...`):
/// each group's first word picks one of the command's `GroupSpec`s, which
/// declares the words after it and the options written inside the group.
extension Invocation {
    /// One group checked against the form its first word picked.
    public struct Group: Equatable, Sendable {
        /// The first word, its text the form's name (lower case).
        public var kind: Word
        /// The positional words after the first one.
        public var arguments: [Argument]
        /// From the first word to the end of the group's last word or option on that line.
        public var span: SourceSpan
        var values: [String: OptionValue]
        var spans: [String: SourceSpan]
        var argumentDefaults: [String: OptionValue]

        /// The value of option `name` as given in this group, nil when it was not given.
        public func givenOption(_ name: String) -> OptionValue? { values[name] }

        /// The option's value in this group, or its declared default.
        public subscript<Value>(_ option: Option<Value>) -> Value { option.read(values[option.name]) }

        /// Where the option's value was written in this group.
        public func span<Value>(of option: Option<Value>) -> SourceSpan? { spans[option.name] }

        /// Where the option named `name` was written in this group, if it was.
        public func span(ofOption name: String) -> SourceSpan? { spans[name] }

        /// The positional word declared as `name`, if it was given.
        public func argument(_ name: String) -> Argument? { arguments.first { $0.name == name } }

        /// The checked value of the word declared as `name`, or its declared default.
        public func value(_ name: String) -> OptionValue? { argument(name)?.value ?? argumentDefaults[name] }

        /// The whole number (or square size) declared as `name`, or its default.
        public func integer(_ name: String) -> Int? { if case .integer(let given)? = value(name) { given } else { nil } }

        /// The number declared as `name`, or its default.
        public func number(_ name: String) -> Double? { if case .number(let given)? = value(name) { given } else { nil } }

        /// The word (a checked choice, lower case) declared as `name`, or its default.
        public func text(_ name: String) -> String? { if case .text(let given)? = value(name) { given } else { nil } }
    }
}

extension CommandSpec {
    /// Binds every group to its form and every option to the group it is
    /// written in (or, when the group's form does not take it, to the command).
    func bindGroups(_ command: Command, into invocation: inout Invocation, verbs: [String]) throws(Diagnostic) {
        let commas = command.items.compactMap { if case .comma(let span) = $0 { span } else { nil } }
        // An option belongs to the group whose commas surround it (both lists
        // are in source order, so one walk places them all).
        var groupOptions = [[OptionArgument]](repeating: [], count: commas.count + 1)
        var commasBefore = 0
        for option in command.options {
            while commasBefore < commas.count, commas[commasBefore].start < option.key.span.start { commasBefore += 1 }
            groupOptions[commasBefore].append(option)
        }
        var commandOptions: [OptionArgument] = []
        // The parser checks repeats within a group; an option of the whole command is given once.
        var commandKeys: [String: SourceSpan] = [:]
        for (index, words) in command.groups.enumerated() {
            if groupsAfterComma, index == 0 {
                // The command's own part: options only.
                if let extra = words.first {
                    throw Diagnostic(
                        "unexpected '\(extra.text)' — \(groupNoun)s come after a comma: \(examples.last ?? usage)",
                        at: extra.span)
                }
                commandOptions += groupOptions[0]
                continue
            }
            guard let first = words.first else {
                let span = index > 0 ? commas[index - 1] : command.verb.span
                throw Diagnostic(
                    "expected a \(groupNoun) such as `\(examples.first ?? name)` — usage: \(usage)", at: span)
            }
            guard let form = group(named: first.text.lowercased()) else { throw unknownGroup(first) }
            var group = Invocation.Group(
                kind: Word(text: form.name, span: first.span, quoted: first.quoted), arguments: [], span: first.span,
                values: [:], spans: [:], argumentDefaults: [:])
            for option in groupOptions[index] {
                guard let spec = form.options.first(where: { $0.name == option.key.text }) else {
                    guard options.contains(where: { $0.name == option.key.text }) else {
                        throw misplaced(option, in: form)
                    }
                    if groupsAfterComma {
                        throw Diagnostic(
                            "\(option.key.text)= is an option of `\(name)` itself, not of `\(form.name)`: "
                                + "write it before the first comma", at: option.key.span)
                    }
                    if let earlier = commandKeys.updateValue(option.key.span, forKey: option.key.text) {
                        throw Diagnostic(
                            "option '\(option.key.text)' is given twice (first at line \(earlier.start.line), "
                                + "column \(earlier.start.column))", at: option.key.span)
                    }
                    commandOptions.append(option)
                    continue
                }
                group.values[spec.name] = try Self.value(
                    option.value.text, as: spec.kind, named: spec.name, at: option.value.span, verbs: [], isOption: true)
                group.spans[spec.name] = option.value.span
            }
            group.arguments = try bindArguments(
                Array(words.dropFirst()), form.arguments, after: first, form: form.name, usage: form.usage, verbs: verbs)
            for spec in form.arguments where group.argument(spec.name) == nil {
                if let value = spec.defaultValue { group.argumentDefaults[spec.name] = value }
            }
            group.span = Self.span(from: first, through: words.map(\.span) + groupOptions[index].map(\.span))
            invocation.groups.append(group)
        }
        try bindOptions(command, form: nil, into: &invocation, only: commandOptions)
    }

    private func unknownGroup(_ word: Word) -> Diagnostic {
        let names = (groups ?? []).map(\.name)
        var notes: [String] = []
        if let guess = closestMatch(to: word.text.lowercased(), among: names) { notes.append("note: did you mean '\(guess)'?") }
        if let first = word.text.first, first.isNumber || first == "." || first == "-" {
            notes.append("note: a list in an option's value goes in quotes, as values=\"0.01,0.001\"")
        }
        return Diagnostic(
            "unknown \(groupNoun) type '\(word.text)' — expected one of: \(names.joined(separator: ", "))", at: word.span,
            notes: notes)
    }

    /// An option the group's form does not take: the forms that take it, or the nearest name.
    private func misplaced(_ option: OptionArgument, in form: GroupSpec) -> Diagnostic {
        let key = option.key.text
        let homes = (groups ?? []).filter { $0.options.contains { $0.name == key } }.map { "`\($0.name)`" }
        if !homes.isEmpty {
            return Diagnostic(
                "\(key)= goes with a \(groupNoun) of type \(homes.joined(separator: " or ")), not `\(form.name)`",
                at: option.key.span)
        }
        let names = form.options.map(\.name) + (groupsAfterComma ? [] : options.map(\.name))
        var notes: [String] = []
        if let guess = closestMatch(to: key, among: names) { notes.append("note: did you mean '\(guess)='?") }
        let takes =
            names.isEmpty
            ? "'\(form.name)' takes no options" : "'\(form.name)' takes: " + names.map { "\($0)=" }.joined(separator: " ")
        return Diagnostic("unknown option '\(key)' — \(takes)", at: option.key.span, notes: notes)
    }

    /// From `first` to the furthest end among `spans` on its line.
    private static func span(from first: Word, through spans: [SourceSpan]) -> SourceSpan {
        let start = first.span.start
        var end = start.column + first.span.length
        for span in spans where span.start.line == start.line {
            end = max(end, span.start.column + span.length)
        }
        return SourceSpan(start: start, length: end - start.column)
    }
}
