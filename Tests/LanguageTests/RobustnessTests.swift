import Testing

@testable import Language

/// Inputs a bad-input sweep found mishandled; each must keep working.
@Suite struct RobustnessTests {
    @Test(arguments: ["set seed=3\r\nhelp set\r\n", "set seed=3\rhelp set\r", "\u{FEFF}set seed=3\nhelp set\n"])
    func windowsAndOldMacLineEndingsAndBOM(source: String) throws {
        let statements = NotebookSplitter.statements(in: source).filter { !$0.isBlank }
        #expect(statements.count == 2)
        #expect(try Parser.parse(statements[0])?.verb.text == "set")
        #expect(try Parser.parse(statements[1])?.words.map(\.text) == ["set"])
    }

    @Test func longContinuationsJoinIntoOneStatement() throws {
        let source = String(repeating: "help \\\n", count: 5000) + "x\n"
        let statements = NotebookSplitter.statements(in: source)
        #expect(statements.count == 2)
        #expect(statements[0].lastLine == 5001)
        #expect(try Parser.parse(statements[0])?.words.count == 5000)
    }

    @Test func aHugeLineIsShownAsAWindowAroundTheError() {
        let line = "set seed=1 " + String(repeating: "y", count: 100_000) + " threads=abc"
        let diagnostic = Diagnostic(
            "unexpected '" + String(repeating: "y", count: 100_000) + "'", at: SourceSpan(line: 1, column: 12, length: 100_000))
        let rendered = diagnostic.rendered(file: "a.dnb", sourceLines: [Substring(line)])
        #expect(rendered.count < 1000)
        #expect(rendered.contains("… (99"))
        let lines = rendered.split(separator: "\n")
        #expect(lines[1].hasSuffix("…") && lines[2].hasPrefix("               ^~~"))
    }

    @Test func aSpanDeepInALongLineKeepsItsCaretUnderIt() {
        let line = String(repeating: "a ", count: 500) + "BAD"
        let diagnostic = Diagnostic("bad", at: SourceSpan(line: 1, column: 1001, length: 3))
        let lines = diagnostic.rendered(file: nil, sourceLines: [Substring(line)]).split(separator: "\n")
        let text = Array(lines[1])
        let caret = Array(lines[2]).firstIndex(of: "^") ?? 0
        #expect(String(text[caret..<(caret + 3)]) == "BAD")
        #expect(lines[1].hasPrefix("    …"))
    }

    @Test(arguments: [#"save model """#, #"fit epochs="""#])
    func emptyWordsAndValuesAreRefused(line: String) {
        #expect(throws: Diagnostic.self) { try Parser.parse(line: line) }
    }

    @Test func aRepeatedOptionOnAnotherLineSaysWhichLine() {
        #expect {
            _ = try Parser.parse(NotebookSplitter.statements(in: "fit epochs=1 \\\n  epochs=2\n")[0])
        } throws: { error in
            (error as? Diagnostic)?.message == "option 'epochs' is given twice (first at line 1, column 5)"
        }
    }
}
