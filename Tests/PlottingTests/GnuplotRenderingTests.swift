// Every chart kind rendered by the real gnuplot. The Plotting module never
// launches a process, so these tests run gnuplot themselves (the
// interpreter's GnuplotRenderer has its own tests). Skipped, with the
// reason, when gnuplot is not installed; `make test` installs gnuplot-nox.

import Foundation
import Testing

@testable import Plotting

/// The `gnuplot` executable on PATH, if any.
private let gnuplot: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return path.split(separator: ":").map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// What a gnuplot run left behind.
private struct Run {
    var status: Int32
    var output: String
    var error: String
}

/// Runs gnuplot with `arguments` in `directory`.
private func runGnuplot(_ arguments: [String], in directory: URL) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(gnuplot))
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Scripts here are small; gnuplot's output fits in the pipe buffers.
    process.waitUntilExit()
    return Run(
        status: process.terminationStatus,
        output: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
        error: String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}

/// A fresh `ROOT/plots/` folder holding `script` as `NAME.gp`; returns ROOT.
/// The caller removes ROOT.
private func projectWith(_ script: GnuplotScript) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("dnb-plotting-\(UUID().uuidString)")
    let plots = root.appendingPathComponent("plots")
    try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
    let output = try #require(script.output)
    try Data(script.text.utf8).write(to: plots.appendingPathComponent(output.scriptFileName))
    return root
}

/// Expects a real image at `url`: the format's signature and more than
/// `minimumBytes` (a 130x180 PNG holding only a title is about 1,300).
private func expectImage(
    at url: URL, format: PlotFormat, minimumBytes: Int = 4_000, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let data = try? Data(contentsOf: url) else {
        Issue.record("no image at \(url.path)", sourceLocation: sourceLocation)
        return
    }
    switch format {
    case .png: #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), sourceLocation: sourceLocation)
    case .svg: #expect(String(decoding: data.prefix(200), as: UTF8.self).contains("<svg"), sourceLocation: sourceLocation)
    }
    #expect(data.count > minimumBytes, "\(url.lastPathComponent): only \(data.count) bytes", sourceLocation: sourceLocation)
}

@Suite(.enabled(if: gnuplot != nil, "gnuplot is not installed (make test installs gnuplot-nox)"))
struct GnuplotRenderingTests {
    static let files = [
        "loss.gp", "accuracy.gp", "predictions.gp", "confusion.gp", "weights.gp", "predict.gp", "filters.gp", "activations.gp",
    ]

    private func script(_ file: String) throws -> GnuplotScript {
        try #require(try Charts.all().first { $0.file == file }).script
    }

    @Test(arguments: files)
    func rendersFromTheScriptsOwnDirectory(file: String) throws {
        let script = try script(file)
        let output = try #require(script.output)
        let root = try projectWith(script)
        defer { try? FileManager.default.removeItem(at: root) }
        let plots = root.appendingPathComponent("plots")
        let run = try runGnuplot([output.scriptFileName], in: plots)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        #expect(run.error == "")
        expectImage(at: plots.appendingPathComponent(output.imageFileName), format: .png)
    }

    @Test(arguments: files)
    func rendersNextToTheScriptFromTheProjectRoot(file: String) throws {
        let script = try script(file)
        let output = try #require(script.output)
        let root = try projectWith(script)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try runGnuplot(["plots/" + output.scriptFileName], in: root)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        expectImage(at: root.appendingPathComponent("plots/" + output.imageFileName), format: .png)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(output.imageFileName).path))
    }

    @Test func rendersNextToTheScriptByAbsolutePathFromElsewhere() throws {
        let script = try script("loss.gp")
        let root = try projectWith(script)
        defer { try? FileManager.default.removeItem(at: root) }
        let elsewhere = root.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let run = try runGnuplot([root.appendingPathComponent("plots/loss.gp").path], in: elsewhere)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        expectImage(at: root.appendingPathComponent("plots/loss.png"), format: .png)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }

    /// Charts at the edges of what is valid, each of which gnuplot must still draw.
    static func edgeCases() throws -> [GnuplotScript] {
        let wide = GrayImage(width: 1000, height: 700, pixels: (0..<700_000).map { Float($0 % 1000) / 1000 })
        return [
            try lineChart(
                title: "one epoch", yLabel: "loss", series: [Series(label: "loss", values: [0.3])], output: PlotOutput(name: "e1")
            ),
            try lineChart(
                title: "diverged validation", yLabel: "loss",
                series: [Series(label: "loss", values: [0.3, 0.2]), Series(label: "val_loss", values: [.nan, .infinity])],
                output: PlotOutput(name: "e2")),
            try lineChart(
                title: "flat", yLabel: "accuracy", series: [Series(label: "accuracy", values: Array(repeating: 1, count: 150))],
                output: PlotOutput(name: "e3")),
            try digitGrid(title: "one", images: [Fixtures.images[1]], output: PlotOutput(name: "e4")),
            try digitGrid(
                title: "hundred", images: Array(repeating: Fixtures.images[0], count: 100), output: PlotOutput(name: "e5")),
            try weightsGrid(kernel: Array(repeating: 0, count: 784), units: 1, output: PlotOutput(name: "e6")),
            try confusionHeatmap(counts: [[1, 0], [0, 0]], output: PlotOutput(name: "e7")),
            try predictionPanel(original: wide, input: Fixtures.one, probabilities: [1], output: PlotOutput(name: "e8")),
        ]
    }

    @Test func rendersEdgeCases() throws {
        for script in try Self.edgeCases() {
            let output = try #require(script.output)
            let root = try projectWith(script)
            defer { try? FileManager.default.removeItem(at: root) }
            let run = try runGnuplot(["plots/" + output.scriptFileName], in: root)
            #expect(run.status == 0, "\(output.name): \(run.error)")
            // The one-digit grid is a small canvas: about 2,300 bytes.
            expectImage(at: root.appendingPathComponent("plots/" + output.imageFileName), format: .png, minimumBytes: 1_800)
        }
    }

    @Test func rendersSVG() throws {
        let script = try digitGrid(title: "svg", images: Fixtures.images, output: PlotOutput(name: "grid", format: .svg))
        let root = try projectWith(script)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try runGnuplot(["plots/grid.gp"], in: root)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        expectImage(at: root.appendingPathComponent("plots/grid.svg"), format: .svg)
    }

    @Test func rendersAwkwardTextLiterally() throws {
        let script = try lineChart(
            title: "it's `echo no` @macro $x {/Symbol a} ^_ é", yLabel: "val_loss",
            series: [Series(label: "a'b", values: [1, .nan, 2])], output: PlotOutput(name: "awkward"))
        let root = try projectWith(script)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try runGnuplot(["plots/awkward.gp"], in: root)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        #expect(run.error == "")
        expectImage(at: root.appendingPathComponent("plots/awkward.png"), format: .png)
    }

    /// The PNG of a chart whose key names `labels` (two series).
    private func keyPNG(_ labels: [String]) throws -> Data {
        let series = labels.enumerated().map { Series(label: $1, values: [0.3 - 0.1 * Double($0), 0.2, 0.1]) }
        let script = try lineChart(title: "key", yLabel: "loss", series: series, output: PlotOutput(name: "key"))
        let root = try projectWith(script)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try runGnuplot(["plots/key.gp"], in: root)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        return try Data(contentsOf: root.appendingPathComponent("plots/key.png"))
    }

    /// The `_` of `val_loss` hangs below the baseline; on the key's last line
    /// pngcairo cut it off at the box, and the key read `val loss`. A key
    /// line of `_` alone must therefore draw something a line of ` ` does not
    /// (the longer label sets the key's width, the same in both).
    @Test func keyLinesKeepTheirUnderscores() throws {
        let last = try keyPNG(["a_longer_label", "_"])
        #expect(last != (try keyPNG(["a_longer_label", " "])), "the last key line lost its underscore")
        let first = try keyPNG(["_", "a_longer_label"])
        #expect(first != (try keyPNG([" ", "a_longer_label"])), "the first key line lost its underscore")
    }

    @Test func previewDrawsAnAsciiChartOnStandardOutput() throws {
        let script = try lineChartPreview(title: "loss", yLabel: "loss", series: Fixtures.lossSeries, columns: 72, lines: 20)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dnb-preview-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(script.text.utf8).write(to: directory.appendingPathComponent("preview.gp"))
        let run = try runGnuplot(["preview.gp"], in: directory)
        #expect(run.status == 0, "gnuplot: \(run.error)")
        #expect(run.output.hasPrefix("\u{0C}"))
        let lines = run.output.dropFirst().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count >= 20)
        #expect(lines.allSatisfy { $0.count <= 72 })
        #expect(run.output.contains("val_loss"))
        #expect(run.output.contains("epoch"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["preview.gp"])
    }

    @Test func aBrokenScriptFailsWithGnuplotsReason() throws {
        let good = try script("loss.gp")
        let broken = GnuplotScript(text: good.text.replacing("$series1 using", with: "$missing using"), output: good.output)
        let root = try projectWith(broken)
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try runGnuplot(["plots/loss.gp"], in: root)
        #expect(run.status == 1)
        #expect(run.error.contains("missing"))
    }
}
