/// What values an option or a positional word takes.
public enum ValueKind: Equatable, Sendable {
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    /// A finite number in the range; `exclusiveLower` excludes its lower end.
    case number(ClosedRange<Double>, exclusiveLower: Bool)
    /// One of the listed words.
    case choice([String])
    /// true/false (also yes/no, on/off, 1/0).
    case boolean
    /// Any text.
    case text
    /// A file or folder (completion offers paths).
    case path
    /// The name of a command (`help fit`).
    case command
    /// A square size written `KxK` (or `K`), e.g. a kernel's `3x3`, with K in the range.
    case squareSize(ClosedRange<Int>)

    /// How the expected value reads in an error and in `help`.
    public var expectation: String {
        switch self {
        case .integer(let range):
            range.upperBound == Int.max
                ? "a whole number ≥ \(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .number(let range, let exclusive):
            if range.upperBound == .infinity {
                exclusive ? "a number > \(format(range.lowerBound))" : "a number ≥ \(format(range.lowerBound))"
            } else {
                exclusive
                    ? "a number > \(format(range.lowerBound)) and ≤ \(format(range.upperBound))"
                    : "a number from \(format(range.lowerBound)) to \(format(range.upperBound))"
            }
        case .choice(let words): "one of " + words.joined(separator: ", ")
        case .boolean: "true or false"
        case .text, .path: "text"
        case .command: "a command"
        case .squareSize(let range):
            "a square size such as 3x3 (from \(range.lowerBound)x\(range.lowerBound) to \(range.upperBound)x\(range.upperBound))"
        }
    }
}

private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

/// A checked value of an option or a positional word.
public enum OptionValue: Equatable, Sendable {
    case integer(Int)
    case number(Double)
    case text(String)
    case boolean(Bool)

    /// As `help` shows a default.
    var display: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): format(value)
        case .text(let value): value
        case .boolean(let value): String(value)
        }
    }
}

/// One `key=value` option: its type, its default and its help, declared once.
public struct OptionSpec: Equatable, Sendable {
    public init(name: String, kind: ValueKind, defaultValue: OptionValue?, defaultNote: String? = nil, summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.defaultNote = defaultNote
        self.summary = summary
    }

    public var name: String
    public var kind: ValueKind
    /// The value a handler sees when the option is not given; nil when the
    /// handler decides from the session (then `defaultNote` says how).
    public var defaultValue: OptionValue?
    /// How a default that depends on the session reads in `help`.
    public var defaultNote: String?
    public var summary: String

    /// The default as `help` shows it, e.g. "32" or "rmsprop as in Keras, ...".
    public var defaultText: String? { defaultNote ?? defaultValue?.display }
}

/// A Swift type an option's value is read as: `Int`, `Double`, `Bool`,
/// `String`, or an optional of one (no default: the handler decides).
public protocol OptionType: Sendable {
    init?(option value: OptionValue)
    var optionValue: OptionValue? { get }
}

extension Int: OptionType {
    public init?(option value: OptionValue) {
        guard case .integer(let given) = value else { return nil }
        self = given
    }
    public var optionValue: OptionValue? { .integer(self) }
}

extension Double: OptionType {
    public init?(option value: OptionValue) {
        guard case .number(let given) = value else { return nil }
        self = given
    }
    public var optionValue: OptionValue? { .number(self) }
}

extension Bool: OptionType {
    public init?(option value: OptionValue) {
        guard case .boolean(let given) = value else { return nil }
        self = given
    }
    public var optionValue: OptionValue? { .boolean(self) }
}

extension String: OptionType {
    public init?(option value: OptionValue) {
        guard case .text(let given) = value else { return nil }
        self = given
    }
    public var optionValue: OptionValue? { .text(self) }
}

extension Optional: OptionType where Wrapped: OptionType {
    public init?(option value: OptionValue) { self = Wrapped(option: value) }
    public var optionValue: OptionValue? { self?.optionValue }
}

/// A typed handle on one option, declared once with its type, range,
/// default and help: the table lists its `spec`, and a handler reads
/// `invocation[option]` as a `Value` with the default already applied.
public struct Option<Value: OptionType>: Sendable {
    public let spec: OptionSpec
    /// The value when the option is not given.
    public let defaultValue: Value

    /// `defaultNote` says in `help` how a default the handler decides (a nil `Value`) is chosen.
    public init(_ name: String, _ kind: ValueKind, default value: Value, note defaultNote: String? = nil, _ summary: String) {
        spec = OptionSpec(
            name: name, kind: kind, defaultValue: value.optionValue, defaultNote: defaultNote, summary: summary)
        defaultValue = value
    }

    public var name: String { spec.name }

    func read(_ given: OptionValue?) -> Value { given.flatMap { Value(option: $0) } ?? defaultValue }
}

/// A positional word: `FILE` in `load model FILE`, `N` in `show predictions N`.
public struct ArgumentSpec: Equatable, Sendable {
    public enum Presence: Equatable, Sendable {
        case required
        case optional
        /// Required when the word before it was given (`load idx`'s test LABELS).
        case withPrevious
    }

    public var name: String
    public var kind: ValueKind
    public var presence: Presence
    /// The value a handler sees when an optional word is left out.
    public var defaultValue: OptionValue?
    /// What the word is called in errors ("activation", "units"); default: `name` in lower case.
    public var noun: String

    public init(
        _ name: String, _ kind: ValueKind, _ presence: Presence = .required, default value: OptionValue? = nil,
        noun: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.presence = presence
        self.defaultValue = value
        self.noun = noun ?? name.lowercased()
    }
}

/// A word right after the verb that picks a form (`load mnist`, `show loss`),
/// with the words and options that form takes.
public struct SubcommandSpec: Equatable, Sendable {
    public var name: String
    public var arguments: [ArgumentSpec]
    /// The options this form accepts; nil: every option of the command.
    public var options: [String]?

    public init(_ name: String, _ arguments: [ArgumentSpec] = [], options: [String]? = nil) {
        self.name = name
        self.arguments = arguments
        self.options = options
    }
}

/// One kind of comma-separated group, picked by its first word (`conv` in
/// `build conv 32 3x3 relu padding=same, ...`): the words after that word,
/// and the `key=value` options written inside the group.
public struct GroupSpec: Equatable, Sendable {
    public var name: String
    public var arguments: [ArgumentSpec]
    public var options: [OptionSpec]
    /// One line for `help`.
    public var summary: String

    public init(_ name: String, _ arguments: [ArgumentSpec] = [], options: [OptionSpec] = [], summary: String = "") {
        self.name = name
        self.arguments = arguments
        self.options = options
        self.summary = summary
    }

    /// As `help` shows it: `conv FILTERS KxK [ACTIVATION] [padding=valid|same] [stride=N]`.
    public var usage: String {
        let words = arguments.map { $0.presence == .required ? $0.name : "[\($0.name)]" }
        let options = options.map { option in
            let value =
                switch option.kind {
                case .choice(let words): words.joined(separator: "|")
                case .boolean: "true|false"
                case .integer: "N"
                case .number: "F"
                case .squareSize: "KxK"
                case .text, .path, .command: "TEXT"
                }
            return "[\(option.name)=\(value)]"
        }
        return ([name] + words + options).joined(separator: " ")
    }
}

/// The single declaration of one command's syntax and help. Parsing,
/// validation, defaults, `help` and completion all derive from it.
public struct CommandSpec: Equatable, Sendable {
    public var name: String
    /// e.g. "fit [epochs=N] [batch=N] ..."
    public var usage: String
    /// One line for `help`.
    public var summary: String
    /// Longer text for `help VERB`.
    public var details: String
    /// Forms picked by the first word; empty when the command has none.
    public var subcommands: [SubcommandSpec]
    /// The form taken when no sub-word is given; nil makes the sub-word required.
    public var defaultSubcommand: String?
    /// What an unknown sub-word is called in errors ("topic", "split").
    public var subcommandNoun: String
    /// Positional words when the first one is not a sub-word (`run FILE`,
    /// `predict FILE`); with sub-words, a word that is none of them is taken as this.
    public var arguments: [ArgumentSpec]
    /// Comma-separated groups of words (`build`), each a form picked by its first word.
    public var groups: [GroupSpec]?
    /// What one group is called in errors ("layer"); its first word is its "layer type".
    public var groupNoun: String
    /// Whether the words before the first comma are the command's own
    /// (`fit epochs=5 ..., early_stopping ...`): there only the command's
    /// options, and each group after a comma takes only its own options.
    /// False for `build`, whose first group is already a layer.
    public var groupsAfterComma: Bool
    public var options: [OptionSpec]
    /// Any `name=value` is accepted as text (`param`).
    public var acceptsAnyOption: Bool
    public var examples: [String]

    public init(
        name: String, usage: String, summary: String, details: String = "", subcommands: [SubcommandSpec] = [],
        defaultSubcommand: String? = nil, subcommandNoun: String = "form", arguments: [ArgumentSpec] = [],
        groups: [GroupSpec]? = nil, groupNoun: String = "group", groupsAfterComma: Bool = false, options: [OptionSpec] = [],
        acceptsAnyOption: Bool = false, examples: [String] = []
    ) {
        self.groupsAfterComma = groupsAfterComma
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
        self.subcommandNoun = subcommandNoun
        self.arguments = arguments
        self.groups = groups
        self.groupNoun = groupNoun
        self.options = options
        self.acceptsAnyOption = acceptsAnyOption
        self.examples = examples
    }

    public func subcommand(named name: String) -> SubcommandSpec? {
        subcommands.first { $0.name == name }
    }

    public func group(named name: String) -> GroupSpec? {
        groups?.first { $0.name == name }
    }

    /// The options a form accepts, in table order.
    public func options(for subcommand: SubcommandSpec?) -> [OptionSpec] {
        guard let allowed = subcommand?.options else { return options }
        return options.filter { allowed.contains($0.name) }
    }
}
