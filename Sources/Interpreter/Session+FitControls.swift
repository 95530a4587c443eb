import Engine
import Language
import Plotting

/// What a model's next fit carries on: its schedule (counted in the
/// optimizer's iterations, which the model keeps), its plateau, and the run
/// that trained it last (for the test accuracy `evaluate` adds to it).
struct CarriedTraining {
    var schedule: LearningRateSchedule?
    var plateau: PlateauState?
    /// Index into `SessionState.runs`.
    var run: Int?

    init() {}
}

/// One fit of the session: `show runs` and `show compare` read these.
struct Run {
    var number: Int
    var name: String
    /// The model as `build` describes it (`784 → 128 relu → 10 softmax`).
    var model: String
    /// The optimizer with its rate and momentum.
    var optimizer: String
    /// The other settings that shape the curves: batch, schedule, decay, smoothing, callbacks.
    var options: String
    var epochs: [EpochMetrics]
    /// How it ended, when not after all its epochs: "early stop", "Ctrl-C".
    var ending: String?
    /// Set by `evaluate` (the test set) while this run's weights are the model's.
    var testAccuracy: Double?
}

/// The callbacks' state through one fit, and what they could not do.
struct EpochCallbacks {
    var controls: TrainingControls
    /// The session's history and this fit's epochs, for a checkpoint's figures.
    var history: [EpochMetrics]
    let scaling: InputScaling?
    let origin: String
    /// A checkpoint that could not be written: the fit stops and fails with it.
    var failure: Diagnostic?

    init(controls: TrainingControls, history: [EpochMetrics], scaling: InputScaling?, origin: String) {
        self.controls = controls
        self.history = history
        self.scaling = scaling
        self.origin = origin
    }

    /// After an epoch (the model's weights and optimizer state are that
    /// epoch's): Keras's callbacks in the order EarlyStopping,
    /// ReduceLROnPlateau, ModelCheckpoint.
    mutating func epochEnded(
        _ metrics: EpochMetrics, model: Model, session: Session, schedule: LearningRateSchedule?
    ) -> EpochControl {
        history.append(metrics)
        var control = EpochControl()
        if var early = controls.earlyStopping {
            control.stop = early.epochEnded(metrics.epoch - 1, metrics) {
                ModelWeights(parameters: model.parameters, state: model.state)
            }
            controls.earlyStopping = early
        }
        if var plateau = controls.plateau {
            if let rate = plateau.epochEnded(metrics, rate: Float(metrics.learningRate)) {
                control.learningRate = Float(rate)
                session.emit(.text("Epoch \(metrics.epoch): ReduceLROnPlateau reducing learning rate to \(rate)."))
            }
            controls.plateau = plateau
        }
        if var checkpoint = controls.checkpoint {
            let (save, message) = checkpoint.epochEnded(metrics.epoch, metrics)
            controls.checkpoint = checkpoint
            if save {
                do throws(Diagnostic) {
                    var carried = CarriedTraining()
                    carried.schedule = schedule
                    carried.plateau = controls.plateau
                    try session.writeCheckpoint(
                        model, to: checkpoint.file, history: history, scaling: scaling, origin: origin, carried: carried)
                    session.emit(.text(message))
                } catch {
                    failure = error
                    control.stop = true
                }
            }
        }
        return control
    }
}

extension Session {
    /// `name=` (unique among the runs), else `run N`.
    func runName(for invocation: Invocation) throws(Diagnostic) -> String {
        guard let name = invocation[FitCommand.name] else { return "run \(state.runs.count + 1)" }
        if let existing = state.runs.first(where: { $0.name == name }) {
            throw Diagnostic(
                "a run named '\(name)' exists already (run \(existing.number)): give this one another name",
                at: invocation.span(of: FitCommand.name) ?? invocation.verb.span)
        }
        return name
    }

    /// The schedule group's, from the optimizer's rate; or the one the
    /// model carries, when this fit keeps its optimizer as it is.
    func chooseSchedule(
        _ invocation: Invocation, _ controls: TrainingControls, optimizer: Optimizer, carried: CarriedTraining
    ) throws(Diagnostic) -> LearningRateSchedule? {
        if let group = controls.schedule {
            if group.text("KIND") == "piecewise", let given = invocation.command.option(FitCommand.learningRate.name) {
                throw Diagnostic(
                    "schedule piecewise takes its rates from values=: leave out lr=", at: given.key.span)
            }
            return try TrainingControls.schedule(group, rate: optimizer.learningRate)
        }
        let keepsOptimizer =
            !invocation.has(FitCommand.learningRate) && !invocation.has(FitCommand.optimizer)
            && OptimizerRegistry.options.allSatisfy { invocation.command.option($0.option.name) == nil }
        return keepsOptimizer ? carried.schedule : nil
    }

    /// ModelCheckpoint's write: the file `save model` writes, atomically.
    func writeCheckpoint(
        _ model: Model, to file: Word, history: [EpochMetrics], scaling: InputScaling?, origin: String,
        carried: CarriedTraining
    ) throws(Diagnostic) {
        let bytes = try modelFileBytes(
            model, history: history, scaling: scaling ?? .scale, origin: origin, carried: carried, for: file)
        do {
            try host.write(bytes, to: resolve(file.text), newFileMode: 0o644, creatingFolders: true)
        } catch {
            throw Diagnostic("checkpoint: " + error.message(naming: file.text), at: file.span)
        }
    }

    /// EarlyStopping's train end: Keras's two lines, and the best weights
    /// back when asked (not after Ctrl-C: Keras's train end never comes then).
    func finishCallbacks(
        _ callbacks: inout EpochCallbacks, value: inout ModelValue, interrupted: Bool, at span: SourceSpan
    ) throws(Diagnostic) {
        guard let early = callbacks.controls.earlyStopping else { return }
        if let stopped = early.stoppedEpoch { emit(.text("Epoch \(stopped): early stopping")) }
        guard !interrupted, early.restoreBestWeights, let best = early.bestWeights else { return }
        emit(.text("Restoring model weights from the end of the best epoch: \(early.bestEpoch + 1)."))
        do {
            try value.replaceWeights(with: best)
        } catch {
            throw Diagnostic(error.description, at: span)
        }
    }

    /// Adds the fit to the runs; returns its index.
    func recordRun(
        _ name: String, invocation: Invocation, model: Model, optimizer: Optimizer, schedule: LearningRateSchedule?,
        result: FitResult, earlyStop: Int?
    ) -> Int {
        var optimizerText = "\(optimizer.name) lr=\(NumberFormat.significant(Double(optimizer.learningRate), 4))"
        // The optimizer's own options as written (momentum=0.9 nesterov=true).
        for key in OptimizerRegistry.optionNames(optimizer.name) {
            if let given = invocation.command.option(key) { optimizerText += " \(key)=\(given.value.text)" }
        }
        var options = ["batch=\(invocation[FitCommand.batch])"]
        if let schedule { options.append(schedule.name) }
        if invocation[FitCommand.weightDecay] > 0 {
            options.append("weight_decay=\(NumberFormat.significant(invocation[FitCommand.weightDecay], 4))")
        }
        if invocation[FitCommand.labelSmoothing] > 0 {
            options.append("label_smoothing=\(NumberFormat.significant(invocation[FitCommand.labelSmoothing], 4))")
        }
        if invocation[FitCommand.augment] { options.append("augment") }
        options += invocation.groups.filter { $0.kind.text != FitCallbacks.Kind.schedule.rawValue }.map(\.kind.text)
        let ending = result.stoppedAt != nil ? "Ctrl-C" : earlyStop.map { _ in "early stop" }
        state.runs.append(
            Run(
                number: state.runs.count + 1, name: name, model: BuildCommand.shapeLine(model.architecture),
                optimizer: optimizerText, options: options.joined(separator: " "), epochs: result.epochs, ending: ending))
        return state.runs.count - 1
    }
}

extension String {
    /// `\` and `"` escaped, as inside a quoted word.
    func replacingQuotesAndBackslashes() -> String {
        var result = ""
        for character in self {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}

/// The schedule and the plateau in a model file's metadata, as `key=value`
/// words, so that `load model` resumes them as it resumes the optimizer.
extension CarriedTraining {
    static let scheduleKey = "learning_rate_schedule"
    static let plateauKey = "reduce_lr"

    var metadata: [String: String] {
        var result: [String: String] = [:]
        switch schedule {
        case .exponential(let initial, let steps, let rate, let staircase)?:
            result[Self.scheduleKey] =
                "exponential initial=\(initial) decay_steps=\(steps) decay_rate=\(rate) staircase=\(staircase)"
        case .cosine(let initial, let steps, let alpha, let warmup, let target)?:
            result[Self.scheduleKey] =
                "cosine initial=\(initial) decay_steps=\(steps) alpha=\(alpha) warmup_steps=\(warmup)"
                + (target.map { " warmup_target=\($0)" } ?? "")
        case .piecewise(let boundaries, let values)?:
            result[Self.scheduleKey] =
                "piecewise boundaries=\(boundaries.map(String.init).joined(separator: ",")) "
                + "values=\(values.map { "\($0)" }.joined(separator: ","))"
        case nil: break
        }
        if let plateau {
            let rule = plateau.rule
            result[Self.plateauKey] =
                "monitor=\(rule.monitor) mode=\(rule.higherIsBetter ? "max" : "min") min_delta=\(rule.minDelta) "
                + "factor=\(plateau.factor) patience=\(plateau.patience) cooldown=\(plateau.cooldown) "
                + "min_lr=\(plateau.minLR) wait=\(plateau.wait) cooldown_counter=\(plateau.cooldownCounter)"
                + (plateau.best.map { " best=\($0)" } ?? "")
        }
        return result
    }

    /// What `metadata` wrote; a value it cannot read is left out (the model loads without it).
    init(metadata: [String: String]) {
        func words(_ text: String) -> (first: String, values: [String: String]) {
            let parts = text.split(separator: " ").map(String.init)
            var values: [String: String] = [:]
            for part in parts {
                let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { values[pair[0]] = pair[1] }
            }
            return (parts.first ?? "", values)
        }
        if let text = metadata[Self.scheduleKey] {
            let (kind, v) = words(text)
            let initial = v["initial"].flatMap { Float($0) }
            let steps = v["decay_steps"].flatMap { Int($0) }
            var schedule: LearningRateSchedule?
            switch kind {
            case "exponential":
                if let initial, let steps, let rate = v["decay_rate"].flatMap({ Double($0) }),
                    let staircase = v["staircase"].flatMap({ Bool($0) })
                {
                    schedule = .exponential(initial: initial, decaySteps: steps, decayRate: rate, staircase: staircase)
                }
            case "cosine":
                if let initial, let steps, let alpha = v["alpha"].flatMap({ Double($0) }),
                    let warmup = v["warmup_steps"].flatMap({ Int($0) })
                {
                    schedule = .cosine(
                        initial: initial, decaySteps: steps, alpha: alpha, warmupSteps: warmup,
                        warmupTarget: v["warmup_target"].flatMap { Float($0) })
                }
            case "piecewise":
                let boundaries = v["boundaries"].map { $0.split(separator: ",").compactMap { Int($0) } }
                let values = v["values"].map { $0.split(separator: ",").compactMap { Float($0) } }
                if let boundaries, let values { schedule = .piecewise(boundaries: boundaries, values: values) }
            default: break
            }
            if let candidate = schedule, (try? candidate.validate()) != nil { self.schedule = candidate }
        }
        if let text = metadata[Self.plateauKey] {
            let v = words(text).values
            if let monitor = v["monitor"], FitCallbacks.monitors.contains(monitor), let mode = v["mode"],
                let minDelta = v["min_delta"].flatMap({ Double($0) }), let factor = v["factor"].flatMap({ Double($0) }),
                factor > 0, factor < 1, let patience = v["patience"].flatMap({ Int($0) }),
                let cooldown = v["cooldown"].flatMap({ Int($0) }), let minLR = v["min_lr"].flatMap({ Double($0) }),
                let wait = v["wait"].flatMap({ Int($0) }), let counter = v["cooldown_counter"].flatMap({ Int($0) })
            {
                plateau = PlateauState(
                    rule: MonitorRule(monitor: monitor, mode: mode, minDelta: minDelta), factor: factor,
                    patience: patience, cooldown: cooldown, minLR: minLR, best: v["best"].flatMap { Double($0) },
                    wait: wait, cooldownCounter: counter)
            }
        }
    }
}
