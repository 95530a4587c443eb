import Foundation
import HostIO
import Testing

@testable import Interpreter

/// The `show` plots: files written where `set plots=` says, a clear error when
/// there is nothing to plot, and the script alone when gnuplot is missing.
@Suite struct PlotCommandTests {
    static let trained = """
        load idx train-images train-labels test-images test-labels
        normalize
        build dense 16 relu, dense 10 softmax
        fit epochs=3 batch=20 validation=0.2 optimizer=adam lr=0.01
        """

    @Test(arguments: ["show loss", "show accuracy"])
    func curvesNeedAHistory(line: String) throws {
        let harness = try Harness()
        let rendered = try #require(harness.run(line))
        #expect(rendered.hasPrefix("test.dnb:1:1: error: nothing to plot yet: the history is empty (run `fit` first)"))
    }

    @Test(arguments: ["show predictions", "show mistakes 4", "show confusion", "show weights"])
    func predictionPlotsNeedAModel(line: String) throws {
        let harness = try Harness()
        #expect(harness.run(line)?.contains("error: no model yet") == true)
    }

    @Test func everyPlotIsWrittenAndRendered() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(
            harness.run(
                Self.trained
                    + "\nset plots=out\nshow loss\nshow accuracy\nshow predictions 9\nshow mistakes 4\nshow confusion\nshow weights"
            ) == nil)
        let hasGnuplot = GnuplotRenderer().gnuplotPath != nil
        for name in ["loss", "accuracy", "predictions", "confusion", "weights"] {
            let script = harness.directory + "/out/\(name).gp"
            #expect(FileManager.default.fileExists(atPath: script), "\(name).gp")
            if hasGnuplot {
                let image = try Data(contentsOf: URL(fileURLWithPath: harness.directory + "/out/\(name).png"))
                #expect(image.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name).png is a PNG")
                #expect(harness.output.contains("plot out/\(name).gp out/\(name).png"))
            }
        }
        #expect(harness.output.contains("predictions on the first 9 test digits: "))
        #expect(harness.output.contains("true\\pred"))
    }

    @Test func withoutGnuplotTheScriptIsStillWritten() throws {
        let harness = try Harness()
        harness.host = LocalHost(renderer: GnuplotRenderer(gnuplotPath: nil))
        try writeBarFixtures(harness)
        #expect(harness.run(Self.trained + "\nshow loss") == nil)
        #expect(FileManager.default.fileExists(atPath: harness.directory + "/plots/loss.gp"))
        #expect(!FileManager.default.fileExists(atPath: harness.directory + "/plots/loss.png"))
        #expect(harness.output.hasSuffix("plot plots/loss.gp -"))
    }

    @Test func badCountsAreRefused() throws {
        let harness = try Harness()
        let rendered = harness.run("show predictions 0")
        #expect(
            rendered?.hasPrefix("test.dnb:1:18: error: the number of digits must be a whole number from 1 to 100. Received: 0")
                == true)
        #expect(harness.run("show loss 5")?.contains("unexpected '5'") == true)
    }
}
