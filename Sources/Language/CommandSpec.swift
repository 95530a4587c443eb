/// What values an option takes.
public enum ValueKind: Equatable, Sendable {
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    /// A finite number in the range; `exclusiveLower` excludes its lower end.
    case number(ClosedRange<Double>, exclusiveLower: Bool)
    /// One of the listed words.
    case choice([String])
    /// true/false (also yes/no, on/off, 1/0).
    case boolean
    /// Any text, e.g. a path.
    case text

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
        case .text: "text"
        }
    }
}

private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

/// One `key=value` option a command accepts, with its help.
public struct OptionSpec: Equatable, Sendable {
    public var name: String
    public var kind: ValueKind
    /// The default as shown in help, e.g. "32" or "adam"; nil when there is none.
    public var defaultValue: String?
    public var summary: String

    public init(_ name: String, _ kind: ValueKind, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// What the command table says about one verb's syntax: it drives
/// validation, `help` and completion.
public struct CommandSpec: Equatable, Sendable {
    public var name: String
    /// e.g. "fit [epochs=N] [batch=N] ..."
    public var usage: String
    /// One line for `help`.
    public var summary: String
    /// Longer text for `help VERB`.
    public var details: String
    /// Words that may follow the verb (`load mnist|idx|npz|model`); completion offers them.
    public var subcommands: [String]
    public var options: [OptionSpec]
    public var examples: [String]
    /// Whether positional words after the sub-word are file paths (completion offers files).
    public var takesPaths: Bool

    public init(
        name: String, usage: String, summary: String, details: String = "", subcommands: [String] = [],
        options: [OptionSpec] = [], examples: [String] = [], takesPaths: Bool = false
    ) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.details = details
        self.subcommands = subcommands
        self.options = options
        self.examples = examples
        self.takesPaths = takesPaths
    }

    /// Checks every option against this spec and returns their typed values.
    /// Unknown keys and bad values are errors at the key or the value.
    public func validateOptions(of command: Command, allowed: Set<String>? = nil) throws(Diagnostic) -> OptionValues {
        var values = OptionValues()
        let names = options.map(\.name).filter { allowed?.contains($0) ?? true }
        for option in command.options {
            let key = option.key.text
            guard names.contains(key), let spec = options.first(where: { $0.name == key }) else {
                var notes: [String] = []
                if let guess = closestMatch(to: key, among: names) { notes.append("note: did you mean '\(guess)='?") }
                let accepted =
                    names.isEmpty
                    ? "'\(command.verb.text)' takes no options"
                    : "'\(command.verb.text)' takes: " + names.map { "\($0)=" }.joined(separator: " ")
                throw Diagnostic("unknown option '\(key)' — \(accepted)", at: option.key.span, notes: notes)
            }
            values.values[key] = try Self.value(of: option, as: spec.kind)
            values.spans[key] = option.value.span
        }
        return values
    }

    static func value(of option: OptionArgument, as kind: ValueKind) throws(Diagnostic) -> OptionValue {
        let text = option.value.text
        let key = option.key.text
        func bad() -> Diagnostic {
            Diagnostic(
                "invalid value for '\(key)': expected \(kind.expectation). Received: \(key)=\(text)",
                at: option.value.span)
        }
        switch kind {
        case .integer(let range):
            guard let value = Int(text.replacingUnderscores()), range.contains(value) else { throw bad() }
            return .integer(value)
        case .number(let range, let exclusive):
            guard let value = Double(text), value.isFinite, range.contains(value),
                !(exclusive && value == range.lowerBound)
            else { throw bad() }
            return .number(value)
        case .choice(let words):
            let lowered = text.lowercased()
            guard words.contains(lowered) else {
                var diagnostic = bad()
                if let guess = closestMatch(to: lowered, among: words) {
                    diagnostic.notes.append("note: did you mean '\(guess)'?")
                }
                throw diagnostic
            }
            return .text(lowered)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .boolean(true)
            case "false", "no", "off", "0": return .boolean(false)
            default: throw bad()
            }
        case .text:
            return .text(text)
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { filter { $0 != "_" } }
}

public enum OptionValue: Equatable, Sendable {
    case integer(Int)
    case number(Double)
    case text(String)
    case boolean(Bool)
}

/// The validated options of one command, by name.
public struct OptionValues: Equatable, Sendable {
    var values: [String: OptionValue] = [:]
    var spans: [String: SourceSpan] = [:]

    public init() {}

    public func has(_ name: String) -> Bool { values[name] != nil }
    public func span(_ name: String) -> SourceSpan? { spans[name] }

    public func integer(_ name: String) -> Int? {
        if case .integer(let value) = values[name] { value } else { nil }
    }

    public func number(_ name: String) -> Double? {
        switch values[name] {
        case .number(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public func text(_ name: String) -> String? {
        if case .text(let value) = values[name] { value } else { nil }
    }

    public func boolean(_ name: String) -> Bool? {
        if case .boolean(let value) = values[name] { value } else { nil }
    }
}
