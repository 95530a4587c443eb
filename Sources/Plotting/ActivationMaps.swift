/// One layer's output for one example, as pictures: a convolution or
/// pooling layer's channels (one `width`x`height` map each), the input
/// digit (one 28x28 map), or a Dense layer's units as a strip (a single
/// map of height 1).
public struct FeatureMaps: Sendable, Equatable {
    /// The heading above the maps, e.g. `conv2d (Conv2D) 26x26x32, relu`.
    public var label: String
    public var width: Int
    public var height: Int
    /// One map per channel, `width * height` values each, row-major from the top-left.
    public var maps: [[Float]]

    public init(label: String, width: Int, height: Int, maps: [[Float]]) {
        self.label = label
        self.width = width
        self.height = height
        self.maps = maps
    }

    /// The values of `channel` of an NHWC output of `height`x`width`x`channels` values.
    public static func channel(_ channel: Int, of values: [Float], width: Int, height: Int, channels: Int) -> [Float] {
        (0..<(width * height)).map { values[$0 * channels + channel] }
    }
}

/// The most maps ``activationMaps(title:layers:output:)`` draws per layer (8x8).
public let maxMapsPerLayer = 64

/// The most units of a Dense layer's strip.
public let maxStripUnits = 512

/// Feature maps layer by layer, top to bottom: each layer's heading, then
/// its maps in rows of small framed pictures (36 to 72 pixels), or its strip of
/// units (a row of cells, numbered below when there are at most 16, as for
/// the class probabilities). Grey, white for the layer's lowest value (or
/// 0, whichever is lower) to black for its highest, one range per layer
/// so layers with small values still show.
///
/// At most ``maxMapsPerLayer`` maps and ``maxStripUnits`` units per layer;
/// a heading says when some are left out. The image is 960 pixels wide.
public func activationMaps(title: String, layers: [FeatureMaps], output: PlotOutput) throws(PlottingError)
    -> GnuplotScript
{
    guard !layers.isEmpty else { throw .noImages }
    for layer in layers
    where layer.width <= 0 || layer.height <= 0 || layer.maps.isEmpty
        || layer.maps.contains(where: { $0.count != layer.width * layer.height })
    {
        throw .wrongMapSize(
            layer: layer.label, valueCount: layer.maps.map(\.count).reduce(0, +), width: layer.width, height: layer.height)
    }
    let width = 960, margin = 10, gap = 4, titleBand = 36, labelBand = 24, sectionGap = 10
    var sections: [Section] = []
    var y = titleBand
    for layer in layers {
        var section = Section(layer: layer, top: y)
        if layer.height == 1 && layer.maps.count == 1 {
            let units = min(layer.width, maxStripUnits)
            section.shown = 1
            section.strip = units
            section.cellWidth = min(width - 2 * margin, units * 40)
            section.cellHeight = 24
            section.columns = 1
            section.rows = 1
            section.ticBand = (2...16).contains(units) ? 16 : 0
        } else {
            section.shown = min(layer.maps.count, maxMapsPerLayer)
            let longer = max(layer.width, layer.height)
            let cell = longer >= 20 ? 72 : longer >= 10 ? 52 : 36
            section.cellWidth = max(1, cell * layer.width / longer)
            section.cellHeight = max(1, cell * layer.height / longer)
            section.columns = max(1, min(section.shown, (width - 2 * margin + gap) / (section.cellWidth + gap)))
            section.rows = (section.shown + section.columns - 1) / section.columns
        }
        y += labelBand + section.rows * (section.cellHeight + gap) + section.ticBand + sectionGap
        sections.append(section)
    }
    let height = y + margin
    var writer = ScriptWriter.file(output, width: width, height: height, description: title)
    writer.blank()
    var block = 0
    for section in sections {
        let layer = section.layer
        for index in 0..<section.shown {
            let values = section.strip > 0 ? Array(layer.maps[0].prefix(section.strip)) : layer.maps[index]
            let w = section.strip > 0 ? section.strip : layer.width
            let h = section.strip > 0 ? 1 : layer.height
            let drawn = atLeastTwoByTwo(values, width: w, height: h)
            let twice = drawn.width != w || drawn.height != h ? " (a single row or column written twice)" : ""
            writer.line("# \(comment(layer.label)), map \(index): \(h) rows of \(w)\(twice)")
            writer.matrixDatablock("d\(block)", values: drawn.values, width: drawn.width)
            block += 1
        }
    }
    writer.blank()
    writer.line("unset key")
    writer.line("unset colorbox")
    writer.line("unset tics")
    writer.line("# A light frame, so that a map of zeros still shows where it is.")
    writer.line("set border 15 lw 0.5 lc rgb '#bbbbbb'")
    writer.line("set palette gray negative")
    writer.line("set multiplot")
    writer.line("set label 1 \(quoted(title)) at screen 0.5,\(screen(height - 20, of: height)) center \(writer.font(12))")
    block = 0
    for section in sections {
        let layer = section.layer
        let values =
            section.strip > 0 ? Array(layer.maps[0].prefix(section.strip)) : layer.maps.prefix(section.shown).flatMap { $0 }
        let finite = values.filter(\.isFinite)
        let low = min(0, finite.min() ?? 0)
        var high = finite.max() ?? 1
        if high <= low { high = low + 1 }
        let leftOut =
            section.strip > 0
            ? (section.strip < layer.width ? " (first \(section.strip) of \(layer.width) units)" : "")
            : (section.shown < layer.maps.count ? " (first \(section.shown) of \(layer.maps.count) maps)" : "")
        writer.line("# \(comment(layer.label))")
        writer.line(
            "set label 2 \(quoted(layer.label + leftOut)) at screen \(screen(margin, of: width)),\(screen(height - section.top - 12, of: height)) left \(writer.font(10))"
        )
        writer.line("set cbrange [\(NumberFormat.significant(Double(low), 4)):\(NumberFormat.significant(Double(high), 4))]")
        let w = max(section.strip > 0 ? section.strip : layer.width, 2)
        let h = max(section.strip > 0 ? 1 : layer.height, 2)
        writer.line("set xrange [-0.5:\(w - 1).5]")
        writer.line("set yrange [\(h - 1).5:-0.5]")
        if section.ticBand > 0 {
            writer.line("set xtics 1 scale 0 \(writer.font(8)) offset 0,0.3 textcolor rgb 'black'")
        }
        for index in 0..<section.shown {
            let column = index % section.columns, row = index / section.columns
            let x0 = margin + column * (section.cellWidth + gap)
            let y0 = section.top + labelBand + row * (section.cellHeight + gap)
            writer.line("set lmargin at screen \(screen(x0, of: width))")
            writer.line("set rmargin at screen \(screen(x0 + section.cellWidth, of: width))")
            writer.line("set tmargin at screen \(screen(height - y0, of: height))")
            writer.line("set bmargin at screen \(screen(height - y0 - section.cellHeight, of: height))")
            writer.line("plot $d\(block) matrix \(writer.image(values: w * h))")
            if block == 0 { writer.line("unset label 1") }
            if index == 0 { writer.line("unset label 2") }
            block += 1
        }
        if section.ticBand > 0 { writer.line("unset xtics") }
    }
    writer.line("unset multiplot")
    writer.finish()
    return writer.script(output: output)
}

/// Where one layer's maps go, in pixels from the top of the image.
private struct Section {
    var layer: FeatureMaps
    var top: Int
    var shown = 0
    /// Units of a Dense strip (0 for maps).
    var strip = 0
    var cellWidth = 0
    var cellHeight = 0
    var columns = 1
    var rows = 1
    var ticBand = 0
}
