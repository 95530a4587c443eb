/// The filters of a Conv2D layer as `kernelSize`x`kernelSize` pictures,
/// one per filter: filter `f`'s pixel `(y, x)` is the kernel's
/// `kernel[((y * K + x) * C + c) * F + f]` (Keras's HWIO layout,
/// row-major), summed over the `C` input channels (one channel for MNIST,
/// so then it is the weight itself). Rows top first.
///
/// Throws ``PlottingError/wrongFilterKernelSize(count:kernelSize:inputChannels:filters:)``
/// unless the sizes are positive and `kernel.count == K * K * C * F`.
public func convolutionFilters(
    kernel: [Float], kernelSize: Int, inputChannels: Int, filters: Int
) throws(PlottingError) -> [[Float]] {
    let (k, c, f) = (kernelSize, inputChannels, filters)
    var expected = 1
    for factor in [k, k, c, f] {
        let (product, overflow) = expected.multipliedReportingOverflow(by: factor)
        guard factor > 0, !overflow else { expected = -1; break }
        expected = product
    }
    guard expected == kernel.count else {
        throw .wrongFilterKernelSize(count: kernel.count, kernelSize: k, inputChannels: c, filters: f)
    }
    return (0..<f).map { filter in
        (0..<(k * k)).map { pixel in
            (0..<c).reduce(Float(0)) { sum, channel in sum + kernel[(pixel * c + channel) * f + filter] }
        }
    }
}

/// The first Conv2D layer's filters (see ``convolutionFilters(kernel:kernelSize:inputChannels:filters:)``)
/// in a near-square grid of `K`x`K` pictures captioned `filter 0`, `filter
/// 1`, ...: a diverging palette centred at 0 -- blue negative, white 0,
/// red positive -- over the symmetric range `[-m, m]`, `m` the largest
/// magnitude shown, stated in the title.
///
/// Up to ``maxWeightUnits`` filters; a layer with more shows its first 64
/// and the title says so. Cells are 80x96 pixels.
public func filterGrid(
    kernel: [Float], kernelSize: Int, inputChannels: Int, filters: Int, title: String = "first convolution layer's filters",
    output: PlotOutput
) throws(PlottingError) -> GnuplotScript {
    let images = try convolutionFilters(
        kernel: kernel, kernelSize: kernelSize, inputChannels: inputChannels, filters: filters)
    let shown = min(filters, maxWeightUnits)
    var panels: [ImagePanel] = []
    var largest: Float = 0
    for filter in 0..<shown {
        for weight in images[filter] where weight.isFinite { largest = max(largest, weight.magnitude) }
        let pixels = atLeastTwoByTwo(images[filter], width: kernelSize, height: kernelSize).values
        panels.append(ImagePanel(pixels: pixels, caption: "filter \(filter)", highlighted: false))
    }
    let range = largest > 0 ? NumberFormat.significant(Double(largest), 3) : "1"
    let which = shown < filters ? "first \(shown) of \(filters) filters" : "\(filters) filter\(filters == 1 ? "" : "s")"
    let summed = inputChannels > 1 ? ", summed over \(inputChannels) input channels" : ""
    let fullTitle =
        "\(title) (\(which) \(kernelSize)x\(kernelSize)\(summed); blue < 0 < red, range ±\(range))"
    var writer = imageGrid(
        title: fullTitle, panels: panels, output: output, cellWidth: 80, cellHeight: 96,
        palette: ["set palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')", "set cbrange [-\(range):\(range)]"],
        side: max(kernelSize, 2))
    appendPanels(panels, to: &writer)
    writer.finish()
    return writer.script(output: output)
}
