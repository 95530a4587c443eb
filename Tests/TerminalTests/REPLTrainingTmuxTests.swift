import Foundation
import Testing

/// The prompt with real MNIST and a real engine: Ctrl-C during `fit`, and
/// `save session` replayed by `dnb run`. They need DNB_DATA (the MNIST
/// folder) and the engine and datasets work merged; without DNB_DATA they
/// are skipped.
@Suite(
    .enabled(if: ProcessInfo.processInfo.environment["DNB_DATA"] != nil, "DNB_DATA is not set"),
    .timeLimit(.minutes(2)))
struct REPLTrainingTmuxTests {
    let data = ProcessInfo.processInfo.environment["DNB_DATA"] ?? ""

    /// A long fit stopped with Ctrl-C keeps its finished epochs and a model
    /// that evaluates. The pane is 80 columns: narrower than the live bar,
    /// which must be clipped so that no part of it is left on the screen.
    @Test func ctrlCDuringALongFitLeavesAUsableModel() async throws {
        let pane = try TmuxPane(width: 80, height: 40)
        try await pane.launch(environment: ["DNB_DATA": data])
        let loaded = try await pane.run("load mnist", timeout: 60)
        #expect(loaded.contains("60,000 training"), "load mnist said: \(loaded)")
        try await pane.run("normalize")
        try await pane.run("build dense 128 relu, dense 10 softmax")
        try pane.type("fit epochs=50 validation=0.2 optimizer=adam")
        try pane.press("Enter")
        try await pane.waitFor("the second epoch's line", timeout: 60) { $0.contains("\nEpoch 2/50 - ") }
        try pane.press("C-c")
        let screen = try await pane.waitFor("fit to stop after Ctrl-C", timeout: 30) {
            $0.contains("stopped by Ctrl-C") && TmuxPane.isWaitingAtPrompt($0)
        }
        #expect(!screen.contains("Epoch 50/50"))
        // The live bar never survives on screen: each epoch line replaced it.
        let rows = try pane.screen(joined: false).split(separator: "\n")
        #expect(!rows.contains { $0.contains("[=") || $0.contains("[>") || $0.contains("=]") }, "\(rows)")

        let evaluation = try await pane.run("evaluate", timeout: 30)
        let accuracy = evaluation.firstMatch(of: /accuracy (0\.\d{4})/).flatMap { Double($0.1) }
        #expect(accuracy.map { $0 > 0.9 } == true, "evaluate said: \(evaluation)")
        let history = try await pane.run("show history")
        #expect(history.contains("2"), "show history said: \(history)")
    }

    /// `save session` writes the commands that succeeded as a notebook, and
    /// `dnb run` replays it to the same numbers.
    @Test func saveSessionReplaysToTheSameNumbers() async throws {
        let pane = try TmuxPane()
        try await pane.launch(environment: ["DNB_DATA": data])
        try await pane.run("load mnist", timeout: 60)
        try await pane.run("normalize")
        try await pane.run("fti")  // fails: not recorded
        try await pane.run("build dense 15 relu, dense 10 softmax")
        try await pane.run("fit epochs=1 batch=64 optimizer=adam", timeout: 60)
        let evaluation = try await pane.run("evaluate", timeout: 30)
        let line = try #require(evaluation.split(separator: "\n").first { $0.contains("accuracy") })
        try await pane.run("save session replay.dnb")
        try pane.type("quit")
        try pane.press("Enter")
        #expect(try await pane.waitForExit() == 0)

        let notebook = try #require(pane.directory.read("replay.dnb"))
        #expect(notebook.contains("fit epochs=1 batch=64 optimizer=adam"))
        #expect(!notebook.contains("fti"))
        let replay = try Subprocess.run(
            try DnbBinary.require(), ["run", "replay.dnb"],
            environment: ["HOME": pane.directory.path, "DNB_DATA": data, "LANG": "C.UTF-8"],
            directory: pane.directory.path)
        #expect(replay.status == 0, "dnb run said: \(replay.standardError)")
        #expect(replay.standardOutput.contains(String(line)), "replayed output: \(replay.standardOutput)")
    }
}
