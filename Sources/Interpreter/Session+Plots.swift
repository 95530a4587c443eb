import Datasets
import Engine
import Language
import Plotting

/// `show loss|accuracy|predictions|mistakes|confusion|weights`: plots written
/// as `PLOTS/NAME.gp` and rendered to `PLOTS/NAME.png` when gnuplot is there.
extension Session {
    func plotLossOrAccuracy(_ metric: String, invocation: Invocation) throws(Diagnostic) {
        guard !state.history.isEmpty else {
            throw Diagnostic("nothing to plot yet: the history is empty (run `fit` first)", at: invocation.wholeSpan)
        }
        let history = state.history
        let training = metric == "loss" ? history.map(\.loss) : history.map(\.accuracy)
        var series = [Series(label: metric, values: training)]
        let validation = history.map { metric == "loss" ? $0.validationLoss : $0.validationAccuracy }
        if validation.contains(where: { $0 != nil }) {
            series.append(Series(label: "val_\(metric)", values: validation.map { $0 ?? .nan }))
        }
        let title = metric == "loss" ? "training and validation loss" : "training and validation accuracy"
        let script = try plotting(invocation) { output throws(PlottingError) in
            try lineChart(title: title, yLabel: metric, series: series, output: output)
        }
        var preview: String?
        if wantsPreviews, let chart = try? lineChartPreview(title: title, yLabel: metric, series: series),
            case .text(let text) = host.preview(chart)
        {
            preview = text
        }
        try publish(script, preview: preview, invocation: invocation)
    }

    /// A grid of the first `count` test digits, titled with prediction and truth; wrong ones in red.
    func plotPredictions(count: Int, invocation: Invocation) throws(Diagnostic) {
        let (data, predictions) = try testPredictions(for: invocation)
        let shown = min(count, data.test.count)
        let images = (0..<shown).map { index in
            let predicted = predictions.classes[index]
            let truth = Int(data.test.labels[index])
            return DigitImage(
                pixels: pixels(of: data.test, at: index),
                caption: predicted == truth ? "\(predicted)" : "\(predicted) (true \(truth))",
                isMistake: predicted != truth)
        }
        let wrong = images.filter(\.isMistake).count
        let script = try plotting(invocation, name: "predictions") { output throws(PlottingError) in
            try digitGrid(title: "predictions on the first \(shown) test digits", images: images, output: output)
        }
        emit(.text("predictions on the first \(shown) test digits: \(shown - wrong) right, \(wrong) wrong"))
        try publish(
            script, preview: wantsPreviews ? try? blockCharacterImage(Array(images.prefix(8))) : nil, invocation: invocation)
    }

    /// The `count` most confident wrong predictions on the test set.
    func plotMistakes(count: Int, invocation: Invocation) throws(Diagnostic) {
        let (data, predictions) = try testPredictions(for: invocation)
        let wrong = (0..<data.test.count).filter { predictions.classes[$0] != Int(data.test.labels[$0]) }
        let ranked = wrong.sorted { predictions.confidence[$0] > predictions.confidence[$1] }.prefix(count)
        guard !ranked.isEmpty else {
            emit(.text("no mistakes on the \(NumberFormat.grouped(data.test.count)) test digits"))
            return
        }
        let images = ranked.map { index in
            DigitImage(
                pixels: pixels(of: data.test, at: index),
                caption:
                    "\(predictions.classes[index]) (true \(data.test.labels[index])) \(Int((predictions.confidence[index] * 100).rounded()))%",
                isMistake: true)
        }
        let script = try plotting(invocation, name: "mistakes") { output throws(PlottingError) in
            try digitGrid(title: "the \(images.count) most confident mistakes", images: images, output: output)
        }
        emit(
            .text(
                "\(NumberFormat.grouped(wrong.count)) of \(NumberFormat.grouped(data.test.count)) test digits are wrong; "
                    + "showing the \(images.count) most confident"))
        try publish(
            script, preview: wantsPreviews ? try? blockCharacterImage(Array(images.prefix(8))) : nil, invocation: invocation)
    }

    /// The confusion matrix of the test set (10x10 for digits), as a table and a heatmap.
    func plotConfusion(invocation: Invocation) throws(Diagnostic) {
        let (data, predictions) = try testPredictions(for: invocation)
        let classes = state.model?.model.architecture.classes ?? 10
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for index in 0..<data.test.count {
            let truth = Int(data.test.labels[index])
            if truth < classes { counts[truth][predictions.classes[index]] += 1 }
        }
        var rows = [["true\\pred"] + (0..<classes).map(String.init)]
        for (truth, row) in counts.enumerated() { rows.append([String(truth)] + row.map(String.init)) }
        emit(.text(textTable(rows, rightAligned: Set(0...classes))))
        let script = try plotting(invocation, name: "confusion") { output throws(PlottingError) in
            try confusionHeatmap(counts: counts, title: "confusion matrix (test set)", output: output)
        }
        try publish(script, preview: nil, invocation: invocation)
    }

    /// The first layer's units as 28x28 pictures; a convnet's first-layer filters (see `plotFilters`).
    func plotWeights(invocation: Invocation) throws(Diagnostic) {
        let model = try requireModel(for: invocation)
        if let spec = model.architecture.stack.first?.kind(Conv2DLayer.self) {
            return try plotFilters(model, spec, invocation: invocation)
        }
        guard let first = model.architecture.stack.first?.kind(DenseLayer.self), model.architecture.inputShape == [784] else {
            throw Diagnostic(
                "show weights draws a first dense layer on 784 flat inputs; this model's first layer is "
                    + "\(model.architecture.layerNames.first ?? "none") on \(Architecture.shapeText(model.architecture.inputShape))",
                at: invocation.wholeSpan)
        }
        let kernel = Array(model.parameters[model.parameterRanges(layer: 0).kernel])
        let script = try plotting(invocation, name: "weights") { output throws(PlottingError) in
            try weightsGrid(kernel: kernel, units: first.units, title: "first-layer weights", output: output)
        }
        try publish(script, preview: nil, invocation: invocation)
    }

    // MARK: - Shared pieces

    /// Predicted class and its probability for every test image.
    private func testPredictions(
        for invocation: Invocation
    ) throws(Diagnostic) -> (LoadedData, (classes: [Int], confidence: [Float])) {
        let model = try requireModel(for: invocation)
        let data = try requireData(for: invocation)
        let examples = try examples("test", for: invocation)
        let probabilities: [Float]
        do {
            probabilities = try model.predict(examples)
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
        let classes = model.architecture.classes
        guard classes > 0, probabilities.count == examples.count * classes else {
            throw Diagnostic(
                "the model returned \(probabilities.count) probabilities for \(examples.count) digits", at: invocation.verb.span)
        }
        var predicted = [Int](repeating: 0, count: examples.count)
        var confidence = [Float](repeating: 0, count: examples.count)
        for row in 0..<examples.count {
            var best = 0
            for column in 1..<classes where probabilities[row * classes + column] > probabilities[row * classes + best] {
                best = column
            }
            predicted[row] = best
            confidence[row] = probabilities[row * classes + best]
        }
        return (data, (predicted, confidence))
    }

    /// Image `index` as intensities in [0, 1] (1 = ink), as the plots draw digits.
    private func pixels(of set: ImageSet, at index: Int) -> [Float] {
        let size = set.rows * set.cols
        return set.pixels[(index * size)..<((index + 1) * size)].map { Float($0) / 255 }
    }

    /// Builds a script named after the topic, in the session's format, turning plotting errors into diagnostics.
    func plotting(
        _ invocation: Invocation, name: String? = nil, _ make: (PlotOutput) throws(PlottingError) -> GnuplotScript
    ) throws(Diagnostic) -> GnuplotScript {
        do {
            let output = try PlotOutput(
                name: name ?? invocation.subcommand ?? "plot",
                format: PlotFormat(rawValue: state.settings.plotFormat) ?? .png)
            return try make(output)
        } catch {
            throw Diagnostic(error.description, at: invocation.wholeSpan)
        }
    }

    /// Writes the script, renders it, and reports the files.
    func publish(_ script: GnuplotScript, preview: String?, invocation: Invocation) throws(Diagnostic) {
        let directory = resolve(state.settings.plotsDirectory)
        switch host.render(script, in: directory) {
        case .rendered(let scriptPath, let image):
            tellWherePlotsGo(directory, example: scriptPath)
            emit(.plot(script: display(scriptPath), image: display(image), preview: preview))
        case .scriptOnly(let scriptPath):
            tellWherePlotsGo(directory, example: scriptPath)
            emit(.plot(script: display(scriptPath), image: nil, preview: preview))
        case .failed(let scriptPath, let message):
            let place = scriptPath.map { " (\(display($0)))" } ?? ""
            throw Diagnostic("the plot could not be rendered\(place): \(message)", at: invocation.wholeSpan)
        }
    }

    /// Says once per folder and session where plots go: a folder appears
    /// beside the notebook, and in Jupyter nothing else names it.
    private func tellWherePlotsGo(_ directory: String, example script: String) {
        guard frontEnd.tellsWherePlotsGo, toldPlotFolders.insert(directory).inserted else { return }
        let shown = display(directory)
        let place = shown == directory ? "" : " (\(directory))"
        emit(
            .text(
                "plots go to \(shown.hasSuffix("/") ? shown : shown + "/")\(place): each image with a gnuplot script that draws it again,\n"
                    + "e.g. gnuplot \(display(script)); set plots=DIR puts them elsewhere"))
    }

    /// A path under the working directory, shown relative to it.
    func display(_ path: String) -> String {
        let prefix =
            environment.currentDirectory.hasSuffix("/")
            ? environment.currentDirectory : environment.currentDirectory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
