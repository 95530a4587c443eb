/// A grey picture of any size, e.g. the photo a user asks to classify.
public struct GrayImage: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// `width * height` brightness values, row-major from the top-left:
    /// 0 is black, 1 is white (as the picture looks, not MNIST's ink).
    public var pixels: [Float]

    /// A picture; the size is checked by the plots that use it.
    public init(width: Int, height: Int, pixels: [Float]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// The longest side of a picture drawn in a prediction panel; larger ones
/// are shrunk by averaging square blocks, so the script stays small.
public let maxPanelPictureSide = 160

/// What `predict FILE` shows: the user's picture as it is, the 28x28
/// input the model saw (MNIST ink, 1 = black), and a bar chart of the
/// class probabilities with the predicted class -- the most probable
/// finite one, the first on ties -- darker and labelled with its value.
/// The title reads `TITLE: 7 (probability 0.983)`. Size 960x340 pixels.
public func predictionPanel(
    original: GrayImage, input: [Float], probabilities: [Double], title: String = "prediction", output: PlotOutput
) throws(PlottingError) -> GnuplotScript {
    guard original.width > 0, original.height > 0, original.pixels.count == original.width * original.height else {
        throw .wrongImageSize(index: nil, pixelCount: original.pixels.count, width: original.width, height: original.height)
    }
    guard input.count == digitSide * digitSide else {
        throw .wrongImageSize(index: nil, pixelCount: input.count, width: digitSide, height: digitSide)
    }
    guard !probabilities.isEmpty else { throw .noProbabilities }
    var predicted: Int?
    for (index, p) in probabilities.enumerated() where p.isFinite {
        if predicted.map({ p > probabilities[$0] }) ?? true { predicted = index }
    }
    guard let predicted else { throw .noFiniteValues }
    let probability = NumberFormat.fixed(probabilities[predicted], 3)
    let fullTitle = "\(title): \(predicted) (probability \(probability))"
    let picture = shrunk(original, toAtMost: maxPanelPictureSide)

    var writer = ScriptWriter.file(output, width: 960, height: 340, description: fullTitle)
    writer.blank()
    writer.line(
        "# the picture (\(original.width)x\(original.height), drawn at \(picture.width)x\(picture.height)): brightness, top row first"
    )
    writer.matrixDatablock("picture", values: picture.pixels, width: picture.width, significantDigits: 3)
    writer.line("# the model's input: 28 rows of 28 ink intensities, top row first")
    writer.matrixDatablock("input", values: input, width: digitSide)
    writer.line("# class, probability, bar colour (24-bit RGB)")
    writer.datablock(
        "probabilities",
        rows: probabilities.enumerated().map { index, p in
            "\(index) \(NumberFormat.significant(p)) \(index == predicted ? 0x1F77B4 : 0xAEC7E8)"
        })
    writer.blank()
    writer.line("set multiplot title \(quoted(fullTitle)) \(writer.font(12))")
    writer.line("unset key")
    writer.line("unset colorbox")
    writer.line("set cbrange [0:1]")
    writer.blank()
    writer.line("# 1: the picture as the user sees it")
    writer.line("set title \(quoted("your picture (\(original.width)x\(original.height))"))")
    writer.line("set origin 0,0")
    writer.line("set size ratio -1 0.3,0.9")
    writer.line("unset tics")
    writer.line("set border lc rgb '#999999'")
    writer.line("set palette gray")
    writer.line("set xrange [-0.5:\(picture.width - 1).5]")
    writer.line("set yrange [\(picture.height - 1).5:-0.5]")
    writer.line("plot $picture matrix with image")
    writer.blank()
    writer.line("# 2: the 28x28 input the model saw")
    writer.line("set title 'model input (28x28)'")
    writer.line("set origin 0.3,0")
    writer.line("set palette gray negative")
    writer.line("set xrange [-0.5:27.5]")
    writer.line("set yrange [27.5:-0.5]")
    writer.line("plot $input matrix with image")
    writer.blank()
    writer.line("# 3: class probabilities, the predicted class darker")
    writer.line("set title 'probabilities'")
    writer.line("set origin 0.6,0.02")
    writer.line("set size noratio 0.39,0.86")
    writer.line("set border 3 lc rgb 'black'")
    writer.line("set xtics 1 nomirror scale 0")
    writer.line("set ytics 0.25 nomirror")
    writer.line("set xrange [-0.6:\(probabilities.count - 1).6]")
    writer.line("set yrange [0:1.1]")
    writer.line("set style fill solid 1.0 noborder")
    writer.line("set boxwidth 0.75")
    let labelHeight = NumberFormat.significant(min(max(probabilities[predicted], 0), 1) + 0.05)
    writer.line("set label 1 \(quoted(probability)) at \(predicted),\(labelHeight) center")
    writer.line("plot $probabilities using 1:2:3 with boxes lc rgb variable")
    writer.line("unset multiplot")
    writer.finish()
    return writer.script(output: output)
}

/// `image` shrunk by an integer factor (averaging each factor x factor
/// block, NaNs skipped) so that neither side exceeds `limit`.
func shrunk(_ image: GrayImage, toAtMost limit: Int) -> GrayImage {
    let longest = max(image.width, image.height)
    guard longest > limit else { return image }
    let factor = (longest + limit - 1) / limit
    let width = (image.width + factor - 1) / factor
    let height = (image.height + factor - 1) / factor
    var pixels = [Float](repeating: 0, count: width * height)
    for row in 0..<height {
        for column in 0..<width {
            var sum: Float = 0
            var count = 0
            for y in (row * factor)..<min((row + 1) * factor, image.height) {
                for x in (column * factor)..<min((column + 1) * factor, image.width) {
                    let value = image.pixels[y * image.width + x]
                    if value.isFinite {
                        sum += value
                        count += 1
                    }
                }
            }
            pixels[row * width + column] = count > 0 ? sum / Float(count) : .nan
        }
    }
    return GrayImage(width: width, height: height, pixels: pixels)
}
