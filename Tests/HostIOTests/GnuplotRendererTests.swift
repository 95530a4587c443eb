// Tests of the one place that launches gnuplot. Those that need gnuplot
// are skipped, with the reason, when it is not installed (`make test`
// installs gnuplot-nox).

import Foundation
import Plotting
import Testing

@testable import HostIO

private let installed = GnuplotRenderer()

private func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dnb-renderer-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

private func lossScript(_ name: String = "loss") throws -> GnuplotScript {
    try lineChart(
        title: "loss", yLabel: "loss",
        series: [Series(label: "loss", values: [0.5, 0.3, 0.2]), Series(label: "val_loss", values: [0.45, 0.32, 0.28])],
        output: PlotOutput(name: name))
}

@Suite struct GnuplotRendererTests {
    @Test func findsExecutablesOnlyOnTheSearchPath() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = directory + "/gnuplot"
        _ = FileManager.default.createFile(
            atPath: fake, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        #expect(findExecutable("gnuplot", in: "/nonexistent:" + directory) == fake)
        #expect(findExecutable("gnuplot", in: "/nonexistent") == nil)
        #expect(findExecutable("gnuplot", in: "") == nil)
        #expect(GnuplotRenderer(searchPath: "/nonexistent").gnuplotPath == nil)
    }

    @Test func withoutGnuplotWritesTheScriptAndSaysHowToRenderIt() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/plots"
        let result = GnuplotRenderer(gnuplotPath: nil).render(try lossScript(), in: directory)
        #expect(result == .scriptOnly(script: directory + "/loss.gp"))
        let written = try String(contentsOfFile: directory + "/loss.gp", encoding: .utf8)
        #expect(written == (try lossScript()).text)
        // Only the script: no temporary file left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["loss.gp"])
        #expect(
            GnuplotRenderer(gnuplotPath: nil).preview(
                try lineChartPreview(title: "t", yLabel: "y", series: [Series(label: "a", values: [1])])) == .unavailable)
    }

    @Test(.enabled(if: installed.gnuplotPath != nil, "gnuplot is not installed"))
    func rendersNextToTheScript() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = installed.render(try lossScript(), in: root + "/plots")
        #expect(result == .rendered(script: root + "/plots/loss.gp", image: root + "/plots/loss.png"))
        let image = try Data(contentsOf: URL(fileURLWithPath: root + "/plots/loss.png"))
        #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(image.count > 5_000)
    }

    @Test(.enabled(if: installed.gnuplotPath != nil, "gnuplot is not installed"))
    func overwritesAnEarlierScriptAtomically() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = installed.render(try lossScript(), in: root)
        let second = try lineChart(
            title: "again", yLabel: "loss", series: [Series(label: "loss", values: [1, 2])], output: PlotOutput(name: "loss"))
        #expect(installed.render(second, in: root) == .rendered(script: root + "/loss.gp", image: root + "/loss.png"))
        #expect(try String(contentsOfFile: root + "/loss.gp", encoding: .utf8) == second.text)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: root)) == ["loss.gp", "loss.png"])
    }

    @Test(.enabled(if: installed.gnuplotPath != nil, "gnuplot is not installed"))
    func reportsGnuplotsOwnErrorMessage() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let good = try lossScript("broken")
        let broken = GnuplotScript(
            text: good.text.replacingOccurrences(of: "plot $series0", with: "plot $nosuchblock"), output: good.output)
        let result = installed.render(broken, in: root)
        guard case .failed(let script, let message) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(script == root + "/broken.gp")
        #expect(message.contains("nosuchblock"))
    }

    @Test func reportsAnUnwritableDirectory() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/file", contents: Data())
        let result = GnuplotRenderer(gnuplotPath: nil).render(try lossScript(), in: root + "/file")
        guard case .failed(nil, let message) = result else {
            Issue.record("expected a write failure, got \(result)")
            return
        }
        #expect(message.contains(root + "/file"))
    }

    @Test func reportsAGnuplotThatCannotRun() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = GnuplotRenderer(gnuplotPath: root + "/no-such-gnuplot").render(try lossScript(), in: root)
        guard case .failed(let script?, let message) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(script == root + "/loss.gp")
        #expect(message.hasPrefix("cannot run \(root)/no-such-gnuplot"))
    }

    @Test func stopsAGnuplotThatHangs() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sleeper = root + "/slow-gnuplot"
        _ = FileManager.default.createFile(
            atPath: sleeper, contents: Data("#!/bin/sh\nexec sleep 30\n".utf8), attributes: [.posixPermissions: 0o755])
        let started = ContinuousClock.now
        let result = GnuplotRenderer(gnuplotPath: sleeper, timeout: .milliseconds(300)).render(try lossScript(), in: root)
        #expect(ContinuousClock.now - started < .seconds(10))
        guard case .failed(_, let message) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
        #expect(message.contains("did not finish"))
    }

    @Test(.enabled(if: installed.gnuplotPath != nil, "gnuplot is not installed"))
    func previewReturnsTheAsciiChartWithoutTheFormFeed() throws {
        let script = try lineChartPreview(
            title: "loss", yLabel: "loss", series: [Series(label: "loss", values: [0.5, 0.3, 0.2])])
        guard case .text(let text) = installed.preview(script) else {
            Issue.record("expected text")
            return
        }
        #expect(!text.hasPrefix("\u{0C}"))
        #expect(text.contains("loss"))
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count >= 24)
        #expect(installed.preview(try lossScript()) != .unavailable)
        if case .text = installed.preview(try lossScript()) { Issue.record("a file script is not a preview") }
    }
}
