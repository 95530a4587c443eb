import Engine
import Language
import Plotting

/// `fit epochs=10 batch=32 validation=0.2 optimizer=adam ...`: its declaration.
enum FitCommand {
    /// Keras's default optimizer.
    static let defaultOptimizer = "rmsprop"

    static let epochs = Option("epochs", .integer(1...100_000), default: 1, "passes over the training data")
    static let batch = Option("batch", .integer(1...1_000_000), default: 32, "samples per gradient step")
    static let validation = Option(
        "validation", .number(0...0.99, exclusiveLower: false), default: 0.0, "fraction held out for validation")
    static let optimizer = Option<String?>(
        "optimizer", .choice(OptimizerRegistry.names), default: nil,
        note: "rmsprop as in Keras, or the model's current one", "the update rule")
    static let learningRate = Option<Double?>(
        "lr", .number(0...10, exclusiveLower: true), default: nil,
        note: OptimizerRegistry.names.map { "\(OptimizerRegistry.defaultLearningRate($0).map { "\($0)" } ?? "") \($0)" }
            .joined(separator: ", "),
        "learning rate")
    /// The optimizers' own options (momentum=, nesterov=), as each optimizer declares them.
    static let optimizerOptions = OptimizerRegistry.options.map { BuildCommand.optionSpec($0.option) }
    static let shuffle = Option("shuffle", .boolean, default: true, "reshuffle the training data every epoch")
    static let seed = Option<Int?>(
        "seed", .integer(0...Int.max), default: nil, note: "the session seed, see set seed=N", "shuffling seed")

    // Augmentation: its defaults are the engine's, declared once in `Augmentation()`.
    static let augment = Option(
        "augment", .boolean, default: false,
        "random shifts, rotations, zoom, shear and elastic distortion of every training image, redrawn per batch (image models)")
    static let shift = Option(
        "shift", .number(0...0.99, exclusiveLower: false), default: Augmentation().translation,
        "with augment=on: largest shift, a fraction of the height and width (Keras's RandomTranslation)")
    static let rotate = Option(
        "rotate", .number(0...0.5, exclusiveLower: false), default: Augmentation().rotation,
        "with augment=on: largest rotation, a fraction of a full turn (Keras's RandomRotation)")
    static let zoom = Option(
        "zoom", .number(0...0.99, exclusiveLower: false), default: Augmentation().zoom,
        "with augment=on: largest zoom in or out, a fraction of the size (Keras's RandomZoom)")
    static let zoomWidth = Option<Double?>(
        "zoom_width", .number(0...0.99, exclusiveLower: false), default: Augmentation().widthZoom,
        note: "the height's scale: the aspect kept",
        "with augment=on: largest zoom of the width alone, drawn apart from zoom= (RandomZoom's width_factor)")
    static let shearX = Option(
        "shear_x", .number(0...1, exclusiveLower: false), default: Augmentation().shearX,
        "with augment=on: largest slant, each row moved sideways by F times its distance from the centre (RandomShear's x_factor)"
    )
    static let shearY = Option(
        "shear_y", .number(0...1, exclusiveLower: false), default: Augmentation().shearY,
        "with augment=on: largest vertical shear, each column moved by F times its distance from the centre (RandomShear's y_factor)"
    )
    static let elastic = Option(
        "elastic", .number(0...1, exclusiveLower: false), default: Augmentation().elastic,
        "with augment=on: largest strength of a smooth random distortion (RandomElasticTransform's scale)")
    static let augmentOptions = [shift.name, rotate.name, zoom.name, zoomWidth.name, shearX.name, shearY.name, elastic.name]

    // Training controls (see FitCallbacks for the callback groups).
    static let weightDecay = Option(
        "weight_decay", .number(0...10, exclusiveLower: false), default: 0.0,
        "Keras 3's decoupled weight decay, p -= p·weight_decay·lr before each update (AdamW with adam)")
    static let labelSmoothing = Option(
        "label_smoothing", .number(0...1, exclusiveLower: false), default: 0.0,
        "CategoricalCrossentropy's: targets onehot·(1 − F) + F/classes in the training loss")
    static let name = Option<String?>(
        "name", .text, default: nil, note: "run N", "the run's name in show runs and show compare")

    static let spec = CommandSpec(
        name: "fit",
        usage:
            "fit [epochs=N] [batch=N] [validation=F] [optimizer=\(OptimizerRegistry.names.joined(separator: "|"))] [lr=F] ... "
            + "[, early_stopping ...] [, reduce_lr ...] [, checkpoint FILE ...] [, schedule KIND ...]",
        summary: "train the model, with a progress line per epoch; callbacks after commas",
        details: """
            validation=F holds out the last fraction F of the training data before shuffling (Keras's
            validation_split). The training data is reshuffled every epoch from the seed. A second fit
            continues from the current weights and optimizer state.
            \(FrontEnd.stopPlaceholder) stops after the current batch and keeps the weights and the finished epochs.
            augment=on trains a model on images (one whose first layer works on images) on randomly
            shifted, rotated, zoomed, sheared and elastically distorted copies of each batch (shear and
            elastic distortion off unless asked for), drawn from the seed; validation, evaluate and predict
            see the images as they are.
            Callbacks follow fit's options, each after a comma, with Keras's names and defaults:
            early_stopping (EarlyStopping), reduce_lr (ReduceLROnPlateau), checkpoint FILE
            (ModelCheckpoint, written as save model writes) and schedule exponential|cosine|piecewise
            (a LearningRateSchedule as the optimizer's learning_rate, starting from lr=, evaluated at every
            step). Every fit is a run (name=NAME, else run N): show runs lists them, show compare draws
            their curves, show lr the learning rate per epoch. A later fit of the same model carries on
            its schedule (unless lr= or optimizer= changes) and a reduce_lr with the same settings.
            """,
        groups: FitCallbacks.groups,
        groupNoun: "callback",
        groupsAfterComma: true,
        options: [
            epochs.spec, batch.spec, validation.spec, optimizer.spec, learningRate.spec,
        ] + optimizerOptions + [
            shuffle.spec, seed.spec, augment.spec, shift.spec, rotate.spec, zoom.spec, zoomWidth.spec, shearX.spec,
            shearY.spec, elastic.spec, weightDecay.spec, labelSmoothing.spec, name.spec,
        ],
        examples: [
            "fit epochs=10 batch=32 validation=0.2 optimizer=adam", "fit epochs=5 optimizer=sgd lr=0.1 momentum=0.9",
            "fit epochs=15 batch=128 optimizer=adam augment=on rotate=0.03",
            "fit epochs=60 validation=0.2 optimizer=adam, early_stopping patience=3 restore_best_weights=true, "
                + "reduce_lr factor=0.5 patience=2, checkpoint best.safetensors",
        ])

    static let entry = CommandEntry(spec: spec, handler: Session.fit)
}

extension Session {
    /// Trains a copy of the model (see `ModelValue`), which becomes the
    /// session's only when training ends: stopped by Ctrl-C (or Jupyter's
    /// interrupt), it keeps the epochs it finished.
    func fit(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        var value = try modelValue(for: invocation)
        let data = try requireData(for: invocation)
        guard value.model.architecture.inputWidth == data.width else {
            throw Diagnostic(
                "the model takes \(value.model.architecture.inputWidth) features but the data has \(data.width): build a new model",
                at: invocation.verb.span)
        }
        let fraction = invocation[FitCommand.validation]
        var controls = try TrainingControls(invocation, hasValidation: fraction > 0)
        let runName = try self.runName(for: invocation)
        let optimizer = try chooseOptimizer(invocation, current: value.model.optimizerState?.optimizer)
        let schedule = try chooseSchedule(invocation, controls, optimizer: optimizer, carried: value.carried)
        if let plateau = controls.plateau, let carried = value.carried.plateau, carried.hasSettings(of: plateau) {
            controls.plateau = carried
        }
        // Keras's validation_split, as views of the same pixels: nothing is copied.
        let all = try examples(of: data.train, in: data, for: invocation, forTraining: true)
        let training: Examples
        let validation: Examples?
        do {
            (training, validation) = try all.splitForValidation(fraction)
        } catch {
            throw Diagnostic(error.description, at: invocation.span(of: FitCommand.validation) ?? invocation.verb.span)
        }
        let configuration = FitConfiguration(
            epochs: invocation[FitCommand.epochs], batchSize: invocation[FitCommand.batch],
            shuffle: invocation[FitCommand.shuffle],
            seed: invocation[FitCommand.seed].map { UInt64($0) } ?? state.settings.seed,
            augmentation: try augmentation(invocation, for: value.model.architecture), schedule: schedule,
            weightDecay: Float(invocation[FitCommand.weightDecay]),
            labelSmoothing: Float(invocation[FitCommand.labelSmoothing]))
        let isInterrupted = self.isInterrupted
        var lastDrawn = -1.0
        let result: FitResult
        var callbacks = EpochCallbacks(controls: controls, history: state.history, scaling: data.scaling, origin: data.origin)
        do {
            let model = try value.forTraining()
            result = try model.fit(
                training, validation: validation, optimizer: optimizer, configuration: configuration,
                onBatch: { progress in
                    let goOn = !isInterrupted()
                    // Redraw the live bar at most ~20 times a second, and where
                    // an interrupt stops it (the step its message names).
                    if !goOn || progress.step == progress.steps || progress.elapsed - lastDrawn >= 0.05 {
                        lastDrawn = progress.elapsed
                        self.emit(.progress(Self.progressBar(progress)))
                    }
                    return goOn
                },
                control: { metrics in
                    lastDrawn = -1
                    self.emit(.text(Self.epochLine(metrics, withRate: controls.plateau != nil)))
                    return callbacks.epochEnded(metrics, model: model, session: self, schedule: schedule)
                })
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
        if let failure = callbacks.failure { throw failure }
        try finishCallbacks(&callbacks, value: &value, interrupted: result.stoppedAt != nil, at: invocation.verb.span)
        value.carried.schedule = schedule
        value.carried.plateau = callbacks.controls.plateau
        state.history += result.epochs
        state.modelScaling = data.scaling
        state.lastValidationFraction = fraction
        value.carried.run = recordRun(
            runName, invocation: invocation, model: value.model, optimizer: optimizer, schedule: schedule, result: result,
            earlyStop: callbacks.controls.earlyStopping?.stoppedEpoch)
        state.model = value
        guard let stopped = result.stoppedAt else { return .done }
        let kept =
            result.epochs.isEmpty
            ? "no epoch finished, so the history is as it was"
            : "the history has \(counted(result.epochs.count, "more epoch"))"
        return Outcome(
            recordedSource: Self.replayableFit(
                invocation.command, finishedEpochs: result.epochs.count, stopped: stopped, by: frontEnd),
            stoppedNote: "\(frontEnd.stoppedBy) at epoch \(stopped.epoch)/\(configuration.epochs), step \(stopped.step): "
                + "the weights are kept, and \(kept)")
    }

    /// A stopped fit is saved as the epochs it finished, with a comment: the
    /// updates of the unfinished epoch cannot be replayed exactly.
    /// Its callbacks are kept, but not restore_best_weights: the weights
    /// kept are those of the stop, as in Keras (no train end on an interrupt).
    static func replayableFit(
        _ command: Command, finishedEpochs: Int, stopped: (epoch: Int, step: Int), by frontEnd: FrontEnd = .prompt
    ) -> String {
        let note = "# \(frontEnd.stoppedBy) at epoch \(stopped.epoch), step \(stopped.step); "
        guard finishedEpochs > 0 else { return note + "no epoch finished, so nothing to replay" }
        func written(_ word: Word) -> String {
            let text = word.text
            guard word.quoted || text.contains(" ") || text.contains(",") || text.isEmpty else { return text }
            return "\"" + text.replacingQuotesAndBackslashes() + "\""
        }
        // Words, commas and options back in the order they were written.
        var pieces: [(start: SourceLocation, text: String, isComma: Bool)] = command.items.map { item in
            switch item {
            case .word(let word): (word.span.start, written(word), false)
            case .comma(let span): (span.start, ",", true)
            }
        }
        for option in command.options
        where option.key.text != FitCommand.epochs.name && option.key.text != FitCallbacks.restoreBestWeights.name {
            pieces.append((option.key.span.start, "\(option.key.text)=\(written(option.value))", false))
        }
        pieces.sort { ($0.start.line, $0.start.column) < ($1.start.line, $1.start.column) }
        var line = "fit \(FitCommand.epochs.name)=\(finishedEpochs)"
        for piece in pieces { line += piece.isComma ? "," : " " + piece.text }
        return note + "replaying the \(counted(finishedEpochs, "finished epoch")) only\n" + line
    }

    /// The optimizer=, with its options; without new settings, the current
    /// optimizer (so its state carries on).
    private func chooseOptimizer(_ invocation: Invocation, current: Optimizer?) throws(Diagnostic) -> Optimizer {
        let name = invocation[FitCommand.optimizer] ?? current?.name ?? FitCommand.defaultOptimizer
        guard let defaultRate = OptimizerRegistry.defaultLearningRate(name) else {
            throw Diagnostic("unknown optimizer '\(name)'", at: invocation.verb.span)
        }
        let learningRate = invocation[FitCommand.learningRate].map { Float($0) }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw Diagnostic(
                "lr=\(invocation[FitCommand.learningRate] ?? 0) is too small for 32-bit weights (smallest: \(Float.leastNormalMagnitude))",
                at: invocation.span(of: FitCommand.learningRate) ?? invocation.verb.span)
        }
        let own = OptimizerRegistry.optionNames(name)
        var values: [String: ArgumentValue] = [:]
        for (option, optimizers) in OptimizerRegistry.options {
            guard let given = invocation.command.option(option.name) else { continue }
            guard own.contains(option.name) else {
                let homes = optimizers.map { "optimizer=\($0)" }
                throw Diagnostic("\(option.name)= goes with \(homes.joined(separator: " or "))", at: given.key.span)
            }
            if let value = invocation.givenOption(option.name) { values[option.name] = BuildCommand.argumentValue(value) }
        }
        if let current, current.name == name, learningRate == nil, values.isEmpty { return current }
        guard
            let optimizer = Optimizer(
                name: name, learningRate: learningRate ?? defaultRate, options: ArgumentValues(values))
        else { throw Diagnostic("unknown optimizer '\(name)'", at: invocation.verb.span) }
        return optimizer
    }

    /// augment=on with its factors; shift=, rotate=, zoom= and the others without it are refused.
    private func augmentation(_ invocation: Invocation, for architecture: Architecture) throws(Diagnostic) -> Augmentation? {
        guard invocation[FitCommand.augment] else {
            for option in FitCommand.augmentOptions {
                guard let given = invocation.command.option(option) else { continue }
                throw Diagnostic("\(option)= goes with augment=on", at: given.key.span)
            }
            return nil
        }
        guard architecture.inputShape.count == 3 else {
            throw Diagnostic(
                "augment=on moves pixels of images, but this model takes \(architecture.inputWidth) flat features: "
                    + "build one that starts with " + BuildCommand.imageLayerWords,
                at: invocation.span(of: FitCommand.augment) ?? invocation.verb.span)
        }
        return Augmentation(
            translation: invocation[FitCommand.shift], rotation: invocation[FitCommand.rotate], zoom: invocation[FitCommand.zoom],
            widthZoom: invocation[FitCommand.zoomWidth], shearX: invocation[FitCommand.shearX],
            shearY: invocation[FitCommand.shearY], elastic: invocation[FitCommand.elastic])
    }

    /// `Epoch 1/10 - 1500/1500 - 0.31s - loss: 0.2876 - accuracy: 0.9183 - val_loss: ... - val_accuracy: ...`,
    /// and `- learning_rate: ...` when reduce_lr logs it (as Keras's ReduceLROnPlateau adds it to the logs).
    static func epochLine(_ metrics: EpochMetrics, withRate: Bool) -> String {
        let line = epochLine(metrics)
        return withRate ? line + " - learning_rate: \(NumberFormat.kerasLog(metrics.learningRate))" : line
    }

    static func epochLine(_ metrics: EpochMetrics) -> String {
        var line =
            "Epoch \(metrics.epoch)/\(metrics.epochs) - \(metrics.steps)/\(metrics.steps) - \(NumberFormat.seconds(metrics.seconds))"
            + " - loss: \(NumberFormat.fixed(metrics.loss, 4)) - accuracy: \(NumberFormat.fixed(metrics.accuracy, 4))"
        if let loss = metrics.validationLoss, let accuracy = metrics.validationAccuracy {
            line += " - val_loss: \(NumberFormat.fixed(loss, 4)) - val_accuracy: \(NumberFormat.fixed(accuracy, 4))"
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
            + "\(NumberFormat.seconds(progress.elapsed)) - loss: \(NumberFormat.fixed(progress.loss, 4))"
            + " - accuracy: \(NumberFormat.fixed(progress.accuracy, 4))"
    }
}
