import Testing

@testable import Language

@Suite struct ParserTests {
    @Test func verbWordsOptionsAndCommas() throws {
        let command = try #require(try Parser.parse(line: "build dense 128 relu, dense 10 softmax"))
        #expect(command.verb.text == "build")
        #expect(command.groups.map { $0.map(\.text) } == [["dense", "128", "relu"], ["dense", "10", "softmax"]])
        let fit = try #require(try Parser.parse(line: "FIT epochs=10 batch=32  validation=0.2 # comment"))
        #expect(fit.verb.text == "fit")
        #expect(fit.options.map(\.key.text) == ["epochs", "batch", "validation"])
        #expect(fit.option("validation")?.value.text == "0.2")
        #expect(fit.option("batch")?.value.span == SourceSpan(line: 1, column: 21, length: 2))
    }

    @Test func quotedWordsKeepBlanks() throws {
        let command = try #require(try Parser.parse(line: #"load npz "my data/mnist.npz" path="a \"b\"""#))
        #expect(command.words.map(\.text) == ["npz", "my data/mnist.npz"])
        #expect(command.option("path")?.value.text == #"a "b""#)
    }

    @Test func blankAndCommentLinesHaveNoCommand() throws {
        #expect(try Parser.parse(line: "   ") == nil)
        #expect(try Parser.parse(line: "# just a note") == nil)
    }

    /// Each bad line and where its error must point: (line, column, part of the message).
    @Test(arguments: [
        (#"load npz "unterminated"#, 10, "unterminated string"),
        ("fit =5", 5, "missing option name"),
        ("fit epochs=", 5, "missing value after 'epochs='"),
        ("fit epochs=1 epochs=2", 14, "given twice"),
        ("epochs=3", 1, "starts with a verb"),
        (", fit", 1, "starts with a verb"),
        ("fit 9x=1", 5, "not an option name"),
    ])
    func syntaxErrorsPointAtTheirColumn(line: String, column: Int, message: String) {
        #expect {
            _ = try Parser.parse(line: line, number: 3)
        } throws: { error in
            guard let diagnostic = error as? Diagnostic else { return false }
            return diagnostic.span?.start == SourceLocation(line: 3, column: column)
                && diagnostic.message.contains(message)
        }
    }

    @Test func continuationsJoinLinesAndKeepPositions() throws {
        let source = "load mnist\nbuild dense 128 relu, \\\n  dense 10 softmax\nfit epochs=2\n"
        let statements = NotebookSplitter.statements(in: source)
        #expect(statements.map(\.line) == [1, 2, 4, 5])
        let build = try #require(try Parser.parse(statements[1]))
        #expect(build.groups.count == 2)
        let softmax = build.groups[1][2]
        #expect(softmax.text == "softmax")
        #expect(softmax.span.start == SourceLocation(line: 3, column: 12))
    }

    @Test func recordedOutputsStayWithTheirCommand() {
        let source = "evaluate\n#> test: loss 0.0812 - accuracy 0.9761\n#> second\n\nshow model\n"
        let statements = NotebookSplitter.statements(in: source)
        #expect(statements[0].recordedOutput == ["test: loss 0.0812 - accuracy 0.9761", "second"])
        #expect(statements[1].recordedOutput.isEmpty)
    }

    @Test func backslashInsideCommentOrStringDoesNotContinue() {
        #expect(NotebookSplitter.needsContinuation("fit epochs=1 \\"))
        #expect(!NotebookSplitter.needsContinuation("fit # ends with \\"))
        #expect(!NotebookSplitter.needsContinuation(#"load npz "a\\""#))
    }

    @Test func parametersAreSubstitutedAndUnknownOnesPointed() throws {
        let command = try #require(try Parser.parse(line: "build dense $hidden relu, dense 10 softmax"))
        let substituted = try command.substitutingParameters(["hidden": "15"])
        #expect(substituted.groups[0][1].text == "15")
        #expect {
            _ = try command.substitutingParameters(["hiden": "15"])
        } throws: { error in
            let diagnostic = error as? Diagnostic
            return diagnostic?.span?.start.column == 13 && diagnostic?.notes == ["note: did you mean '$hiden'?"]
        }
    }

    @Test func diagnosticRendersFileLineColumnAndCaret() {
        let diagnostic = Diagnostic("unknown command 'fti'", at: SourceSpan(line: 2, column: 1, length: 3))
        let rendered = diagnostic.rendered(file: "nb.dnb", sourceLines: ["load mnist", "fti epochs=1"])
        #expect(rendered == "nb.dnb:2:1: error: unknown command 'fti'\n    fti epochs=1\n    ^~~")
    }

    @Test(arguments: [("fti", "fit"), ("evalute", "evaluate"), ("sho", "show"), ("nromalize", "normalize")])
    func didYouMean(typo: String, expected: String) {
        let verbs = ["load", "normalize", "build", "fit", "evaluate", "show", "set", "run", "help"]
        #expect(closestMatch(to: typo, among: verbs) == expected)
    }

    @Test func noSuggestionForUnrelatedWords() {
        #expect(closestMatch(to: "banana", among: ["load", "fit", "show"]) == nil)
    }
}

@Test func hintLinesFollowTheCaret() {
    let diagnostic = Diagnostic("no MNIST data found\nhint: put it here", at: SourceSpan(line: 1, column: 1, length: 4))
    #expect(
        diagnostic.rendered(file: "a.dnb", sourceLines: ["load mnist"])
            == "a.dnb:1:1: error: no MNIST data found\n    load mnist\n    ^~~~\nhint: put it here")
}
