// Mini-batch training with Keras `fit` semantics.
//
// Shapes: `N` batch rows (≤ batchSize), `I` input width, `P` parameters.
// One step: gather N shuffled rows into a contiguous N×I batch (pixels are
// converted to floats on the way; the workspace then works on the batch's
// non-zeros when they are few), forward, fused
// softmax + cross-entropy (gradient of the batch mean), backward into
// the P-sized gradient buffer, one optimizer pass over P. Nothing is
// allocated per step: every buffer below is sized once per fit.

extension Model {
    /// Trains in place. `onBatch` returns false to stop after the current batch.
    ///
    /// Per epoch (Keras semantics): the training order is reshuffled when
    /// `configuration.shuffle` (epoch k of the model's life — counted in
    /// `optimizerState.completedEpochs` — uses `SeededGenerator(seed:stream: k)`,
    /// so fit(2 epochs) equals fit(1) then fit(1)); there are
    /// ⌈count / batchSize⌉ steps, the last batch possibly smaller; each step
    /// minimises the batch's mean cross-entropy. After every batch `onBatch`
    /// gets the epoch's running sample-weighted loss and accuracy; after every
    /// epoch the validation data (if any) is evaluated and `onEpoch` called.
    ///
    /// Training continues `optimizerState` when it holds the same kind of
    /// optimizer with the same slots (Adam's t keeps counting, new
    /// hyperparameters apply from the next step); otherwise it starts fresh. `parameters` and
    /// `optimizerState` are brought up to date after every epoch (before
    /// `onEpoch`) and when `fit` returns — not during `onBatch`.
    ///
    /// When `onBatch` returns false, training stops right after that batch
    /// (its update applied); the result's `epochs` hold only finished epochs
    /// and `stoppedAt` the (epoch, step) reached, both 1-based.
    ///
    /// Throws, before any training, `invalidArgument` for bad configuration,
    /// optimizer hyperparameters, empty sets, labels ≥ classes, mismatched
    /// optimizer state or a batch whose buffers would pass 4 GiB, and
    /// `shapeMismatch` for a wrong feature width.
    public func fit(
        _ training: Examples, validation: Examples?, optimizer: Optimizer, configuration: FitConfiguration,
        onBatch: (BatchProgress) -> Bool, onEpoch: (EpochMetrics) -> Void
    ) throws(EngineError) -> FitResult {
        try fit(
            training, validation: validation, optimizer: optimizer, configuration: configuration, onBatch: onBatch,
            control: { metrics in
                onEpoch(metrics)
                return .proceed
            })
    }

    /// `fit` whose caller decides after every epoch (its parameters and
    /// optimizer state already stored in the model) whether to stop there
    /// and whether the learning rate changes from the next step on: what
    /// Keras's EarlyStopping and ReduceLROnPlateau do.
    public func fit(
        _ training: Examples, validation: Examples?, optimizer: Optimizer, configuration: FitConfiguration,
        onBatch: (BatchProgress) -> Bool, control onEpoch: (EpochMetrics) -> EpochControl
    ) throws(EngineError) -> FitResult {
        try configuration.validate()
        try optimizer.validate()
        guard training.count > 0 else { throw .invalidArgument("the training set is empty") }
        try training.check(inputWidth: architecture.inputWidth, classes: classes, role: "training")
        if let validation {
            guard validation.count > 0 else { throw .invalidArgument("the validation set is empty") }
            try validation.check(inputWidth: architecture.inputWidth, classes: classes, role: "validation")
        }
        let buffers = try trainingBuffers(optimizer: optimizer, configuration: configuration, count: training.count)
        return training.withRows { training in
            guard let validation else {
                return train(
                    training, validation: nil, buffers: buffers, configuration: configuration, onBatch: onBatch,
                    onEpoch: onEpoch)
            }
            return validation.withRows { validation in
                train(
                    training, validation: validation, buffers: buffers, configuration: configuration,
                    onBatch: onBatch, onEpoch: onEpoch)
            }
        }
    }

    /// `fit` holding out the last `validationSplit` of `examples` for
    /// validation, like Keras's `validation_split`: rows `0..<splitAt` train
    /// and rows `splitAt..<count` validate, `splitAt = ⌊count·(1 − validationSplit)⌋`
    /// (60,000 × 0.2: 48,000 and 12,000), taken before any shuffling. Both
    /// parts are read in place: nothing is copied. A split of 0 validates on
    /// nothing. Bit-identical to `fit` on the two parts as separate `Examples`.
    ///
    /// Throws as `fit` does, and `invalidArgument` for a split outside
    /// [0, 1) or one that leaves either part empty.
    public func fit(
        _ examples: Examples, validationSplit: Double, optimizer: Optimizer, configuration: FitConfiguration,
        onBatch: (BatchProgress) -> Bool, onEpoch: (EpochMetrics) -> Void
    ) throws(EngineError) -> FitResult {
        let count = examples.count
        let splitAt = try Examples.validationSplitIndex(count: count, fraction: validationSplit)
        try configuration.validate()
        try optimizer.validate()
        try examples.check(inputWidth: architecture.inputWidth, classes: classes, role: "training")
        let buffers = try trainingBuffers(optimizer: optimizer, configuration: configuration, count: splitAt)
        return examples.withRows { rows in
            train(
                rows.rows(0..<splitAt), validation: splitAt < count ? rows.rows(splitAt..<count) : nil,
                buffers: buffers, configuration: configuration, onBatch: onBatch,
                onEpoch: { metrics in
                    onEpoch(metrics)
                    return .proceed
                })
        }
    }

    /// The buffers of a fit on `count` training examples, after the batch
    /// size check; continues `optimizerState` when it holds `optimizer`.
    private func trainingBuffers(
        optimizer: Optimizer, configuration: FitConfiguration, count: Int
    ) throws(EngineError) -> TrainingBuffers {
        if configuration.augmentation != nil, architecture.inputShape.count != 3 {
            throw .invalidArgument(
                "augmentation shifts, rotates and zooms images, but this model's input is "
                    + "\(Architecture.shapeText(architecture.inputShape)); build it on an image input such as (None, 28, 28, 1)")
        }
        let rows = min(configuration.batchSize, count)
        guard rows <= maximumRows(training: true) else {
            let gib = Double(rows) * Double(floatsPerRow(training: true)) * 4 / Double(1 << 30)
            throw .invalidArgument(
                "batch_size=\(configuration.batchSize) needs \(Int(gib.rounded(.up))) GiB of activation buffers "
                    + "for this model (at most 4 GiB); use a smaller batch size")
        }
        // As in Keras, the same kind of optimizer with the same slots (a new
        // learning rate, say) keeps its moments and step count; another
        // kind starts afresh.
        var resumed: OptimizerState?
        if var state = optimizerState, state.optimizer.continues(into: optimizer) {
            try state.validate(parameterCount: parameters.count)
            state.optimizer = optimizer
            resumed = state
        }
        let buffers = TrainingBuffers(
            model: self, optimizer: optimizer, resuming: resumed, batchSize: configuration.batchSize, count: count,
            seed: configuration.seed, augmentation: configuration.augmentation)
        buffers.controls(configuration)
        return buffers
    }

    /// The epoch loop over checked, non-empty training data.
    private func train(
        _ training: ExampleRows, validation: ExampleRows?, buffers: TrainingBuffers,
        configuration: FitConfiguration, onBatch: (BatchProgress) -> Bool, onEpoch: (EpochMetrics) -> EpochControl
    ) -> FitResult {
        let (inputs, labels, count) = (training.inputs, training.labels, training.count)
        let batchSize = buffers.workspace.capacity
        let steps = (count + batchSize - 1) / batchSize
        let clock = ContinuousClock()
        var finished: [EpochMetrics] = []

        for epoch in 1...configuration.epochs {
            let started = clock.now
            if configuration.shuffle {
                epochPermutation(
                    count: count, seed: configuration.seed, epoch: buffers.completedEpochs,
                    into: buffers.order)
            }
            var lossSum: Double = 0
            var correct = 0
            var seen = 0
            for step in 1...steps {
                let first = (step - 1) * batchSize
                let rows = min(batchSize, count - first)
                let totals: SoftmaxCrossEntropy.Totals
                if configuration.shuffle {
                    let indices = UnsafePointer(buffers.order + first)
                    for r in 0..<rows { buffers.batchLabels[r] = labels[indices[r]] }
                    totals = buffers.step(
                        gathering: indices, from: inputs, labels: UnsafePointer(buffers.batchLabels), rows: rows)
                } else {
                    totals = buffers.step(inputs, first: first, labels: labels + first, rows: rows)
                }
                lossSum += totals.loss
                correct += totals.correct
                seen += rows
                let progress = BatchProgress(
                    epoch: epoch, epochs: configuration.epochs, step: step, steps: steps,
                    loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen),
                    elapsed: seconds(from: started, clock: clock))
                if !onBatch(progress) {
                    buffers.store(into: self)
                    return FitResult(epochs: finished, stoppedAt: (epoch, step))
                }
            }
            buffers.completedEpochs += 1
            buffers.store(into: self)
            var metrics = EpochMetrics(
                epoch: epoch, epochs: configuration.epochs, steps: steps, seconds: 0,
                loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen))
            if let validation {
                // Inference passes through the training workspace (no random masks, moving
                // statistics, no augmentation without a gradient scale): a second
                // workspace would hold a second copy of every activation. The
                // figures do not depend on the pass size.
                let (loss, accuracy) = Model.evaluate(
                    validation, parameters: buffers.parameters, state: buffers.state, workspace: buffers.workspace)
                metrics.validationLoss = loss
                metrics.validationAccuracy = accuracy
            }
            metrics.learningRate = Double(buffers.currentLearningRate)
            metrics.seconds = seconds(from: started, clock: clock)
            finished.append(metrics)
            let control = onEpoch(metrics)
            if let rate = control.learningRate, rate != buffers.optimizer.learningRate {
                buffers.optimizer = buffers.optimizer.with(learningRate: rate)
                buffers.store(into: self)
            }
            if control.stop { break }
        }
        return FitResult(epochs: finished)
    }

    private func seconds(from start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
        let elapsed = start.duration(to: clock.now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}

/// Everything one fit needs, allocated once: a working copy of the
/// parameters and of the state (moving statistics), the gradient buffer
/// mirroring the parameters, the optimizer slots (one P-sized buffer per
/// moment, back to back), the batch's labels and the epoch's order (the
/// workspace gathers the rows themselves).
final class TrainingBuffers {
    /// The optimizer with its own rate (which an epoch's control may lower).
    var optimizer: Optimizer
    /// The fit's schedule, weight decay and label smoothing (see `controls`).
    private(set) var schedule: LearningRateSchedule?
    private(set) var weightDecay: Float = 0
    let count: Int
    let workspace: Workspace
    /// The fit's seed (random masks, augmentation).
    let seed: UInt64
    let augmentation: Augmentation?
    let parameters: UnsafeMutablePointer<Float>
    /// The non-trainable weights (at least one value, so the pointer is valid).
    let state: UnsafeMutablePointer<Float>
    let stateCount: Int
    let gradients: UnsafeMutablePointer<Float>
    let slots: UnsafeMutablePointer<Float>?
    let batchLabels: UnsafeMutablePointer<UInt8>
    let order: UnsafeMutablePointer<Int>
    var iterations: Int
    var completedEpochs: Int

    /// Copies the model's parameters and, when `resuming`, its slots and counters.
    init(
        model: Model, optimizer: Optimizer, resuming state: OptimizerState?, batchSize: Int, count examples: Int,
        seed: UInt64 = 1, augmentation: Augmentation? = nil
    ) {
        self.optimizer = optimizer
        self.seed = seed
        self.augmentation = augmentation
        count = model.parameters.count
        let capacity = min(batchSize, examples)
        workspace = model.makePass(capacity: capacity, training: true)
        let parameterCount = model.parameters.count
        let parameters = UnsafeMutablePointer<Float>.allocate(capacity: parameterCount)
        model.parameters.withUnsafeBufferPointer { source in
            _ = UnsafeMutableBufferPointer(start: parameters, count: parameterCount).initialize(from: source)
        }
        self.parameters = parameters
        stateCount = model.state.count
        self.state = layerBuffer(stateCount, Float(0))
        self.state.update(from: model.state, count: stateCount)
        gradients = .allocate(capacity: parameterCount)
        gradients.initialize(repeating: 0, count: parameterCount)
        let slotCount = optimizer.slotCount
        var slots: UnsafeMutablePointer<Float>?
        if slotCount > 0 {
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: slotCount * parameterCount)
            buffer.initialize(repeating: 0, count: slotCount * parameterCount)
            for (k, slot) in (state?.slots ?? []).enumerated() {
                slot.withUnsafeBufferPointer { source in
                    guard let source = source.baseAddress else { return }
                    (buffer + k * parameterCount).update(from: source, count: parameterCount)
                }
            }
            slots = buffer
        }
        self.slots = slots
        iterations = state?.iterations ?? 0
        completedEpochs = state?.completedEpochs ?? 0
        batchLabels = .allocate(capacity: capacity)
        batchLabels.initialize(repeating: 0, count: capacity)
        order = .allocate(capacity: examples)
        for i in 0..<examples { (order + i).initialize(to: i) }
    }

    deinit {
        parameters.deallocate()
        state.deallocate()
        gradients.deallocate()
        slots?.deallocate()
        batchLabels.deallocate()
        order.deallocate()
    }

    /// One gradient step on rows `first..<first + rows` of `inputs`: forward
    /// with the fused loss (gradient of the mean, scale 1/N), backward,
    /// optimizer update. Returns the batch's summed loss and correct count,
    /// measured before the update.
    func step(
        _ inputs: InputRows, first: Int, labels: UnsafePointer<UInt8>, rows: Int
    ) -> SoftmaxCrossEntropy.Totals {
        workspace.setTrainingStep(seed: seed, step: iterations + 1, augmentation: augmentation)
        let totals = workspace.forward(
            inputs, first: first, rows: rows, parameters: parameters, state: state, labels: labels,
            gradientScale: 1 / Float(rows))
        update()
        return totals
    }

    /// `step` on rows `indices[0..<rows]` of `inputs`, gathered into the batch buffer.
    func step(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, labels: UnsafePointer<UInt8>, rows: Int
    ) -> SoftmaxCrossEntropy.Totals {
        workspace.setTrainingStep(seed: seed, step: iterations + 1, augmentation: augmentation)
        let totals = workspace.forward(
            gathering: indices, from: inputs, rows: rows, parameters: parameters, state: state, labels: labels,
            gradientScale: 1 / Float(rows))
        update()
        return totals
    }

    /// Backward after the step's forward, then one optimizer pass. The
    /// lowest weighted layer's kernel (for dense models the first layer's,
    /// most of the parameters) is updated piece by piece as soon as its
    /// gradient is written, while it is in cache; the rest after the
    /// backward. Each parameter gets the same update either way.
    ///
    /// The step's rate is the schedule's at the updates so far (Keras's
    /// `iterations`, before this update), else the optimizer's; weight
    /// decay, when set, shrinks each parameter by that rate just before its
    /// update (after the backward has read it).
    private func update() {
        let rate = currentLearningRate
        iterations += 1
        let optimizer = schedule == nil ? self.optimizer : self.optimizer.with(learningRate: rate)
        let (parameters, gradients, slots, count, step, decay) =
            (self.parameters, self.gradients, self.slots, self.count, iterations, weightDecay)
        let early = workspace.earlyParameters
        workspace.backward(parameters: parameters, state: state, gradients: gradients) { range in
            if decay > 0 { WeightDecay.apply(to: parameters, range: range, decay: decay, rate: rate) }
            optimizer.update(parameters: parameters, gradients: gradients, slots: slots, count: count, range: range, step: step)
        }
        for rest in [0..<early.lowerBound, early.upperBound..<count] where !rest.isEmpty {
            if decay > 0 { WeightDecay.apply(to: parameters, elements: rest, decay: decay, rate: rate) }
            optimizer.update(
                parameters: parameters, gradients: gradients, slots: slots, count: count, step: step, elements: rest)
        }
    }

    /// Takes the fit's schedule, weight decay and label smoothing.
    func controls(_ configuration: FitConfiguration) {
        schedule = configuration.schedule
        weightDecay = configuration.weightDecay
        workspace.labelSmoothing = configuration.labelSmoothing
    }

    /// The rate of the next update (Keras's `optimizer.learning_rate` now).
    var currentLearningRate: Float { schedule?.rate(at: iterations) ?? optimizer.learningRate }

    /// Writes the working parameters and the optimizer state back to `model`.
    func store(into model: Model) {
        model.parameters.withUnsafeMutableBufferPointer { target in
            guard let target = target.baseAddress else { return }
            target.update(from: parameters, count: count)
        }
        model.state = Array(UnsafeBufferPointer(start: state, count: stateCount))
        var slotArrays: [[Float]] = []
        if let slots {
            slotArrays = (0..<optimizer.slotCount).map { k in
                Array(UnsafeBufferPointer(start: slots + k * count, count: count))
            }
        }
        model.optimizerState = OptimizerState(
            optimizer: optimizer, iterations: iterations, slots: slotArrays, completedEpochs: completedEpochs)
    }
}
