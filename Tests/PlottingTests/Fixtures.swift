// Small fixed inputs shared by the snapshot and rendering tests. The
// digits are drawn so that a wrong orientation shows at a glance: a "7"
// (bar at the top, stroke down to the bottom left), a "1" leaning right,
// and an "L" (stroke on the left, foot at the bottom right).

@testable import Plotting

enum Fixtures {
    /// A 28x28 ink image with strokes through the listed (row, column) points.
    static func digit(_ strokes: [(from: (Int, Int), to: (Int, Int))]) -> [Float] {
        var pixels = [Float](repeating: 0, count: 784)
        for stroke in strokes {
            let steps = max(abs(stroke.to.0 - stroke.from.0), abs(stroke.to.1 - stroke.from.1), 1)
            for step in 0...steps {
                let row = stroke.from.0 + (stroke.to.0 - stroke.from.0) * step / steps
                let column = stroke.from.1 + (stroke.to.1 - stroke.from.1) * step / steps
                for (dr, dc, ink) in [(0, 0, Float(1)), (0, 1, 1), (1, 0, 0.5), (0, 2, 0.25)] {
                    let r = row + dr, c = column + dc
                    if (0..<28).contains(r), (0..<28).contains(c) { pixels[r * 28 + c] = max(pixels[r * 28 + c], ink) }
                }
            }
        }
        return pixels
    }

    static let seven = digit([(from: (5, 6), to: (5, 21)), (from: (5, 21), to: (23, 9))])
    static let one = digit([(from: (23, 11), to: (4, 16))])
    static let ell = digit([(from: (4, 6), to: (23, 6)), (from: (23, 6), to: (23, 20))])

    static let images = [
        DigitImage(pixels: seven, caption: "7 (true 7)"),
        DigitImage(pixels: one, caption: "7 (true 1)", isMistake: true),
        DigitImage(pixels: ell, caption: "L (true L)"),
    ]

    static let lossSeries = [
        Series(label: "loss", values: [0.4123456, 0.2, 0.15, 0.1234567]),
        Series(label: "val_loss", values: [0.35, 0.22, 0.19, 0.2]),
    ]

    static let accuracySeries = [
        Series(label: "accuracy", values: [0.88, 0.93, 0.955, 0.9651]),
        Series(label: "val_accuracy", values: [0.9, .nan, 0.94, 0.945]),
    ]

    /// 10x10 counts: a strong diagonal, a few confusions, one large (4 -> 9).
    static let confusion: [[Int]] = (0..<10).map { t in
        (0..<10).map { p in t == p ? 950 + t : (t == 4 && p == 9 ? 40 : (t * 3 + p) % 4) }
    }

    /// A kernel for 3 units: unit 0 positive "L", unit 1 its negative,
    /// unit 2 a left-to-right ramp from -0.2 to 0.2.
    static let kernel: [Float] = {
        let units = 3
        var kernel = [Float](repeating: 0, count: 784 * units)
        for pixel in 0..<784 {
            kernel[pixel * units] = ell[pixel] * 0.3
            kernel[pixel * units + 1] = -ell[pixel] * 0.3
            kernel[pixel * units + 2] = Float(pixel % 28 - 14) / 70
        }
        return kernel
    }()

    /// A 40x30 picture: black "7" on white paper, upscaled, with a margin.
    static let picture: GrayImage = {
        var pixels = [Float](repeating: 1, count: 40 * 30)
        for y in 0..<30 {
            for x in 5..<35 {
                let ink = seven[(y * 28 / 30) * 28 + (x - 5) * 28 / 30]
                pixels[y * 40 + x] = 1 - ink
            }
        }
        return GrayImage(width: 40, height: 30, pixels: pixels)
    }()

    static let probabilities: [Double] = [0.01, 0.02, 0.01, 0.03, 0.0, 0.01, 0.0, 0.87, 0.02, 0.03]

    /// What a small convnet might make of the seven: 4 maps of 26x26 (the
    /// seven shifted by channel, weighted), pooled to 13x13, then 10 probabilities.
    static let featureMaps: [FeatureMaps] = {
        var conv: [[Float]] = []
        for channel in 0..<4 {
            var map: [Float] = []
            for i in 0..<(26 * 26) {
                let row: Int = i / 26 + channel % 2 + 1
                let column: Int = i % 26 + channel / 2 + 1
                map.append(seven[row * 28 + column] * Float(channel + 1))
            }
            conv.append(map)
        }
        var pooled: [[Float]] = []
        for map in conv {
            var out: [Float] = []
            for i in 0..<(13 * 13) {
                let y: Int = 2 * (i / 13), x: Int = 2 * (i % 13)
                out.append(max(max(map[y * 26 + x], map[y * 26 + x + 1]), max(map[(y + 1) * 26 + x], map[(y + 1) * 26 + x + 1])))
            }
            pooled.append(out)
        }
        return [
            FeatureMaps(label: "input: test digit 0 (true 7)", width: 28, height: 28, maps: [seven]),
            FeatureMaps(label: "conv2d (Conv2D) 26x26x4, relu", width: 26, height: 26, maps: conv),
            FeatureMaps(label: "max_pooling2d (MaxPooling2D) 13x13x4", width: 13, height: 13, maps: pooled),
            FeatureMaps(
                label: "dense (Dense) 10 softmax: predicted 7, probability 0.8700", width: 10, height: 1,
                maps: [probabilities.map(Float.init)]),
        ]
    }()
}
