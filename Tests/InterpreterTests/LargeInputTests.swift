import Foundation
import Language
import Testing

@testable import Interpreter

/// Notebooks with many commands or huge lines: correct results or errors,
/// in linear time (asserted by behaviour, never by a clock).
@Suite struct LargeInputTests {
    @Test func twentyThousandParamLinesWork() throws {
        let harness = try Harness()
        let source = (0..<20_000).map { "param p\($0)=\($0)\n" }.joined() + "set seed=$p19999\n"
        #expect(harness.run(source) == nil)
        #expect(harness.session.parameterNames.count == 20_000)
        #expect(harness.session.state.settings.seed == 19_999)
    }

    @Test func aFailingParamChangesNothing() throws {
        let harness = try Harness()
        harness.run("param a=1\n")
        #expect(harness.run("param a=2 b-c=3\n")?.contains("a parameter name has letters, digits and _ only") == true)
        #expect(harness.session.state.parameters == ["a": "1"])
    }

    @Test func helpWithFiftyThousandOptionsIsRefusedAtTheLineLimit() throws {
        let harness = try Harness()
        let error = harness.run("help " + (0..<50_000).map { "k\($0)=1" }.joined(separator: " ") + "\n")
        #expect(error?.hasPrefix("test.dnb:1:100001: error: the line is longer than 100000 characters") == true)
        let fewer = harness.run("help " + (0..<10_000).map { "k\($0)=1" }.joined(separator: " ") + "\n")
        #expect(fewer?.hasPrefix("test.dnb:1:6: error: unknown option 'k0' — 'help' takes no options") == true)
    }

    @Test func saveRefusesAReadOnlyFileAndSaysHowToGoOn() throws {
        let harness = try Harness()
        let path = harness.directory + "/kept.dnb"
        try Data("# mine\n".utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, 0o444)
        let error = harness.run("set seed=3\nsave session kept.dnb\n")
        #expect(error?.contains("kept.dnb: the file is read-only (mode 444); remove it first") == true)
        #expect(error?.contains("or write to another file") == true)
        #expect(FileManager.default.contents(atPath: path) == Data("# mine\n".utf8))
        #expect(harness.run("save session other.dnb\n") == nil)
    }

    @Test func recordingKeepsACommentInsideAContinuation() {
        let source = "set seed=1 \\\n# note\nplots=p\n"
        let statement = NotebookSplitter.statements(in: source)[0]
        let output = StatementOutput(statement: statement, events: [.text("done")])
        #expect(NotebookRecording.rewrite(source: source, outputs: [output]) == source + "#> done\n")
    }
}
