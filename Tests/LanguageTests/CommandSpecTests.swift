import Testing

@testable import Language

/// A small table in the shape of dnb's: sub-words with arity, typed options with defaults.
enum Sample {
    static let epochs = Option("epochs", .integer(1...100), default: 1, "passes")
    static let lr = Option<Double?>(
        "lr", .number(0...10, exclusiveLower: true), default: nil, note: "per optimizer", "rate")
    static let optimizer = Option("optimizer", .choice(["sgd", "adam"]), default: "sgd", "rule")
    static let path = Option<String?>("path", .path, default: nil, "where")

    static let fit = CommandSpec(
        name: "fit", usage: "fit [epochs=N]", summary: "", options: [epochs.spec, lr.spec, optimizer.spec])
    static let load = CommandSpec(
        name: "load", usage: "load mnist | load idx IMAGES LABELS [IMAGES LABELS]", summary: "",
        subcommands: [
            SubcommandSpec("mnist", options: ["path"]),
            SubcommandSpec(
                "idx",
                [
                    ArgumentSpec("IMAGES", .path), ArgumentSpec("LABELS", .path),
                    ArgumentSpec("TEST_IMAGES", .path, .optional), ArgumentSpec("TEST_LABELS", .path, .withPrevious),
                ], options: []),
        ], subcommandNoun: "data kind", options: [path.spec])
    static let show = CommandSpec(
        name: "show", usage: "show data|predictions [N]", summary: "",
        subcommands: [
            SubcommandSpec("data"),
            SubcommandSpec("predictions", [ArgumentSpec("N", .integer(1...100), .optional, default: .integer(25))]),
        ], subcommandNoun: "topic")
    static let padding = Option("padding", .choice(["valid", "same"]), default: "valid", "how")
    static let stride = Option("stride", .integer(1...8), default: 1, "step")
    static let seed = Option("seed", .integer(0...100), default: 1, "whole command")
    static let build = CommandSpec(
        name: "build", usage: "build dense UNITS [ACT], ...", summary: "",
        groups: [
            GroupSpec(
                "dense",
                [ArgumentSpec("UNITS", .integer(1...1000)), ArgumentSpec("ACTIVATION", .choice(["relu", "softmax"]), .optional)]),
            GroupSpec(
                "conv",
                [ArgumentSpec("FILTERS", .integer(1...64)), ArgumentSpec("KxK", .squareSize(1...9), noun: "kernel size")],
                options: [padding.spec, stride.spec]),
            GroupSpec("flatten"),
        ], groupNoun: "layer", options: [seed.spec])

    static func bind(_ spec: CommandSpec, _ line: String) throws(Diagnostic) -> Invocation {
        guard let command = try Parser.parse(line: line) else { throw Diagnostic("blank") }
        return try spec.bind(command, verbs: ["fit", "load", "show", "build"])
    }
}

@Suite struct CommandSpecTests {
    @Test func optionsAreTypedWithTheirDeclaredDefaults() throws {
        let given = try Sample.bind(Sample.fit, "fit epochs=10 lr=0.5 optimizer=ADAM")
        #expect(given[Sample.epochs] == 10 && given[Sample.lr] == 0.5 && given[Sample.optimizer] == "adam")
        let defaults = try Sample.bind(Sample.fit, "fit")
        #expect(defaults[Sample.epochs] == 1 && defaults[Sample.lr] == nil && defaults[Sample.optimizer] == "sgd")
        #expect(!defaults.has(Sample.epochs) && given.has(Sample.epochs))
        #expect(Sample.epochs.spec.defaultText == "1" && Sample.lr.spec.defaultText == "per optimizer")
    }

    @Test(arguments: [
        ("fit epochs=-1", 12, "Received: epochs=-1"), ("fit lr=abc", 8, "Received: lr=abc"),
        ("fit lr=0", 8, "a number > 0"), ("fit epoch=3", 5, "unknown option 'epoch'"),
        ("fit optimizer=adma", 15, "one of sgd, adam"),
    ])
    func badOptionsAreRefusedAtTheirPlace(line: String, column: Int, message: String) {
        #expect(throws: Diagnostic.self) { try Sample.bind(Sample.fit, line) }
        do {
            _ = try Sample.bind(Sample.fit, line)
        } catch {
            #expect(error.span?.start.column == column, "\(line)")
            #expect(error.message.contains(message), "\(line): \(error.message)")
        }
    }

    @Test func anUnknownOptionGetsTheNearestName() throws {
        let error = #expect(throws: Diagnostic.self) { try Sample.bind(Sample.fit, "fit epochz=3") }
        #expect(error?.notes == ["note: did you mean 'epochs='?"])
        #expect(error?.message == "unknown option 'epochz' — 'fit' takes: epochs= lr= optimizer=")
    }

    @Test func anOptionOfAnotherFormSaysWhereItGoes() throws {
        let error = #expect(throws: Diagnostic.self) { try Sample.bind(Sample.load, "load idx a b path=x") }
        #expect(error?.message == "path= goes with `load mnist`")
        #expect(error?.span?.start.column == 14)
        #expect(try Sample.bind(Sample.load, "load mnist path=x")[Sample.path] == "x")
    }

    @Test func aWrongSubWordGetsASuggestion() throws {
        let error = #expect(throws: Diagnostic.self) { try Sample.bind(Sample.load, "load mnsit") }
        #expect(error?.message == "unknown data kind 'mnsit' — expected one of: mnist, idx")
        #expect(error?.notes == ["note: did you mean 'mnist'?"])
        #expect(error?.span?.start.column == 6)
    }

    @Test(arguments: [
        ("load", "load what?"), ("load idx a", "`load idx` needs LABELS"),
        ("load idx a b c", "`load idx` needs TEST_LABELS"), ("load idx a b c d e", "unexpected 'e'"),
        ("show data 3", "unexpected '3'"), ("show predictions x", "Received: x"), ("fit 3", "unexpected '3'"),
        ("fit a, b", "unexpected ','"), ("build dense", "`dense` needs UNITS — usage: dense UNITS [ACTIVATION]"),
        ("build dense 10 relu x", "unexpected 'x'"),
        ("build dense 10, , dense 3", "expected a layer"),
        ("build convv 3", "unknown layer type 'convv' — expected one of: dense, conv, flatten"),
        ("build conv 3", "`conv` needs KxK (kernel size) — usage: conv FILTERS KxK [padding=valid|same] [stride=N]"),
    ])
    func arityAndTypesOfPositionalWordsAreChecked(line: String, message: String) {
        let spec = [Sample.load, Sample.show, Sample.fit, Sample.build].first { line.hasPrefix($0.name) }!
        let error = #expect(throws: Diagnostic.self) { try Sample.bind(spec, line) }
        #expect(error?.message.contains(message) == true, "\(line): \(error?.message ?? "")")
    }

    @Test func positionalWordsAreTypedWithDefaults() throws {
        #expect(try Sample.bind(Sample.show, "show predictions").integer("N") == 25)
        #expect(try Sample.bind(Sample.show, "show PREDICTIONS 9").integer("N") == 9)
        #expect(try Sample.bind(Sample.show, "show predictions 9").subcommand == "predictions")
        let idx = try Sample.bind(Sample.load, "load idx a b c d")
        #expect(idx.arguments.map(\.name) == ["IMAGES", "LABELS", "TEST_IMAGES", "TEST_LABELS"])
        let build = try Sample.bind(Sample.build, "build dense 10 relu, dense 3 softmax")
        #expect(
            build.groups.map { [.text($0.kind.text)] + $0.arguments.map(\.value) } == [
                [.text("dense"), .integer(10), .text("relu")], [.text("dense"), .integer(3), .text("softmax")],
            ])
    }

    /// Each group's first word picks its form; options inside a group are its
    /// own, and an option only the command takes goes to the command.
    @Test func groupsPickTheirFormAndKeepTheirOptions() throws {
        let build = try Sample.bind(
            Sample.build, "build conv 8 3x3 padding=same, conv 4 5 stride=2 seed=7, FLATTEN, dense 10")
        #expect(build.groups.map(\.kind.text) == ["conv", "conv", "flatten", "dense"])
        #expect(build.groups.map { $0[Sample.padding] } == ["same", "valid", "valid", "valid"])
        #expect(build.groups.map { $0[Sample.stride] } == [1, 2, 1, 1])
        #expect(build.groups.map { $0.integer("KxK") } == [3, 5, nil, nil])
        #expect(build[Sample.seed] == 7)
        #expect(build.groups[0].span == SourceSpan(line: 1, column: 7, length: 23))
        #expect(build.groups[1].span == SourceSpan(line: 1, column: 32, length: 24), "up to seed=7, written in the group")
        #expect(build.groups[2].span == SourceSpan(line: 1, column: 58, length: 7))
    }

    @Test(arguments: [
        (
            "build conv 8 3x", 14,
            "invalid value for 'kernel size': expected a square size such as 3x3 (from 1x1 to 9x9). Received: 3x"
        ),
        ("build conv 8 x3", 14, "Received: x3"),
        ("build conv 8 3x3x3", 14, "Received: 3x3x3"),
        ("build conv 8 10x10", 14, "Received: 10x10"),
        ("build conv 8 2x4", 14, "kernel size must be square, as 2x2 or 4x4. Received: 2x4"),
        ("build conv 8 3x3 pading=same", 18, "unknown option 'pading' — 'conv' takes: padding= stride= seed="),
        ("build dense 8 stride=2", 15, "stride= goes with a layer of type `conv`, not `dense`"),
        ("build conv 8 3x3 padding=full", 26, "Received: padding=full"),
        ("build dense 8, flatten padding=same", 24, "padding= goes with a layer of type `conv`, not `flatten`"),
    ])
    func badGroupWordsAndOptionsAreRefusedAtTheirPlace(line: String, column: Int, message: String) {
        let error = #expect(throws: Diagnostic.self) { try Sample.bind(Sample.build, line) }
        #expect(error?.span?.start.column == column, "\(line)")
        #expect(error?.message == message || error?.message.hasSuffix(message) == true, "\(line): \(error?.message ?? "")")
    }

    @Test func aGroupOptionGetsTheNearestName() throws {
        let error = #expect(throws: Diagnostic.self) { try Sample.bind(Sample.build, "build conv 8 3x3 strides=2") }
        #expect(error?.notes == ["note: did you mean 'stride='?"])
    }

    @Test func groupUsageComesFromItsDeclaration() {
        #expect(
            Sample.build.groups?.map(\.usage) == [
                "dense UNITS [ACTIVATION]", "conv FILTERS KxK [padding=valid|same] [stride=N]", "flatten",
            ])
    }
}
