/// Side length of an MNIST digit; images handed to grids are 28x28.
public let digitSide = 28

/// A 28x28 digit with the caption drawn above it.
public struct DigitImage: Sendable, Equatable {
    /// 784 ink intensities, row-major from the top-left, MNIST convention:
    /// 0 is paper (drawn white), 1 is ink (drawn black).
    public var pixels: [Float]
    /// Text above the image, e.g. `7 (true 7)`.
    public var caption: String
    /// Whether the prediction was wrong: the caption and frame are red.
    public var isMistake: Bool

    /// A captioned digit.
    public init(pixels: [Float], caption: String, isMistake: Bool = false) {
        self.pixels = pixels
        self.caption = caption
        self.isMistake = isMistake
    }
}

/// The most images one grid holds (10x10).
public let maxGridImages = 100

/// A near-square grid of captioned digits (25 -> 5x5, 16 -> 4x4, 10 ->
/// 3x4), for `show predictions N` and `show mistakes N`: each digit upright
/// as dark ink on white, mistakes captioned and framed in red.
///
/// Each cell is 110x136 pixels; at most ``maxGridImages`` images.
public func digitGrid(title: String, images: [DigitImage], output: PlotOutput) throws(PlottingError) -> GnuplotScript {
    guard !images.isEmpty else { throw .noImages }
    guard images.count <= maxGridImages else { throw .tooManyImages(count: images.count, limit: maxGridImages) }
    for (index, image) in images.enumerated() where image.pixels.count != digitSide * digitSide {
        throw .wrongImageSize(index: index, pixelCount: image.pixels.count, width: digitSide, height: digitSide)
    }
    let panels = images.map { ImagePanel(pixels: $0.pixels, caption: $0.caption, highlighted: $0.isMistake) }
    var writer = imageGrid(
        title: title, panels: panels, output: output, cellWidth: 110, cellHeight: 136,
        palette: ["set palette gray negative", "set cbrange [0:1]"])
    appendPanels(panels, to: &writer)
    writer.finish()
    return writer.script(output: output)
}

/// One 28x28 picture of a grid, with its caption.
struct ImagePanel {
    var pixels: [Float]
    var caption: String
    var highlighted: Bool
}

/// The header, datablocks and common settings (then the `palette` lines)
/// of a grid of `side`x`side` images (28x28 digits unless told), up to
/// `set multiplot`; the caller goes on with ``appendPanels(_:to:)``.
func imageGrid(
    title: String, panels: [ImagePanel], output: PlotOutput, cellWidth: Int, cellHeight: Int, palette: [String],
    side: Int = digitSide
) -> ScriptWriter {
    let (rows, columns) = gridLayout(count: panels.count)
    // Pixels: a band for the title, then per row a caption line above
    // each image; the caption of row r sits in the spacing below row r-1.
    // The canvas is widened for a title longer than the grid (about 8
    // pixels a character at 12 points); the images then stay centred.
    let titleBand = 36, captionBand = 20
    let width = max(columns * cellWidth + 20, printable(title).count * 8 + 40)
    let height = rows * cellHeight + titleBand + 10
    var writer = ScriptWriter.file(output, width: width, height: height, description: title)
    writer.blank()
    for (index, panel) in panels.enumerated() {
        writer.line("# \(comment(panel.caption)): \(side) rows of \(side), top row first")
        writer.matrixDatablock("d\(index)", values: panel.pixels, width: side)
    }
    writer.blank()
    writer.line("unset key")
    writer.line("unset colorbox")
    writer.line("unset tics")
    writer.line("unset border")
    writer.line("set size ratio -1")
    writer.line("set xrange [-0.5:\(side - 1).5]")
    writer.line("# Row 0 of the data is the top row of the picture.")
    writer.line("set yrange [\(side - 1).5:-0.5]")
    for line in palette { writer.line(line) }
    let left = screen(10, of: width), right = screen(width - 10, of: width)
    let bottom = screen(10, of: height), top = screen(height - titleBand - captionBand, of: height)
    let xSpacing = screen(10, of: width), ySpacing = screen(captionBand + 12, of: height)
    writer.line(
        "set multiplot layout \(rows),\(columns) title \(quoted(title)) \(writer.font(12)) margins \(left),\(right),\(bottom),\(top) spacing \(xSpacing),\(ySpacing)"
    )
    return writer
}

/// One `plot` per panel, highlighted ones with a red caption and frame.
func appendPanels(_ panels: [ImagePanel], to writer: inout ScriptWriter) {
    for (index, panel) in panels.enumerated() {
        if panel.highlighted {
            writer.line("set title \(quoted(panel.caption)) offset 0,-0.6 textcolor rgb '#d62728'")
            writer.line("set border 15 lw 2 lc rgb '#d62728'")
        } else {
            writer.line("set title \(quoted(panel.caption)) offset 0,-0.6 textcolor rgb 'black'")
            writer.line("unset border")
        }
        writer.line("plot $d\(index) matrix \(writer.image(values: panel.pixels.count))")
    }
    writer.line("unset multiplot")
}

/// `pixels` as a fraction of `total`, for screen coordinates.
func screen(_ pixels: Int, of total: Int) -> String {
    NumberFormat.significant(Double(pixels) / Double(total), 4)
}
