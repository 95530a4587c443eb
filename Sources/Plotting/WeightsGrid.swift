/// The most units ``weightsGrid(kernel:units:output:)`` draws (8x8).
public let maxWeightUnits = 64

/// The first Dense layer's kernel as one 28x28 picture per unit: unit `j`
/// is column `j` of the kernel, `kernel[i * units + j]` for input pixel `i`
/// (Keras's `(784, units)` layout, row-major). A diverging palette centred
/// at 0 -- blue negative, white 0, red positive -- over the symmetric range
/// `[-m, m]`, `m` the largest magnitude shown, stated in the title.
///
/// Up to ``maxWeightUnits`` units; a wider layer shows its first 64 and the
/// title says so. Cells are 90x106 pixels.
public func weightsGrid(
    kernel: [Float], units: Int, title: String = "first-layer weights", output: PlotOutput
) throws(PlottingError) -> GnuplotScript {
    let inputs = digitSide * digitSide
    guard units > 0, kernel.count == inputs * units else {
        throw .wrongKernelSize(count: kernel.count, inputs: inputs, units: units)
    }
    let shown = min(units, maxWeightUnits)
    var panels: [ImagePanel] = []
    var largest: Float = 0
    for unit in 0..<shown {
        let column = (0..<inputs).map { kernel[$0 * units + unit] }
        for weight in column where weight.isFinite { largest = max(largest, weight.magnitude) }
        panels.append(ImagePanel(pixels: column, caption: "unit \(unit)", highlighted: false))
    }
    let range = largest > 0 ? NumberFormat.significant(Double(largest), 3) : "1"
    let which = shown < units ? "first \(shown) of \(units) units" : "\(units) unit\(units == 1 ? "" : "s")"
    let fullTitle = "\(title) (\(which); blue < 0 < red, range ±\(range))"
    var writer = imageGrid(
        title: fullTitle, panels: panels, output: output, cellWidth: 90, cellHeight: 106,
        palette: ["set palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')", "set cbrange [-\(range):\(range)]"])
    appendPanels(panels, to: &writer)
    writer.finish()
    return writer.script(output: output)
}
