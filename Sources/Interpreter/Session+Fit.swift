import Engine
import Language

extension Session {
    /// `fit epochs=10 batch=32 validation=0.2 optimizer=adam ...`.
    func fit(_ command: Command) throws(Diagnostic) {
        _ = try expectWords(command, atMost: 0, usage: CommandSpecs.fit.usage)
        let options = try self.options(command)
        let model = try requireModel(for: command)
        let data = try requireData(for: command)
        guard model.architecture.inputWidth == data.width else {
            throw Diagnostic(
                "the model takes \(model.architecture.inputWidth) features but the data has \(data.width): build a new model",
                at: command.verb.span)
        }
        let optimizer = try chooseOptimizer(options, current: model.optimizerState?.optimizer, command: command)
        let fraction = options.number("validation") ?? 0
        // Keras's validation_split, as views of the same pixels: nothing is copied.
        let all = try examples(of: data.train, in: data, for: command, forTraining: true)
        let training: Examples
        let validation: Examples?
        do {
            (training, validation) = try all.splitForValidation(fraction)
        } catch {
            throw Diagnostic(error.description, at: options.span("validation") ?? command.verb.span)
        }
        let configuration = FitConfiguration(
            epochs: options.integer("epochs") ?? 1, batchSize: options.integer("batch") ?? 32,
            shuffle: options.boolean("shuffle") ?? true,
            seed: options.integer("seed").map { UInt64($0) } ?? state.settings.seed)

        // As in Keras, a new learning rate for the same optimizer keeps its
        // moments and step count; another kind (or other slots) starts afresh.
        let previousOptimizer = model.optimizerState?.optimizer
        if let current = previousOptimizer, current.name == optimizer.name, current.slotCount == optimizer.slotCount {
            model.optimizerState?.optimizer = optimizer
        }
        let isInterrupted = self.isInterrupted
        var lastDrawn = -1.0
        let result: FitResult
        do {
            result = try model.fit(
                training, validation: validation, optimizer: optimizer, configuration: configuration,
                onBatch: { progress in
                    // Redraw the live bar at most ~20 times a second.
                    if progress.step == progress.steps || progress.elapsed - lastDrawn >= 0.05 {
                        lastDrawn = progress.elapsed
                        self.emit(.progress(Self.progressBar(progress)))
                    }
                    return !isInterrupted()
                },
                onEpoch: { metrics in
                    lastDrawn = -1
                    self.emit(.text(Self.epochLine(metrics)))
                })
        } catch {
            if let previousOptimizer { model.optimizerState?.optimizer = previousOptimizer }
            throw Diagnostic(error.description, at: command.verb.span)
        }
        state.history += result.epochs
        state.modelNormalization = data.normalization
        state.lastValidationFraction = fraction
        if let stopped = result.stoppedAt {
            recordedSource = Self.replayableFit(command, finishedEpochs: result.epochs.count, stopped: stopped)
            emit(
                .text(
                    "stopped by Ctrl-C at epoch \(stopped.epoch)/\(configuration.epochs), step \(stopped.step): "
                        + "the weights are kept, and the history has \(result.epochs.count) finished epoch(s) more"))
        }
    }

    /// A stopped fit is saved as the epochs it finished, with a comment: the
    /// updates of the unfinished epoch cannot be replayed exactly.
    static func replayableFit(_ command: Command, finishedEpochs: Int, stopped: (epoch: Int, step: Int)) -> String {
        let note = "# stopped by Ctrl-C at epoch \(stopped.epoch), step \(stopped.step); "
        guard finishedEpochs > 0 else { return note + "no epoch finished, so nothing to replay" }
        var options = command.options.filter { $0.key.text != "epochs" }.map { option in
            let value = option.value.text
            return "\(option.key.text)=" + (value.contains(" ") || value.isEmpty ? "\"\(value)\"" : value)
        }
        options.insert("epochs=\(finishedEpochs)", at: 0)
        return note + "replaying the \(finishedEpochs) finished epoch(s) only\n"
            + (["fit"] + options).joined(separator: " ")
    }

    private func chooseOptimizer(
        _ options: OptionValues, current: Optimizer?, command: Command
    ) throws(Diagnostic) -> Optimizer {
        let name = options.text("optimizer") ?? current?.name ?? "rmsprop"
        let learningRate = options.number("lr").map { Float($0) }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw Diagnostic(
                "lr=\(options.number("lr") ?? 0) is too small for 32-bit weights (smallest: \(Float.leastNormalMagnitude))",
                at: options.span("lr") ?? command.verb.span)
        }
        let momentum = Float(options.number("momentum") ?? 0)
        if options.has("nesterov"), name != "sgd" {
            throw Diagnostic("nesterov= goes with optimizer=sgd", at: options.span("nesterov") ?? command.verb.span)
        }
        if options.has("momentum"), name == "adam" {
            throw Diagnostic(
                "adam has no momentum= (its beta1 plays that part); use sgd or rmsprop",
                at: options.span("momentum") ?? command.verb.span)
        }
        // Without new settings, keep the current optimizer so its state carries on.
        if let current, current.name == name, learningRate == nil, !options.has("momentum"),
            !options.has("nesterov")
        {
            return current
        }
        switch name {
        case "sgd":
            return .sgd(
                learningRate: learningRate ?? 0.01, momentum: momentum, nesterov: options.boolean("nesterov") ?? false)
        case "adam":
            return .adam(learningRate: learningRate ?? 0.001)
        default:
            return .rmsprop(learningRate: learningRate ?? 0.001, momentum: momentum)
        }
    }

    /// `Epoch 1/10 - 1500/1500 - 0.31s - loss: 0.2876 - accuracy: 0.9183 - val_loss: ... - val_accuracy: ...`
    static func epochLine(_ metrics: EpochMetrics) -> String {
        var line =
            "Epoch \(metrics.epoch)/\(metrics.epochs) - \(metrics.steps)/\(metrics.steps) - \(Formatting.seconds(metrics.seconds))"
            + " - loss: \(Formatting.fixed(metrics.loss, 4)) - accuracy: \(Formatting.fixed(metrics.accuracy, 4))"
        if let loss = metrics.validationLoss, let accuracy = metrics.validationAccuracy {
            line += " - val_loss: \(Formatting.fixed(loss, 4)) - val_accuracy: \(Formatting.fixed(accuracy, 4))"
        }
        return line
    }

    /// Keras's live bar: `Epoch 3/10  812/1500 [=========>..........] 0.2s - loss: 0.1234 - accuracy: 0.9612`.
    static func progressBar(_ progress: BatchProgress) -> String {
        let width = 30
        let done = progress.steps > 0 ? progress.step * width / progress.steps : width
        let bar =
            String(repeating: "=", count: max(0, done - 1)) + (done < width ? ">" : "=")
            + String(repeating: ".", count: width - max(done, 1))
        let stepWidth = String(progress.steps).count
        let step = String(repeating: " ", count: max(0, stepWidth - String(progress.step).count)) + String(progress.step)
        return "Epoch \(progress.epoch)/\(progress.epochs)  \(step)/\(progress.steps) [\(bar)] "
            + "\(Formatting.seconds(progress.elapsed)) - loss: \(Formatting.fixed(progress.loss, 4))"
            + " - accuracy: \(Formatting.fixed(progress.accuracy, 4))"
    }
}
