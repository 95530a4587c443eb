// The pictures of a convnet: first-layer filters, feature maps layer by
// layer, and their block-character previews.

import Testing

@testable import Plotting

@Suite struct ConvnetPlotTests {
    private var output: PlotOutput { get throws { try PlotOutput(name: "weights") } }

    /// Two 2x2 filters on one input channel, in Keras's HWIO order:
    /// `kernel[(pixel * C + c) * F + f]`, so the values alternate between the filters.
    static let kernel: [Float] = [1, -1, 0.5, 0, -0.25, 2, 0, 0.125]

    @Test func filtersAreTakenFromTheHWIOKernel() throws {
        let filters = try convolutionFilters(kernel: Self.kernel, kernelSize: 2, inputChannels: 1, filters: 2)
        #expect(filters == [[1, 0.5, -0.25, 0], [-1, 0, 2, 0.125]])
        // Two input channels: each filter's pixel is the sum over them.
        let twoChannels = try convolutionFilters(kernel: [1, 2, 10, 20], kernelSize: 1, inputChannels: 2, filters: 2)
        #expect(twoChannels == [[11], [22]])
    }

    @Test func filterGridScriptHoldsEachFilterAsAMatrix() throws {
        let script = try filterGrid(kernel: Self.kernel, kernelSize: 2, inputChannels: 1, filters: 2, output: try output)
        let text = script.text
        #expect(text.contains("# filter 0: 2 rows of 2, top row first\n$d0 << EOD\n1 0.5\n-0.25 0\nEOD\n"))
        #expect(text.contains("# filter 1: 2 rows of 2, top row first\n$d1 << EOD\n-1 0\n2 0.125\nEOD\n"))
        #expect(text.contains("set xrange [-0.5:1.5]\n"))
        #expect(text.contains("set yrange [1.5:-0.5]\n"))
        #expect(text.contains("set cbrange [-2:2]\n"))
        #expect(
            text.contains(
                "title 'first convolution layer''s filters (2 filters 2x2; blue < 0 < red, range ±2)'"))
        #expect(
            text.contains("set title 'filter 1' offset 0,-0.6 textcolor rgb 'black'\nunset border\nplot $d1 matrix with image\n"))
        #expect(text.contains("set output dnb_dir.'weights.png'"))
        #expect(text.hasSuffix("unset multiplot\nunset output\n"))
        #expect(script.output == (try output))
    }

    @Test func oneByOneFiltersAreDrawnAsTwoByTwo() throws {
        let text = try filterGrid(kernel: [0.5, -1], kernelSize: 1, inputChannels: 1, filters: 2, output: try output).text
        #expect(text.contains("$d0 << EOD\n0.5 0.5\n0.5 0.5\nEOD\n"))
        #expect(text.contains("set xrange [-0.5:1.5]\n"))
    }

    @Test func aWideLayerShowsItsFirst64Filters() throws {
        let kernel = (0..<(9 * 100)).map { Float($0 % 7) - 3 }
        let text = try filterGrid(kernel: kernel, kernelSize: 3, inputChannels: 1, filters: 100, output: try output).text
        #expect(text.contains("(first 64 of 100 filters 3x3; blue < 0 < red, range ±3)"))
        #expect(text.contains("$d63 << EOD") && !text.contains("$d64 << EOD"))
    }

    @Test func filterKernelsOfTheWrongSizeAreRefused() {
        #expect(throws: PlottingError.wrongFilterKernelSize(count: 7, kernelSize: 2, inputChannels: 1, filters: 2)) {
            try filterGrid(kernel: Array(Self.kernel.prefix(7)), kernelSize: 2, inputChannels: 1, filters: 2, output: try output)
        }
        #expect(throws: PlottingError.wrongFilterKernelSize(count: 0, kernelSize: 3, inputChannels: 1, filters: 0)) {
            try convolutionFilters(kernel: [], kernelSize: 3, inputChannels: 1, filters: 0)
        }
        #expect(throws: PlottingError.self) {
            try convolutionFilters(kernel: [1], kernelSize: Int.max, inputChannels: 1, filters: 1)
        }
        #expect(
            PlottingError.wrongFilterKernelSize(count: 7, kernelSize: 2, inputChannels: 1, filters: 2).description
                == "convolution kernel must have 2x2x1x2 weights (kernel size, input channels, filters). Received: 7")
    }

    // MARK: Feature maps

    static let layers = [
        FeatureMaps(label: "input: test digit 0 (true 1)", width: 2, height: 2, maps: [[0, 1, 0.5, 0]]),
        FeatureMaps(label: "conv2d (Conv2D) 1x2x2, relu", width: 2, height: 1, maps: [[0, 3], [1.5, 0]]),
        FeatureMaps(label: "dense (Dense) 3 softmax: predicted 2", width: 3, height: 1, maps: [[0.25, 0.25, 0.5]]),
    ]

    @Test func activationMapsDrawEveryMapWithItsLayersRange() throws {
        let script = try activationMaps(
            title: "activations of test digit 0", layers: Self.layers, output: try PlotOutput(name: "activations-0"))
        let text = script.text
        #expect(text.contains("$d0 << EOD\n0 1\n0.5 0\nEOD\n"))
        // A single row is written twice: gnuplot draws images from 2x2 up.
        #expect(text.contains("map 0: 1 rows of 2 (a single row or column written twice)\n$d1 << EOD\n0 3\n0 3\nEOD\n"))
        #expect(text.contains("$d2 << EOD\n1.5 0\n1.5 0\nEOD\n"))
        #expect(text.contains("$d3 << EOD\n0.25 0.25 0.5\n0.25 0.25 0.5\nEOD\n"))
        #expect(text.contains("set yrange [1.5:-0.5]\n"))
        #expect(!text.contains("$d4 "))
        // One grey range per layer, from 0 (or lower) to the layer's highest value.
        #expect(text.contains("set cbrange [0:1]\n"))
        #expect(text.contains("set cbrange [0:3]\n"))
        #expect(text.contains("set cbrange [0:0.5]\n"))
        #expect(text.contains("set label 2 'conv2d (Conv2D) 1x2x2, relu' at screen"))
        // A strip of at most 16 units is numbered below.
        #expect(text.contains("set xtics 1 scale 0"))
        #expect(text.components(separatedBy: "matrix with image").count - 1 == 4)
        #expect(text.contains("set output dnb_dir.'activations-0.png'"))
    }

    @Test func activationMapsSayWhatIsLeftOut() throws {
        let many = FeatureMaps(
            label: "conv2d", width: 3, height: 3, maps: Array(repeating: [Float](repeating: 1, count: 9), count: 70))
        let wide = FeatureMaps(label: "dense", width: 600, height: 1, maps: [[Float](repeating: 0, count: 600)])
        let text = try activationMaps(title: "t", layers: [many, wide], output: try output).text
        #expect(text.contains("'conv2d (first 64 of 70 maps)'"))
        #expect(text.contains("'dense (first 512 of 600 units)'"))
    }

    @Test func badFeatureMapsAreRefused() {
        #expect(throws: PlottingError.noImages) { try activationMaps(title: "t", layers: [], output: try output) }
        let short = FeatureMaps(label: "conv2d", width: 2, height: 2, maps: [[0, 1, 2]])
        #expect(throws: PlottingError.wrongMapSize(layer: "conv2d", valueCount: 3, width: 2, height: 2)) {
            try activationMaps(title: "t", layers: [short], output: try output)
        }
        let none = FeatureMaps(label: "pool", width: 2, height: 2, maps: [])
        #expect(throws: PlottingError.wrongMapSize(layer: "pool", valueCount: 0, width: 2, height: 2)) {
            try activationMaps(title: "t", layers: [none], output: try output)
        }
    }

    @Test func channelsComeOutOfNHWC() {
        // 1x2 pixels, 3 channels: pixel-major.
        let values: [Float] = [1, 2, 3, 4, 5, 6]
        #expect(FeatureMaps.channel(0, of: values, width: 2, height: 1, channels: 3) == [1, 4])
        #expect(FeatureMaps.channel(2, of: values, width: 2, height: 1, channels: 3) == [3, 6])
    }

    // MARK: Previews

    @Test func mapsOfAnySizeBecomeBlockCharacters() throws {
        let cross = MapImage(pixels: [0, 1, 0, 1, 1, 1, 0, 1, 0], width: 3, height: 3, caption: "f0")
        let faint = MapImage(pixels: [0.3, 0], width: 2, height: 1, caption: "f1")
        #expect(try blockCharacterMaps([cross, faint]) == "▄█▄  ░\n ▀\nf0   f1\n")
        // Too narrow for both: one per row.
        #expect(try blockCharacterMaps([cross, faint], width: 4) == "▄█▄\n ▀\nf0\n\n░\nf1\n")
        #expect(cross.scaled(by: 2).pixels.prefix(6) == [0, 0, 1, 1, 0, 0])
        #expect(cross.scaled(by: 2).width == 6)
        #expect(unitInterval([-1, 0, 1, 3], low: 0, high: 2) == [0, 0, 0.5, 1])
        #expect(throws: PlottingError.noImages) { try blockCharacterMaps([]) }
        #expect(throws: PlottingError.wrongImageSize(index: 0, pixelCount: 2, width: 3, height: 3)) {
            try blockCharacterMaps([MapImage(pixels: [0, 1], width: 3, height: 3)])
        }
    }
}
