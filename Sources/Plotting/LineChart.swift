/// One named curve of per-epoch values, like a Keras `History` entry
/// (`loss`, `val_loss`, `accuracy`, ...). Value `i` belongs to epoch `i + 1`.
public struct Series: Sendable, Equatable {
    /// The name shown in the key, e.g. `val_loss`.
    public var label: String
    /// One value per epoch; NaN or infinite values leave a gap.
    public var values: [Double]

    /// A series named `label`.
    public init(label: String, values: [Double]) {
        self.label = label
        self.values = values
    }
}

/// Colours of successive series (matplotlib's `tab10`): blue, orange, green, red, purple.
let seriesColors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]

/// Training curves per epoch as a PNG/SVG script: every series drawn with
/// points and lines (lines only past 40 epochs) against epochs 1...n, with
/// a key; `show loss` and
/// `show accuracy` pass the training series first and the validation one
/// (if any) second.
///
/// Size 800x500 pixels. The key sits at the top right when the first
/// series falls (a loss) and at the bottom right when it rises (an
/// accuracy), away from the curves.
///
/// `keyAtTop` places the key at the top (true) or bottom (false) right
/// whatever the first series does: a comparison of runs knows whether its
/// metric falls (a loss) or rises (an accuracy) better than any one run.
public func lineChart(
    title: String, xLabel: String = "epoch", yLabel: String, series: [Series], output: PlotOutput, keyAtTop: Bool? = nil
) throws(PlottingError) -> GnuplotScript {
    try validate(series)
    var writer = ScriptWriter.file(output, width: 800, height: 500, description: title)
    writer.blank()
    appendCurves(
        to: &writer, title: title, xLabel: xLabel, yLabel: yLabel, series: series, colored: true, keyAtTop: keyAtTop)
    writer.finish()
    return writer.script(output: output)
}

/// The same chart as ``lineChart(title:xLabel:yLabel:series:output:)`` for
/// a terminal: gnuplot's `dumb` terminal, `columns` x `lines` characters,
/// written to standard output (which begins with a form feed). Draws with
/// letters (`A`, `B`, ...) instead of colours.
public func lineChartPreview(
    title: String, xLabel: String = "epoch", yLabel: String, series: [Series], columns: Int = 80, lines: Int = 24,
    keyAtTop: Bool? = nil
) throws(PlottingError) -> GnuplotScript {
    try validate(series)
    guard columns >= 20, lines >= 8 else { throw .invalidPreviewSize(columns: columns, lines: lines) }
    var writer = ScriptWriter.terminal(columns: columns, lines: lines, description: title)
    writer.blank()
    appendCurves(
        to: &writer, title: title, xLabel: xLabel, yLabel: yLabel, series: series, colored: false, keyAtTop: keyAtTop)
    return writer.script(output: nil)
}

/// Throws unless there is at least one non-empty series and one finite value.
private func validate(_ series: [Series]) throws(PlottingError) {
    guard !series.isEmpty else { throw .noSeries }
    for one in series where one.values.isEmpty { throw .emptySeries(label: one.label) }
    guard series.contains(where: { $0.values.contains(where: \.isFinite) }) else { throw .noFiniteValues }
}

/// The settings, datablocks and `plot` command shared by both terminals.
private func appendCurves(
    to writer: inout ScriptWriter, title: String, xLabel: String, yLabel: String, series: [Series], colored: Bool,
    keyAtTop: Bool?
) {
    let epochs = series.map(\.values.count).max() ?? 1
    writer.line("set title \(quoted(title))\(colored ? " " + writer.font(12) : "")")
    writer.line("set xlabel \(quoted(xLabel))")
    writer.line("set ylabel \(quoted(yLabel))")
    writer.line("set xrange [0.5:\(epochs).5]")
    writer.line("set xtics \(epochStep(epochs))")
    if colored { writer.line("set grid lc rgb '#dddddd'") }
    // A key's last line loses what hangs below the baseline (the `_` of val_loss)
    // to the box unless the lines have some room: spacing 1.2, height 0.5.
    let top = keyAtTop ?? !rising(series[0].values)
    writer.line("set key \(top ? "top" : "bottom") right\(colored ? " box opaque spacing 1.2 height 0.5" : "")")
    writer.blank()
    for (index, one) in series.enumerated() {
        writer.line("# \(comment(one.label)): epoch, value")
        let rows = one.values.enumerated().map { "\($0.offset + 1) \(NumberFormat.significant($0.element))" }
        writer.datablock("series\(index)", rows: rows)
    }
    writer.blank()
    // Past 40 epochs the points would merge into a thick line: lines only.
    let with = epochs <= 40 ? "with linespoints" : "with lines"
    let plots = series.indices.map { index in
        let style =
            colored
            ? "\(with) lw 2\(epochs <= 40 ? " pt 7 ps 0.8" : "") lc rgb '\(seriesColors[index % seriesColors.count])'"
            : with
        return "$series\(index) using 1:2 \(style) title \(quoted(series[index].label))"
    }
    writer.line("plot " + plots.joined(separator: ", \\\n     "))
}

/// A tic step giving at most about 10 labelled epochs: 1, 2, 5, 10, 20, 50, ...
func epochStep(_ epochs: Int) -> Int {
    var step = 1
    while epochs / step > 10 { step = nextNiceStep(step) }
    return step
}

/// 1 -> 2 -> 5 -> 10 -> 20 -> 50 -> 100 ...
private func nextNiceStep(_ step: Int) -> Int {
    var decade = 1
    while decade * 10 <= step { decade *= 10 }
    switch step / decade {
    case 1: return 2 * decade
    case 2: return 5 * decade
    default: return 10 * decade
    }
}

/// Whether the last finite value exceeds the first (an accuracy rather than a loss).
private func rising(_ values: [Double]) -> Bool {
    let finite = values.filter(\.isFinite)
    guard let first = finite.first, let last = finite.last else { return false }
    return last > first
}
