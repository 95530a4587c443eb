import Foundation
import HostIO
import Language
import Testing

@testable import Interpreter

@Suite struct NotebookRecordingTests {
    @Test func recordedOutputsReplaceOldOnesUnderTheirCommand() throws {
        let harness = try Harness()
        let source = "# settings\nset seed=3\n#> old output\nset \\\n  threads=1\n\nhelp set\n"
        var outputs: [StatementOutput] = []
        #expect(
            harness.session.run(source: source, file: "nb.dnb") { outputs.append(StatementOutput(statement: $0, events: $1)) }
                == nil)
        let recorded = NotebookRecording.rewrite(source: source, outputs: outputs)
        let lines = recorded.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(Array(lines.prefix(6)) == ["# settings", "set seed=3", "#> seed = 3", "set \\", "  threads=1", "#> threads = 1"])
        #expect(recorded.contains("#> usage: set seed=N"))
        #expect(recorded.hasSuffix("\n") && !recorded.hasSuffix("\n\n\n"))
        // Replaying ignores the #> lines, and recording again changes nothing.
        var again: [StatementOutput] = []
        #expect(
            harness.session.run(source: recorded, file: "nb.dnb") { again.append(StatementOutput(statement: $0, events: $1)) }
                == nil)
        #expect(NotebookRecording.rewrite(source: recorded, outputs: again) == recorded)
    }

    @Test(arguments: [
        (
            ["test: loss 0.0778 - accuracy 0.9773 (10,000 samples)"], ["test: loss 0.0778 - accuracy 0.9773 (10,000 samples)"],
            true
        ),
        (["Epoch 1/10 - 1500/1500 - 0.49s - loss: 0.2847"], ["Epoch 1/10 - 1500/1500 - 3.12s - loss: 0.2847"], true),
        (["loaded from /home/a/mnist (IDX, gzip) in 0.17s"], ["loaded from /ci/shared/mnist (IDX, gzip) in 1.02s"], true),
        (["accuracy 0.97730"], ["accuracy 0.97731"], true),
        (["accuracy 0.9773"], ["accuracy 0.9774"], false),
        (["seed = 1"], ["seed = 2"], false),
        (["built 784 → 128 relu"], ["built 784 → 128 tanh"], false),
        (["a", "b"], ["a"], false),
        (["a"], ["a", "b"], false),
    ])
    func comparisonToleratesTimingsPathsAndTinyNumberChanges(expected: [String], actual: [String], agree: Bool) {
        let difference = NotebookRecording.difference(expected: expected, actual: actual, tolerance: 1e-4)
        #expect((difference == nil) == agree, "\(difference ?? "")")
    }

    @Test func markdownReportHasProseCommandsOutputsAndPlots() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let source = """
            # A tiny notebook
            # on fixtures.
            load idx train-images train-labels test-images test-labels
            normalize
            build dense 8 relu, dense 10 softmax
            fit epochs=2 batch=20 optimizer=adam
            show loss
            """
        var outputs: [StatementOutput] = []
        #expect(
            harness.session.run(source: source, file: "nb.dnb") { outputs.append(StatementOutput(statement: $0, events: $1)) }
                == nil)
        let report = NotebookReport(title: "nb.dnb", outputs: outputs)
        let markdown = report.markdown(reportDirectory: harness.directory + "/reports", workingDirectory: harness.directory)
        #expect(markdown.hasPrefix("# nb.dnb\n\nA tiny notebook\non fixtures.\n\n```dnb\nload idx train-images"))
        #expect(markdown.contains("```text\nEpoch 1/2 - 10/10 - "))
        if GnuplotRenderer().gnuplotPath != nil {
            #expect(markdown.contains("![loss.png](../plots/loss.png)"))
            let ipynb = report.ipynb(workingDirectory: harness.directory)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(ipynb)) as? [String: Any])
            #expect(json["nbformat"] as? Int == 4)
            let cells = try #require(json["cells"] as? [[String: Any]])
            #expect(cells.first?["cell_type"] as? String == "markdown")
            let plotCell = try #require(cells.last)
            let plotOutputs = try #require(plotCell["outputs"] as? [[String: Any]])
            let image = try #require((plotOutputs.last?["data"] as? [String: Any])?["image/png"] as? String)
            #expect(Data(base64Encoded: image)?.starts(with: [0x89, 0x50, 0x4E, 0x47]) == true)
        }
    }

    @Test func relativePaths() {
        #expect(NotebookReport.relativePath(from: "/a/b", to: "/a/b/plots/x.png") == "plots/x.png")
        #expect(NotebookReport.relativePath(from: "/a/b/reports", to: "/a/b/plots/x.png") == "../plots/x.png")
    }
}
