import Engine
import Language
import Plotting

/// `show runs`, `show compare [metric=...]` and `show lr`: every fit of the
/// session is a run, kept across `build` and `load model`, so runs of
/// different optimizers or architectures can be set side by side.
extension Session {
    /// One row per run: its model, optimizer and options, epochs, best
    /// val_loss and val_accuracy with their epochs, and test accuracy once evaluated.
    func runsTable(for invocation: Invocation) throws(Diagnostic) -> String {
        guard !state.runs.isEmpty else {
            throw Diagnostic("no runs yet: every `fit` is a run (name one with fit ... name=NAME)", at: invocation.wholeSpan)
        }
        var rows = [
            [
                "run", "name", "model", "optimizer", "options", "epochs", "best val_loss", "best val_accuracy",
                "test accuracy",
            ]
        ]
        for run in state.runs {
            let validated = run.epochs.enumerated().compactMap { index, metrics in
                metrics.validationLoss.map { (epoch: index + 1, loss: $0, accuracy: metrics.validationAccuracy ?? 0) }
            }
            // The first epoch of the best value, as Keras's callbacks keep it.
            let bestLoss = validated.reduce(nil) { best, next in best.map { next.loss < $0.loss ? next : $0 } ?? next }
            let bestAccuracy = validated.reduce(nil) { best, next in
                best.map { next.accuracy > $0.accuracy ? next : $0 } ?? next
            }
            rows.append([
                String(run.number), run.name, run.model, run.optimizer, run.options,
                String(run.epochs.count) + (run.ending.map { " (\($0))" } ?? ""),
                bestLoss.map { "\(NumberFormat.fixed($0.loss, 4)) (epoch \($0.epoch))" } ?? "-",
                bestAccuracy.map { "\(NumberFormat.fixed($0.accuracy, 4)) (epoch \($0.epoch))" } ?? "-",
                run.testAccuracy.map { NumberFormat.fixed($0, 4) } ?? "-",
            ])
        }
        return textTable(rows, rightAligned: [0, 5, 8])
    }

    /// One curve per run of `metric` against its epochs, with a key of the runs' names.
    func plotComparison(_ metric: String, invocation: Invocation) throws(Diagnostic) {
        guard !state.runs.isEmpty else {
            throw Diagnostic("nothing to compare yet: every `fit` is a run", at: invocation.wholeSpan)
        }
        let rule = MonitorRule(monitor: metric, mode: "auto", minDelta: 0)
        var series: [Series] = []
        var left: [String] = []
        for run in state.runs {
            let values = run.epochs.map { rule.value(in: $0) }
            guard values.contains(where: { $0 != nil }) else {
                left.append(run.name)
                continue
            }
            series.append(Series(label: run.name, values: values.map { $0 ?? .nan }))
        }
        guard !series.isEmpty else {
            throw Diagnostic(
                "no run has \(metric): fit with validation=0.2, or show compare metric=\(metric.dropFirst(4))",
                at: invocation.span(of: ShowCommand.metric) ?? invocation.wholeSpan)
        }
        if !left.isEmpty {
            emit(.text("left out (no \(metric)): " + left.joined(separator: ", ")))
        }
        let title = "\(metric) of \(series.count) run\(series.count == 1 ? "" : "s")"
        let script = try plotting(invocation, name: "compare-\(metric)") { output throws(PlottingError) in
            try lineChart(title: title, yLabel: metric, series: series, output: output, keyAtTop: !rule.higherIsBetter)
        }
        let preview = previewChart(title: title, yLabel: metric, series: series, keyAtTop: !rule.higherIsBetter)
        try publish(script, preview: preview, invocation: invocation)
    }

    /// The learning rate of every epoch of the history (`show history`'s learning_rate).
    func plotLearningRate(invocation: Invocation) throws(Diagnostic) {
        guard !state.history.isEmpty else {
            throw Diagnostic("nothing to plot yet: the history is empty (run `fit` first)", at: invocation.wholeSpan)
        }
        let series = [Series(label: "learning_rate", values: state.history.map(\.learningRate))]
        let title = "learning rate per epoch"
        let script = try plotting(invocation, name: "lr") { output throws(PlottingError) in
            try lineChart(title: title, yLabel: "learning_rate", series: series, output: output)
        }
        try publish(script, preview: previewChart(title: title, yLabel: "learning_rate", series: series), invocation: invocation)
    }

    /// The terminal's text chart of the same curves, when the front end wants previews.
    private func previewChart(title: String, yLabel: String, series: [Series], keyAtTop: Bool? = nil) -> String? {
        guard wantsPreviews,
            let chart = try? lineChartPreview(title: title, yLabel: yLabel, series: series, keyAtTop: keyAtTop),
            case .text(let text) = host.preview(chart)
        else { return nil }
        return text
    }
}
