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
    static let build = CommandSpec(
        name: "build", usage: "build dense UNITS [ACT], ...", summary: "",
        groups: [
            ArgumentSpec("LAYER", .choice(["dense"]), noun: "layer type"), ArgumentSpec("UNITS", .integer(1...1000)),
            ArgumentSpec("ACTIVATION", .choice(["relu", "softmax"]), .optional),
        ], groupNoun: "layer")

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
        ("fit a, b", "unexpected ','"), ("build dense", "`build` needs UNITS"), ("build dense 10 relu x", "unexpected 'x'"),
        ("build dense 10, , dense 3", "expected a layer"), ("build conv 3", "unknown layer type 'conv' — expected one of: dense"),
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
            build.groups.map { $0.map(\.value) } == [
                [.text("dense"), .integer(10), .text("relu")], [.text("dense"), .integer(3), .text("softmax")],
            ])
    }
}
