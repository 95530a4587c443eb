import Testing

@testable import Terminal

/// A `# comment` line typed after a trailing `\` is skipped: the command goes on.
@Suite struct ContinuationCommentTests {
    @Test func aCommentInsideAContinuationIsLeftOutOfTheHistoryLine() {
        #expect(REPL.logicalLine(["fit epochs=2 \\", "  # a note", "batch=8"]) == "fit epochs=2 batch=8")
        #expect(REPL.logicalLine(["# only a comment"]) == "# only a comment")
    }
}
