import Engine
import Language
import ModelFormats
import Plotting

/// `fit`'s callbacks, each a comma-separated group after fit's own options,
/// with Keras's names and defaults: `early_stopping` (EarlyStopping),
/// `reduce_lr` (ReduceLROnPlateau), `checkpoint FILE` (ModelCheckpoint) and
/// `schedule KIND` (a LearningRateSchedule given as the learning rate).
enum FitCallbacks {
    /// What a callback may watch: the figures every epoch logs.
    static let monitors = ["val_loss", "val_accuracy", "loss", "accuracy"]

    static let monitor = Option("monitor", .choice(monitors), default: "val_loss", "the figure watched")
    static let mode = Option(
        "mode", .choice(["auto", "min", "max"]), default: "auto",
        "min: lower is better, max: higher; auto: max for accuracies, min for losses")

    // EarlyStopping
    static let stopPatience = Option(
        "patience", .integer(0...1_000_000), default: 0, "epochs without improvement before stopping")
    static let stopMinDelta = Option(
        "min_delta", .number(0...Double.infinity, exclusiveLower: false), default: 0.0,
        "smallest change that counts as an improvement")
    static let restoreBestWeights = Option(
        "restore_best_weights", .boolean, default: false, "end with the weights of the best epoch")
    static let startFromEpoch = Option(
        "start_from_epoch", .integer(0...1_000_000), default: 0, "epochs to wait before watching")

    // ReduceLROnPlateau
    static let factor = Option(
        "factor", .number(0...1, exclusiveLower: true), default: 0.1, "new rate = rate · factor (below 1)")
    static let plateauPatience = Option(
        "patience", .integer(0...1_000_000), default: 10, "epochs without improvement before lowering the rate")
    static let plateauMinDelta = Option(
        "min_delta", .number(0...Double.infinity, exclusiveLower: false), default: 0.0001,
        "smallest change that counts as an improvement")
    static let cooldown = Option(
        "cooldown", .integer(0...1_000_000), default: 0, "epochs to wait after lowering before counting again")
    static let minLR = Option(
        "min_lr", .number(0...10, exclusiveLower: false), default: 0.0, "the rate never goes below this")

    // ModelCheckpoint
    static let saveBestOnly = Option(
        "save_best_only", .boolean, default: true, "write only when the monitor improves (false: every epoch)")

    // Schedules
    static let scheduleKinds = ["exponential", "cosine", "piecewise"]
    static let decaySteps = Option<Int?>(
        "decay_steps", .integer(1...Int(Int32.max)), default: nil, note: "none; required", "steps of the decay")
    static let decayRate = Option<Double?>(
        "decay_rate", .number(0...1_000, exclusiveLower: true), default: nil, note: "none; required",
        "exponential: the factor over decay_steps steps")
    static let staircase = Option("staircase", .boolean, default: false, "exponential: decay in whole steps of decay_steps")
    static let alpha = Option(
        "alpha", .number(0...1, exclusiveLower: false), default: 0.0, "cosine: the last rate, a fraction of the first")
    static let warmupSteps = Option(
        "warmup_steps", .integer(0...Int(Int32.max)), default: 0, "cosine: steps rising linearly to warmup_target")
    static let warmupTarget = Option<Double?>(
        "warmup_target", .number(0...10, exclusiveLower: true), default: nil, note: "none",
        "cosine: the rate the warmup reaches, then decayed from")
    static let boundaries = Option<String?>(
        "boundaries", .text, default: nil, note: "none; required", "piecewise: steps where the rate changes, \"1000,2000\"")
    static let values = Option<String?>(
        "values", .text, default: nil, note: "none; required",
        "piecewise: the rates, one more than boundaries, \"0.01,0.005,0.001\"")

    /// Which schedule options each kind takes.
    static let scheduleOptions: [String: [String]] = [
        "exponential": [decaySteps.name, decayRate.name, staircase.name],
        "cosine": [decaySteps.name, alpha.name, warmupSteps.name, warmupTarget.name],
        "piecewise": [boundaries.name, values.name],
    ]

    enum Kind: String, CaseIterable {
        case earlyStopping = "early_stopping"
        case reduceLR = "reduce_lr"
        case checkpoint
        case schedule

        var form: GroupSpec {
            switch self {
            case .earlyStopping:
                GroupSpec(
                    rawValue,
                    options: [
                        monitor.spec, stopPatience.spec, stopMinDelta.spec, mode.spec, restoreBestWeights.spec,
                        startFromEpoch.spec,
                    ],
                    summary: "EarlyStopping: stop when the monitor stops improving")
            case .reduceLR:
                GroupSpec(
                    rawValue,
                    options: [
                        monitor.spec, factor.spec, plateauPatience.spec, plateauMinDelta.spec, cooldown.spec, minLR.spec,
                        mode.spec,
                    ],
                    summary: "ReduceLROnPlateau: lower the rate when the monitor stops improving")
            case .checkpoint:
                GroupSpec(
                    rawValue, [ArgumentSpec("FILE", .path, noun: "file")],
                    options: [monitor.spec, saveBestOnly.spec, mode.spec],
                    summary: "ModelCheckpoint: save the model (as save model) when the monitor improves")
            case .schedule:
                GroupSpec(
                    rawValue, [ArgumentSpec("KIND", .choice(scheduleKinds), noun: "schedule")],
                    options: [
                        decaySteps.spec, decayRate.spec, staircase.spec, alpha.spec, warmupSteps.spec, warmupTarget.spec,
                        boundaries.spec, values.spec,
                    ],
                    summary: "the rate per step: ExponentialDecay, CosineDecay, PiecewiseConstantDecay (from lr=)")
            }
        }
    }

    static let groups = Kind.allCases.map(\.form)
}

/// Whether lower or higher is better for a monitor (Keras's `mode`).
struct MonitorRule: Equatable {
    var monitor: String
    var higherIsBetter: Bool
    /// Always ≥ 0; subtracted (or added) as Keras's `min_delta`.
    var minDelta: Double

    init(monitor: String, mode: String, minDelta: Double) {
        self.monitor = monitor
        self.higherIsBetter = mode == "max" || (mode == "auto" && monitor.hasSuffix("accuracy"))
        self.minDelta = abs(minDelta)
    }

    /// Keras's `_is_improvement`: current − min_delta < best (min), current + min_delta > best (max); no best yet: yes.
    func improves(_ current: Double, on best: Double?) -> Bool {
        guard let best else { return true }
        return higherIsBetter ? current - minDelta > best : current + minDelta < best
    }

    func value(in metrics: EpochMetrics) -> Double? {
        switch monitor {
        case "loss": metrics.loss
        case "accuracy": metrics.accuracy
        case "val_loss": metrics.validationLoss
        case "val_accuracy": metrics.validationAccuracy
        default: nil
        }
    }
}

/// Keras's EarlyStopping, its state reset at every fit (as Keras's `on_train_begin`).
struct EarlyStopping {
    var rule: MonitorRule
    var patience: Int
    var restoreBestWeights: Bool
    var startFromEpoch: Int
    var best: Double?
    var bestEpoch = 0
    var wait = 0
    /// 1-based epoch of this fit at which it stopped training.
    var stoppedEpoch: Int?
    var bestWeights: ModelWeights?

    /// After epoch `epoch` (0-based, as Keras counts): whether to stop.
    /// `weights` reads the model's weights when they must be kept.
    mutating func epochEnded(_ epoch: Int, _ metrics: EpochMetrics, weights: () -> ModelWeights) -> Bool {
        guard let current = rule.value(in: metrics), epoch >= startFromEpoch else { return false }
        if restoreBestWeights, bestWeights == nil {
            bestWeights = weights()
            bestEpoch = epoch
        }
        wait += 1
        if rule.improves(current, on: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { bestWeights = weights() }
            wait = 0
            return false
        }
        if wait >= patience, epoch > 0 {
            stoppedEpoch = epoch + 1
            return true
        }
        return false
    }
}

/// Keras's ReduceLROnPlateau state: kept with the model between fits that
/// give the same `reduce_lr`, so a resumed fit continues its plateau.
struct PlateauState: Equatable {
    var rule: MonitorRule
    var factor: Double
    var patience: Int
    var cooldown: Int
    var minLR: Double
    var best: Double?
    var wait = 0
    var cooldownCounter = 0

    /// Same settings (the counters aside).
    func hasSettings(of other: PlateauState) -> Bool {
        rule == other.rule && factor == other.factor && patience == other.patience && cooldown == other.cooldown
            && minLR == other.minLR
    }

    /// After an epoch logged at `rate`: the new rate (Keras's Python double,
    /// `old · factor`, at least min_lr), or nil when it stays.
    mutating func epochEnded(_ metrics: EpochMetrics, rate: Float) -> Double? {
        guard let current = rule.value(in: metrics) else { return nil }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if rule.improves(current, on: best) {
            best = current
            wait = 0
            return nil
        }
        guard cooldownCounter == 0 else { return nil }
        wait += 1
        guard wait >= patience else { return nil }
        let old = Double(rate)
        guard old > Double(Float(minLR)) else { return nil }
        cooldownCounter = cooldown
        wait = 0
        return max(old * factor, minLR)
    }
}

/// Keras's ModelCheckpoint (save_freq="epoch").
struct Checkpoint {
    var file: Word
    var rule: MonitorRule
    var saveBestOnly: Bool
    var best: Double?

    /// Whether to save after this epoch, and what Keras (verbose=1) says.
    mutating func epochEnded(_ epoch: Int, _ metrics: EpochMetrics) -> (save: Bool, message: String) {
        guard saveBestOnly, let current = rule.value(in: metrics) else {
            return (true, "Epoch \(epoch): saving model to \(file.text)")
        }
        let bestText = best.map { NumberFormat.fixed($0, 5) } ?? "None"
        guard rule.improves(current, on: best) else {
            return (false, "Epoch \(epoch): \(rule.monitor) did not improve from \(bestText)")
        }
        best = current
        return (
            true,
            "Epoch \(epoch): \(rule.monitor) improved from \(bestText) to \(NumberFormat.fixed(current, 5)), "
                + "saving model to \(file.text)"
        )
    }
}

/// The callbacks of one `fit`, checked before any training.
struct TrainingControls {
    var earlyStopping: EarlyStopping?
    var plateau: PlateauState?
    var checkpoint: Checkpoint?
    /// The schedule group as written (its rates come from the optimizer's lr).
    var schedule: Invocation.Group?

    /// Reads and checks the groups: one of each kind, monitors the fit logs,
    /// reduce_lr not with a schedule (its rate is not settable, as in Keras).
    init(_ invocation: Invocation, hasValidation: Bool) throws(Diagnostic) {
        var seen: [String: Invocation.Group] = [:]
        for group in invocation.groups {
            if let earlier = seen.updateValue(group, forKey: group.kind.text) {
                let what =
                    group.kind.text == FitCallbacks.Kind.schedule.rawValue
                    ? "two schedules: the rate can follow only one" : "`\(group.kind.text)` is given twice"
                throw Diagnostic(
                    "\(what) (first at column \(earlier.kind.span.start.column))", at: group.kind.span)
            }
            try Self.checkMonitor(group, hasValidation: hasValidation)
            switch FitCallbacks.Kind(rawValue: group.kind.text) {
            case .earlyStopping?:
                earlyStopping = EarlyStopping(
                    rule: MonitorRule(
                        monitor: group[FitCallbacks.monitor], mode: group[FitCallbacks.mode],
                        minDelta: group[FitCallbacks.stopMinDelta]),
                    patience: group[FitCallbacks.stopPatience], restoreBestWeights: group[FitCallbacks.restoreBestWeights],
                    startFromEpoch: group[FitCallbacks.startFromEpoch])
            case .reduceLR?:
                let factor = group[FitCallbacks.factor]
                guard factor < 1 else {
                    throw Diagnostic(
                        "factor=\(NumberFormat.significant(factor)) would not lower the rate: ReduceLROnPlateau needs a factor below 1",
                        at: group.span(of: FitCallbacks.factor) ?? group.kind.span)
                }
                plateau = PlateauState(
                    rule: MonitorRule(
                        monitor: group[FitCallbacks.monitor], mode: group[FitCallbacks.mode],
                        minDelta: group[FitCallbacks.plateauMinDelta]),
                    factor: factor, patience: group[FitCallbacks.plateauPatience], cooldown: group[FitCallbacks.cooldown],
                    minLR: group[FitCallbacks.minLR])
            case .checkpoint?:
                guard let file = group.argument("FILE")?.word else { continue }
                // Refused before any training: the extension decides the format, as for save model.
                guard let format = ModelFormat(path: file.text), ModelFormat.writable.contains(format) else {
                    throw Diagnostic(
                        "checkpoint writes \(ModelFormat.list(ModelFormat.writable)) files, as save model does: "
                            + "the extension decides the format. Received: \(file.text)", at: file.span)
                }
                checkpoint = Checkpoint(
                    file: file,
                    rule: MonitorRule(monitor: group[FitCallbacks.monitor], mode: group[FitCallbacks.mode], minDelta: 0),
                    saveBestOnly: group[FitCallbacks.saveBestOnly])
            case .schedule?:
                try Self.checkScheduleOptions(group)
                schedule = group
            case nil:
                continue
            }
        }
        if let schedule, let reduce = seen[FitCallbacks.Kind.reduceLR.rawValue] {
            throw Diagnostic(
                "reduce_lr sets the optimizer's rate, but `schedule \(schedule.text("KIND") ?? "")` sets every step's: "
                    + "use one of them (Keras refuses this too)", at: reduce.kind.span)
        }
    }

    /// A monitor the fit will log: a validation one needs validation=.
    private static func checkMonitor(_ group: Invocation.Group, hasValidation: Bool) throws(Diagnostic) {
        guard let span = group.span(of: FitCallbacks.monitor) ?? Optional(group.kind.span) else { return }
        let monitor = group[FitCallbacks.monitor]
        guard FitCallbacks.Kind(rawValue: group.kind.text) != .schedule, monitor.hasPrefix("val_"), !hasValidation else {
            return
        }
        let given = group.span(of: FitCallbacks.monitor) != nil
        throw Diagnostic(
            "\(group.kind.text) watches \(monitor)\(given ? "" : " (its default)"), but this fit has no validation data: "
                + "add validation=0.2, or monitor=\(monitor.dropFirst(4))", at: span)
    }

    /// Each schedule kind takes its own options, and the required ones.
    private static func checkScheduleOptions(_ group: Invocation.Group) throws(Diagnostic) {
        let kind = group.text("KIND") ?? ""
        let allowed = FitCallbacks.scheduleOptions[kind] ?? []
        for (other, names) in FitCallbacks.scheduleOptions where other != kind {
            for name in names where !allowed.contains(name) {
                guard let span = group.span(ofOption: name) else { continue }
                let homes = FitCallbacks.scheduleOptions.filter { $0.value.contains(name) }.keys.sorted()
                throw Diagnostic(
                    "\(name)= goes with \(homes.map { "schedule \($0)" }.joined(separator: " or ")), not schedule \(kind)",
                    at: span)
            }
        }
        let required: [String] =
            switch kind {
            case "exponential": [FitCallbacks.decaySteps.name, FitCallbacks.decayRate.name]
            case "cosine": [FitCallbacks.decaySteps.name]
            default: [FitCallbacks.boundaries.name, FitCallbacks.values.name]
            }
        for name in required where group.span(ofOption: name) == nil {
            throw Diagnostic(
                "schedule \(kind) needs \(name)= — usage: \(FitCallbacks.scheduleUsage[kind] ?? "")", at: group.span)
        }
    }

    /// The engine's schedule, its rates from `rate` (the optimizer's lr);
    /// piecewise takes its rates from values=.
    static func schedule(_ group: Invocation.Group, rate: Float) throws(Diagnostic) -> LearningRateSchedule {
        let schedule: LearningRateSchedule
        switch group.text("KIND") {
        case "exponential":
            schedule = .exponential(
                initial: rate, decaySteps: group[FitCallbacks.decaySteps] ?? 1, decayRate: group[FitCallbacks.decayRate] ?? 1,
                staircase: group[FitCallbacks.staircase])
        case "cosine":
            schedule = .cosine(
                initial: rate, decaySteps: group[FitCallbacks.decaySteps] ?? 1, alpha: group[FitCallbacks.alpha],
                warmupSteps: group[FitCallbacks.warmupSteps], warmupTarget: group[FitCallbacks.warmupTarget].map { Float($0) })
        default:
            let boundaries = try list(group, FitCallbacks.boundaries) { Int($0) }
            let values = try list(group, FitCallbacks.values) { Double($0).map { Float($0) } }
            schedule = .piecewise(boundaries: boundaries, values: values)
        }
        do {
            try schedule.validate()
        } catch {
            throw Diagnostic(error.description, at: group.span)
        }
        return schedule
    }

    /// A comma-separated list in quotes, `"1000,2000"`.
    private static func list<Value>(
        _ group: Invocation.Group, _ option: Option<String?>, _ read: (String) -> Value?
    ) throws(Diagnostic) -> [Value] {
        let text = group[option] ?? ""
        let span = group.span(of: option) ?? group.span
        var result: [Value] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmingCharacters(in: " ")
            guard let value = read(trimmed) else {
                throw Diagnostic(
                    "invalid value for '\(option.name)': expected numbers separated by commas, in quotes "
                        + "(\(option.name)=\"1000,2000\"). Received: \(trimmed.isEmpty ? "an empty item" : trimmed)", at: span)
            }
            result.append(value)
        }
        return result
    }
}

extension FitCallbacks {
    static let scheduleUsage = [
        "exponential": "schedule exponential decay_steps=N decay_rate=F [staircase=false]",
        "cosine": "schedule cosine decay_steps=N [alpha=0] [warmup_steps=0] [warmup_target=F]",
        "piecewise": "schedule piecewise boundaries=\"N,N,...\" values=\"F,F,...\"",
    ]
}

extension Substring {
    fileprivate func trimmingCharacters(in blank: Character) -> String {
        String(drop { $0 == blank }.reversed().drop { $0 == blank }.reversed())
    }
}
