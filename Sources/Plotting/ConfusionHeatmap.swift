/// A confusion matrix as a heatmap: true class down the y axis (0 at the
/// top), predicted class along the x axis (0 at the left), every cell's
/// count printed in it (white on dark cells, black on light ones), and the
/// accuracy -- the diagonal over the total, 4 decimals -- in the title:
/// `TITLE (accuracy 0.9753)`.
///
/// `counts[t][p]` is the number of samples of true class `t` predicted as
/// `p`; any square size works (10x10 for digits). Size 620x560 pixels.
public func confusionHeatmap(
    counts: [[Int]], title: String = "confusion matrix", output: PlotOutput
) throws(PlottingError) -> GnuplotScript {
    let classes = counts.count
    guard classes > 0, counts.allSatisfy({ $0.count == classes }) else {
        throw .confusionMatrixNotSquare(rows: classes, columns: counts.map(\.count))
    }
    for (t, row) in counts.enumerated() {
        for (p, count) in row.enumerated() where count < 0 {
            throw .negativeCount(trueClass: t, predictedClass: p, count: count)
        }
    }
    let total = counts.reduce(0) { $0 + $1.reduce(0, +) }
    guard total > 0 else { throw .noSamples }
    let correct = (0..<classes).reduce(0) { $0 + counts[$1][$1] }
    let accuracy = NumberFormat.fixed(Double(correct) / Double(total), 4)
    let largest = counts.map { $0.max() ?? 0 }.max() ?? 0
    let fullTitle = "\(title) (accuracy \(accuracy))"

    var writer = ScriptWriter.file(output, width: 620, height: 560, description: fullTitle)
    writer.blank()
    writer.line("# counts: row = true class (0 first), column = predicted class")
    writer.datablock("counts", rows: counts.map { $0.map(String.init).joined(separator: " ") })
    writer.line("# labels: predicted, true, count, text colour (24-bit RGB)")
    var labels: [String] = []
    for (t, row) in counts.enumerated() {
        for (p, count) in row.enumerated() {
            // Dark cells (above half the largest count) get white text.
            let color = 2 * count > largest ? 0xFFFFFF : 0x000000
            labels.append("\(p) \(t) \(count) \(color)")
        }
    }
    writer.datablock("labels", rows: labels)
    writer.blank()
    writer.line("set title \(quoted(fullTitle)) \(writer.font(12))")
    writer.line("set xlabel 'predicted'")
    writer.line("set ylabel 'true'")
    writer.line("set size ratio -1")
    writer.line("set xrange [-0.5:\(classes - 1).5]")
    writer.line("# True class 0 at the top, as in Keras / scikit-learn displays.")
    writer.line("set yrange [\(classes - 1).5:-0.5]")
    writer.line("set xtics 1 scale 0")
    writer.line("set ytics 1 scale 0")
    writer.line("set cbrange [0:\(max(largest, 1))]")
    writer.line("set cblabel 'count'")
    writer.line("set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')")
    writer.line("unset key")
    writer.line("plot $counts matrix \(writer.image(values: classes * classes)), \\")
    writer.line("     $labels using 1:2:3:4 with labels textcolor rgb variable")
    writer.finish()
    return writer.script(output: output)
}
