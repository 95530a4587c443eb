// Bad inputs give a PlottingError with a message that echoes them, never a crash.

import Testing

@testable import Plotting

@Suite struct ValidationTests {
    private var output: PlotOutput { get throws { try PlotOutput(name: "plot") } }

    @Test(arguments: ["", "loss.png", "../loss", "a b", "plots/loss", "naïve", "x'y", String(repeating: "a", count: 101)])
    func outputNamesArePlainStems(name: String) {
        #expect(throws: PlottingError.invalidOutputName(name)) { try PlotOutput(name: name) }
    }

    @Test func validOutputNames() throws {
        let output = try PlotOutput(name: "val_loss-2", format: .svg)
        #expect(output.scriptFileName == "val_loss-2.gp")
        #expect(output.imageFileName == "val_loss-2.svg")
    }

    @Test func lineChartNeedsValues() {
        #expect(throws: PlottingError.noSeries) {
            try lineChart(title: "t", yLabel: "y", series: [], output: try output)
        }
        #expect(throws: PlottingError.emptySeries(label: "val_loss")) {
            try lineChart(
                title: "t", yLabel: "y", series: [Series(label: "loss", values: [1]), Series(label: "val_loss", values: [])],
                output: try output)
        }
        #expect(throws: PlottingError.noFiniteValues) {
            try lineChart(
                title: "t", yLabel: "y", series: [Series(label: "loss", values: [.nan, .infinity])], output: try output)
        }
        #expect(throws: PlottingError.invalidPreviewSize(columns: 10, lines: 24)) {
            try lineChartPreview(title: "t", yLabel: "y", series: [Series(label: "loss", values: [1])], columns: 10)
        }
    }

    @Test func nonFiniteValuesBecomeGaps() throws {
        let script = try lineChart(
            title: "t", yLabel: "y", series: [Series(label: "loss", values: [1, .nan, -.infinity, 0.5])], output: try output)
        #expect(script.text.contains("$series0 << EOD\n1 1\n2 NaN\n3 NaN\n4 0.5\nEOD"))
    }

    @Test func digitGridChecksItsImages() {
        #expect(throws: PlottingError.noImages) { try digitGrid(title: "t", images: [], output: try output) }
        let bad = [DigitImage(pixels: Fixtures.seven, caption: "ok"), DigitImage(pixels: [0, 1], caption: "short")]
        #expect(throws: PlottingError.wrongImageSize(index: 1, pixelCount: 2, width: 28, height: 28)) {
            try digitGrid(title: "t", images: bad, output: try output)
        }
        let many = Array(repeating: DigitImage(pixels: Fixtures.seven, caption: ""), count: 101)
        #expect(throws: PlottingError.tooManyImages(count: 101, limit: 100)) {
            try digitGrid(title: "t", images: many, output: try output)
        }
        #expect(throws: PlottingError.noImages) { try blockCharacterImage([DigitImage]()) }
        #expect(throws: PlottingError.wrongImageSize(index: 0, pixelCount: 783, width: 28, height: 28)) {
            try blockCharacterImage(Array(repeating: 0, count: 783))
        }
    }

    @Test func nonFinitePixelsAreWrittenAsNaN() throws {
        var pixels = Fixtures.seven
        pixels[0] = .nan
        pixels[1] = .infinity
        let script = try digitGrid(title: "t", images: [DigitImage(pixels: pixels, caption: "")], output: try output)
        #expect(script.text.contains("$d0 << EOD\nNaN NaN 0 "))
    }

    @Test func confusionMatrixMustBeSquareCountsOfSomething() {
        #expect(throws: PlottingError.confusionMatrixNotSquare(rows: 0, columns: [])) {
            try confusionHeatmap(counts: [], output: try output)
        }
        #expect(throws: PlottingError.confusionMatrixNotSquare(rows: 2, columns: [2, 3])) {
            try confusionHeatmap(counts: [[1, 0], [0, 1, 0]], output: try output)
        }
        #expect(throws: PlottingError.negativeCount(trueClass: 1, predictedClass: 0, count: -4)) {
            try confusionHeatmap(counts: [[1, 0], [-4, 1]], output: try output)
        }
        #expect(throws: PlottingError.noSamples) { try confusionHeatmap(counts: [[0, 0], [0, 0]], output: try output) }
    }

    @Test func weightsGridChecksTheKernelShape() {
        #expect(throws: PlottingError.wrongKernelSize(count: 784, inputs: 784, units: 2)) {
            try weightsGrid(kernel: Array(repeating: 0, count: 784), units: 2, output: try output)
        }
        #expect(throws: PlottingError.wrongKernelSize(count: 0, inputs: 784, units: 0)) {
            try weightsGrid(kernel: [], units: 0, output: try output)
        }
    }

    @Test func allZeroWeightsStillGetARange() throws {
        let script = try weightsGrid(kernel: Array(repeating: 0, count: 784), units: 1, output: try output)
        #expect(script.text.contains("set cbrange [-1:1]"))
    }

    @Test func predictionPanelChecksItsInputs() {
        let picture = GrayImage(width: 3, height: 2, pixels: [0, 0, 0, 0, 0])
        #expect(throws: PlottingError.wrongImageSize(index: nil, pixelCount: 5, width: 3, height: 2)) {
            try predictionPanel(
                original: picture, input: Fixtures.seven, probabilities: Fixtures.probabilities, output: try output)
        }
        #expect(throws: PlottingError.wrongImageSize(index: nil, pixelCount: 0, width: 0, height: 0)) {
            try predictionPanel(
                original: GrayImage(width: 0, height: 0, pixels: []), input: Fixtures.seven,
                probabilities: Fixtures.probabilities, output: try output)
        }
        #expect(throws: PlottingError.wrongImageSize(index: nil, pixelCount: 10, width: 28, height: 28)) {
            try predictionPanel(
                original: Fixtures.picture, input: Array(repeating: 0, count: 10), probabilities: Fixtures.probabilities,
                output: try output)
        }
        #expect(throws: PlottingError.noProbabilities) {
            try predictionPanel(original: Fixtures.picture, input: Fixtures.seven, probabilities: [], output: try output)
        }
        #expect(throws: PlottingError.noFiniteValues) {
            try predictionPanel(
                original: Fixtures.picture, input: Fixtures.seven, probabilities: [.nan, .nan], output: try output)
        }
    }

    @Test func predictedClassIsTheFirstLargestFiniteProbability() throws {
        let script = try predictionPanel(
            original: Fixtures.picture, input: Fixtures.seven, probabilities: [0.1, .nan, 0.4, 0.4, 0.1], output: try output)
        #expect(script.text.contains("prediction: 2 (probability 0.400)"))
        #expect(script.text.contains("\n2 0.4 2062260\n3 0.4 11454440\n"))
    }

    @Test func largePicturesAreShrunkByBlockAverages() {
        let picture = GrayImage(width: 400, height: 3, pixels: (0..<1200).map { Float($0 % 400 < 200 ? 0 : 1) })
        let small = shrunk(picture, toAtMost: 160)
        #expect(small.width == 134 && small.height == 1)
        #expect(small.pixels.count == 134)
        #expect(small.pixels[0] == 0 && small.pixels[133] == 1)
        #expect(small.pixels[66] == Float(1) / 3)  // columns 198, 199, 200
        #expect(shrunk(Fixtures.picture, toAtMost: 160) == Fixtures.picture)
    }

    @Test func messagesEchoWhatWasReceived() {
        #expect(
            PlottingError.wrongImageSize(index: 3, pixelCount: 780, width: 28, height: 28).description
                == "image 3 must have 28x28 = 784 pixels. Received: 780")
        #expect(
            PlottingError.invalidOutputName("a b").description
                == "plot name must be letters, digits, '_' or '-' (at most 100). Received: 'a b'")
        #expect(
            PlottingError.tooManyImages(count: 400, limit: 100).description == "at most 100 images fit in one plot. Received: 400"
        )
        #expect(PlottingError.emptySeries(label: "val_loss").description == "series 'val_loss' has no values")
    }
}
