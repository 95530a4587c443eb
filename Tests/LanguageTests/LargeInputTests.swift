import Testing

@testable import Language

/// Long lines, long words and many options: refused early with their place,
/// or handled in linear time. Each asserts behaviour, never a time.
@Suite struct LargeInputTests {
    func diagnostic(_ source: String) -> Diagnostic? {
        do {
            for statement in NotebookSplitter.statements(in: source) { _ = try Parser.parse(statement) }
            return nil
        } catch {
            return error
        }
    }

    @Test func aLineOfOneHugeWordIsRefusedAtTheLimit() {
        // 2 MB in one word once took seconds and 400 MB before its error.
        let error = diagnostic("help\n" + String(repeating: "x", count: 2_000_000) + "\n")
        #expect(error?.message == "the line is longer than 100000 characters; split it over several commands")
        #expect(error?.span == SourceSpan(line: 2, column: 100_001, length: 1))
    }

    @Test func aLongContinuedCommandIsRefusedToo() {
        let error = diagnostic(String(repeating: String(repeating: "a ", count: 500) + "\\\n", count: 120) + "\n")
        #expect(error?.message == "the line is longer than 100000 characters; split it over several commands")
    }

    @Test func aWordLongerThanAnyPathIsRefusedAtItsStart() {
        let error = diagnostic("load npz " + String(repeating: "d/", count: 3000) + "x.npz")
        #expect(error?.message == "a word longer than 4096 characters (no path or value is that long)")
        #expect(error?.span == SourceSpan(line: 1, column: 10, length: 1))
        let quoted = diagnostic("load npz \"" + String(repeating: "a b ", count: 1100) + "\"")
        #expect(quoted?.span == SourceSpan(line: 1, column: 10, length: 1))
    }

    @Test func aWordAtTheLimitIsKept() throws {
        let word = String(repeating: "w", count: Lexer.maximumWordLength)
        #expect(try Parser.parse(line: "load npz " + word)?.words.last?.text == word)
    }

    @Test func tenThousandOptionsParse() throws {
        let line = "help " + (0..<10_000).map { "k\($0)=1" }.joined(separator: " ")
        let command = try Parser.parse(line: line)
        #expect(command?.options.count == 10_000)
        #expect(command?.options.last?.key.text == "k9999")
    }

    @Test func aRepeatAmongTenThousandOptionsIsFound() {
        let line = "help " + (0..<10_000).map { "k\($0)=1" }.joined(separator: " ") + " k5=2"
        let error = diagnostic(line)
        #expect(error?.message == "option 'k5' is given twice (first at column 31)")
    }

    @Test func aHugeUnknownWordGetsNoGuessAndCostsNoTable() {
        #expect(closestMatch(to: String(repeating: "z", count: 4000), among: ["fit", "load"]) == nil)
        #expect(closestMatch(to: "pr", among: ["predict", "param"]) == "predict")
        #expect(closestMatch(to: "fti", among: ["fit", "load"]) == "fit")
    }

    @Test func aCommentLineInsideAContinuationIsSkipped() throws {
        let source = "fit epochs=1 \\\n# the batch size, as in Keras\n  # and one more note\nbatch=32\nhelp\n"
        let statements = NotebookSplitter.statements(in: source).filter { !$0.isBlank }
        #expect(statements.count == 2)
        let command = try Parser.parse(statements[0])
        #expect(command?.options.map(\.key.text) == ["epochs", "batch"])
        #expect(statements[0].lastLine == 4)
        #expect(try Parser.parse(statements[1])?.verb.text == "help")
    }

    @Test func aCommentLineEndingInABackslashIsStillOnlyAComment() {
        let statements = NotebookSplitter.statements(in: "set seed=1 \\\n# note \\\nplots=p\nhelp\n")
        #expect(statements.map(\.line) == [1, 4, 5])
    }
}
