// Every chart kind's script for fixed inputs, against reviewed snapshots.

import Testing

@testable import Plotting

/// Each fixture chart, by snapshot file name; shared with the rendering tests.
enum Charts {
    static func all() throws -> [(file: String, script: GnuplotScript)] {
        [
            (
                "loss.gp",
                try lineChart(title: "loss", yLabel: "loss", series: Fixtures.lossSeries, output: PlotOutput(name: "loss"))
            ),
            (
                "accuracy.gp",
                try lineChart(
                    title: "accuracy", yLabel: "accuracy", series: Fixtures.accuracySeries, output: PlotOutput(name: "accuracy"))
            ),
            (
                "predictions.gp",
                try digitGrid(
                    title: "predictions (3 test images)", images: Fixtures.images, output: PlotOutput(name: "predictions"))
            ),
            ("confusion.gp", try confusionHeatmap(counts: Fixtures.confusion, output: PlotOutput(name: "confusion"))),
            ("weights.gp", try weightsGrid(kernel: Fixtures.kernel, units: 3, output: PlotOutput(name: "weights"))),
            (
                "filters.gp",
                try filterGrid(
                    kernel: (0..<36).map { Float($0 % 9) / 4 - 1 }, kernelSize: 3, inputChannels: 1, filters: 4,
                    output: PlotOutput(name: "filters"))
            ),
            (
                "activations.gp",
                try activationMaps(
                    title: "activations of test digit 0", layers: Fixtures.featureMaps, output: PlotOutput(name: "activations"))
            ),
            (
                "predict.gp",
                try predictionPanel(
                    original: Fixtures.picture, input: Fixtures.seven, probabilities: Fixtures.probabilities,
                    output: PlotOutput(name: "predict"))
            ),
        ]
    }
}

@Suite struct ScriptSnapshotTests {
    @Test func chartScriptsMatchTheirSnapshots() throws {
        for (file, script) in try Charts.all() {
            try Snapshot.check(script.text, file: file)
        }
    }

    @Test func previewScriptMatchesItsSnapshot() throws {
        let script = try lineChartPreview(title: "loss", yLabel: "loss", series: Fixtures.lossSeries)
        #expect(script.output == nil)
        try Snapshot.check(script.text, file: "loss-preview.gp")
    }

    @Test func blockCharactersMatchTheirSnapshot() throws {
        try Snapshot.check(try blockCharacterImage(Fixtures.images, width: 100), file: "predictions-blocks.txt")
    }

    /// The svg terminal reads font sizes as CSS pixels, pngcairo as points
    /// at 96 per inch: the SVG says 4/3 of each size, so that its text is as
    /// large as the PNG's when both are shown at the same width.
    @Test func svgDiffersOnlyInTerminalFontSizesAndOutputName() throws {
        let png = try lineChart(title: "loss", yLabel: "loss", series: Fixtures.lossSeries, output: PlotOutput(name: "loss"))
        let svg = try lineChart(
            title: "loss", yLabel: "loss", series: Fixtures.lossSeries, output: PlotOutput(name: "loss", format: .svg))
        let changed = zip(png.text.split(separator: "\n"), svg.text.split(separator: "\n")).filter { $0 != $1 }
        #expect(
            changed.map(\.1) == [
                "# the image loss.svg is written next to this script.",
                "set terminal svg size 800,500 font 'DejaVu Sans,13.33' noenhanced background rgb 'white'",
                "set output dnb_dir.'loss.svg'",
                "set title 'loss' font ',16'",
            ])
        #expect(svg.output?.imageFileName == "loss.svg")
    }

    /// Browsers smooth an SVG's embedded images: small matrices are drawn
    /// as rectangles in SVG, so a 3x3 filter stays nine cells.
    @Test func svgDrawsSmallMatricesAsRectangles() throws {
        let svg = PlotOutput.self
        let filters = try filterGrid(
            kernel: (0..<36).map { Float($0 % 9) / 4 - 1 }, kernelSize: 3, inputChannels: 1, filters: 4,
            output: svg.init(name: "filters", format: .svg))
        #expect(filters.text.contains("matrix with image pixels"))
        let confusion = try confusionHeatmap(counts: Fixtures.confusion, output: svg.init(name: "cm", format: .svg))
        #expect(confusion.text.contains("plot $counts matrix with image pixels, \\"))
        // 28x28 digits stay images (784 rectangles a panel would be megabytes), and PNGs are unchanged.
        let digits = try digitGrid(title: "d", images: Fixtures.images, output: svg.init(name: "d", format: .svg))
        #expect(!digits.text.contains("pixels"))
        for (file, script) in try Charts.all() {
            #expect(!script.text.contains("with image pixels"), "\(file)")
        }
    }

    @Test func scriptsAreDeterministic() throws {
        let first = try Charts.all().map(\.script)
        let second = try Charts.all().map(\.script)
        #expect(first == second)
    }

    @Test func wideLayersShowTheirFirst64UnitsAndSaySo() throws {
        let units = 100
        let kernel = (0..<(784 * units)).map { Float($0 % 7) - 3 }
        let script = try weightsGrid(kernel: kernel, units: units, output: PlotOutput(name: "weights"))
        #expect(script.text.contains("title 'first-layer weights (first 64 of 100 units; blue < 0 < red, range ±3)'"))
        #expect(script.text.contains("set multiplot layout 8,8 "))
        #expect(script.text.contains("$d63 << EOD"))
        #expect(!script.text.contains("$d64 "))
        // Unit 1's first pixel is kernel[1] = -2.
        #expect(script.text.contains("$d1 << EOD\n-2 "))
    }

    @Test func confusionTitleCarriesTheAccuracy() throws {
        let script = try confusionHeatmap(counts: [[3, 1], [0, 4]], title: "test", output: PlotOutput(name: "cm"))
        #expect(script.text.contains("set title 'test (accuracy 0.8750)'"))
        #expect(script.text.contains("set yrange [1.5:-0.5]"))
    }

    @Test func textIsQuotedForGnuplot() throws {
        let script = try lineChart(
            title: "it's @var $x `cmd` \\n\nnext", yLabel: "y", series: [Series(label: "val_loss", values: [1])],
            output: PlotOutput(name: "q"))
        #expect(script.text.contains("set title 'it''s @var $x `cmd` \\n next'"))
        #expect(script.text.contains("title 'val_loss'"))
    }

    @Test(arguments: [
        (1, 1, 1), (2, 1, 2), (3, 2, 2), (4, 2, 2), (5, 2, 3), (10, 3, 4), (16, 4, 4), (25, 5, 5), (26, 5, 6), (64, 8, 8),
        (100, 10, 10),
    ])
    func gridsAreNearSquare(count: Int, rows: Int, columns: Int) {
        #expect(gridLayout(count: count) == (rows, columns))
    }

    @Test(arguments: [(1, 1), (10, 1), (11, 2), (21, 2), (22, 5), (51, 5), (55, 10), (101, 10), (110, 20), (1000, 100)])
    func epochTicsStayFew(epochs: Int, step: Int) {
        // At most 10 labelled epochs, counting by 1, 2, 5, 10, 20, ...
        #expect(epochStep(epochs) == step)
    }
}
