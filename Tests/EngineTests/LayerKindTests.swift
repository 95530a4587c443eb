import JSON
import Testing

@testable import Engine

/// The layer kinds added through the layer-unit path (batchnorm, activation,
/// avgpool, globalavgpool): finite-difference gradients, the reference
/// path's bits, thread counts, Keras's parameter counts, model files.
struct LayerKindTests {
    static let rows = 4

    /// A training forward's summed loss (batch statistics, dropout masks of step 1), and the state it leaves.
    static func loss(_ model: Model, _ x: [Float], _ labels: [UInt8], _ parameters: [Float]) -> Double {
        let workspace = Workspace(model: model, capacity: rows, training: true)
        workspace.setTrainingStep(seed: 3, step: 1, augmentation: nil)
        var state = model.state + [0]
        return x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                parameters.withUnsafeBufferPointer { p in
                    state.withUnsafeMutableBufferPointer { s in
                        let inputs = InputRows(
                            source: .features(x.baseAddress!), count: rows, width: model.architecture.inputWidth)
                        return workspace.forward(
                            inputs, first: 0, rows: rows, parameters: p.baseAddress!, state: s.baseAddress!,
                            labels: y.baseAddress!, gradientScale: 1
                        ).loss / Double(rows)
                    }
                }
            }
        }
    }

    /// The fast path's gradient of the mean loss, and the state its forward left.
    static func gradient(_ model: Model, _ x: [Float], _ labels: [UInt8]) -> (gradients: [Float], state: [Float]) {
        let workspace = Workspace(model: model, capacity: rows, training: true)
        workspace.setTrainingStep(seed: 3, step: 1, augmentation: nil)
        var gradients = [Float](repeating: .nan, count: model.parameters.count)
        var state = model.state + [0]
        x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                model.parameters.withUnsafeBufferPointer { p in
                    gradients.withUnsafeMutableBufferPointer { g in
                        state.withUnsafeMutableBufferPointer { s in
                            let inputs = InputRows(
                                source: .features(x.baseAddress!), count: rows, width: model.architecture.inputWidth)
                            workspace.forward(
                                inputs, first: 0, rows: rows, parameters: p.baseAddress!, state: s.baseAddress!,
                                labels: y.baseAddress!, gradientScale: 1 / Float(rows))
                            workspace.backward(parameters: p.baseAddress!, state: s.baseAddress!, gradients: g.baseAddress!)
                        }
                    }
                }
            }
        }
        return (gradients, Array(state.dropLast()))
    }

    /// Backprop against the reference's bits and against central finite differences.
    static func checkGradients(_ architecture: Architecture, seed: UInt64, step h: Float = 1e-2) throws {
        let model = try Model(architecture: architecture, seed: seed)
        // Random gammas, betas and biases, so their gradients are exercised too.
        for index in model.layers.indices {
            for name in ["bias", "gamma", "beta"] {
                guard let (range, _) = model.weightRange(layer: index, name) else { continue }
                let values = Fixture.uniform(
                    range.count, name == "gamma" ? 0.5 : -0.3, name == "gamma" ? 1.5 : 0.3, seed: seed &+ UInt64(range.lowerBound)
                )
                for (j, b) in values.enumerated() { model.parameters[range.lowerBound + j] = b }
            }
        }
        let x = Fixture.uniform(rows * architecture.inputWidth, -1, 1, seed: seed &* 31)
        let labels = (0..<rows).map { UInt8($0 % architecture.classes) }
        let analytic = gradient(model, x, labels)
        var state = model.state
        let reference = ReferenceTraining.gradients(
            layers: model.layers, parameters: model.parameters, state: &state, batch: x, labels: labels, seed: 3, step: 1)
        #expect(differingBits(analytic.gradients, reference.gradients) == 0, "fast gradients differ from the reference")
        #expect(differingBits(analytic.state, state) == 0, "fast moving statistics differ from the reference")
        for i in model.parameters.indices {
            var plus = model.parameters
            var minus = model.parameters
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(model, x, labels, plus) - loss(model, x, labels, minus)) / Double(plus[i] - minus[i])
            #expect(
                abs(Double(analytic.gradients[i]) - numeric) <= 2e-3 + 2e-2 * abs(numeric),
                "parameter \(i): backprop \(analytic.gradients[i]), finite difference \(numeric)")
        }
    }

    static func conv(_ filters: Int, _ k: Int, _ activation: Activation = .linear) -> LayerSpec {
        .conv2D(Conv2DLayer(filters: filters, kernelSize: k, padding: .same, activation: activation))
    }

    static let batchnorm = LayerSpec(BatchNormalizationLayer())
    static func activation(_ activation: Activation) -> LayerSpec { LayerSpec(ActivationLayer(activation)) }
    static let softmax3 = LayerSpec.dense(DenseLayer(units: 3, activation: .softmax))

    // MARK: - Gradients

    @Test func batchNormalizationOnImages() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [5, 5, 2],
                stack: [Self.conv(3, 3), Self.batchnorm, Self.activation(.tanh), .flatten, Self.softmax3]),
            seed: 2)
    }

    @Test func batchNormalizationOnFeatures() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [6],
                stack: [
                    .dense(DenseLayer(units: 5, activation: .linear)), Self.batchnorm, Self.activation(.sigmoid), Self.softmax3,
                ]),
            seed: 4)
    }

    @Test func batchNormalizationFirst() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [6], stack: [Self.batchnorm, .dense(DenseLayer(units: 4, activation: .tanh)), Self.softmax3]),
            seed: 6)
    }

    @Test func averagePooling() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [5, 5, 2],
                stack: [
                    Self.conv(3, 2, .tanh), LayerSpec(AveragePooling2DLayer(poolSize: 2)), Self.conv(2, 2, .tanh), .flatten,
                    Self.softmax3,
                ]),
            seed: 3)
    }

    @Test func globalAveragePooling() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [4, 5, 2],
                stack: [Self.conv(4, 3, .tanh), LayerSpec(GlobalAveragePooling2DLayer()), Self.softmax3]),
            seed: 5)
    }

    @Test func activationLayers() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [6],
                stack: [
                    .dense(DenseLayer(units: 5, activation: .linear)), Self.activation(.tanh),
                    .dense(DenseLayer(units: 4, activation: .linear)), Self.activation(.sigmoid), Self.softmax3,
                ]),
            seed: 8)
    }

    // MARK: - Same bits

    static let bnConvnet = Architecture(
        inputShape: Architecture.mnistImage,
        stack: [
            .conv2D(Conv2DLayer(filters: 8, kernelSize: 3)), batchnorm, activation(.relu), .maxPooling2D(poolSize: 2),
            .conv2D(Conv2DLayer(filters: 8, kernelSize: 3)), batchnorm, activation(.relu),
            LayerSpec(AveragePooling2DLayer(poolSize: 2)), .conv2D(Conv2DLayer(filters: 10, kernelSize: 3)),
            LayerSpec(GlobalAveragePooling2DLayer()), .dropout(rate: 0.2), .dense(DenseLayer(units: 10, activation: .softmax)),
        ])

    /// Plain, and with the training controls: a schedule, weight decay on
    /// every trainable weight (gamma and beta too, not the moving statistics)
    /// and label smoothing.
    @Test(arguments: [
        FitConfiguration(epochs: 2, batchSize: 32, shuffle: true, seed: 3),
        FitConfiguration(
            epochs: 2, batchSize: 32, shuffle: true, seed: 3,
            schedule: .cosine(initial: 0.002, decaySteps: 10, alpha: 0.2, warmupSteps: 2, warmupTarget: 0.003),
            weightDecay: 0.004, labelSmoothing: 0.1),
    ])
    func batchNormalizedConvnetTrainsToTheReferenceBits(configuration: FitConfiguration) throws {
        let examples = try DefinedOrderTests.digits(count: 264, seed: 5)
        let (training, validation) = try examples.splitForValidation(64.0 / Double(examples.count))
        let model = try Model(architecture: Self.bnConvnet, seed: 3)
        let (start, startState) = (model.parameters, model.state)
        let result = try quietFit(model, training, validation: validation, optimizer: .adam(), configuration)
        let reference = ReferenceTraining.fit(
            layers: model.layers, parameters: start, state: startState, training: training, validation: validation,
            optimizer: .adam(), configuration: configuration)
        #expect(differingBits(model.parameters, reference.parameters) == 0, "weights that differ from the reference")
        #expect(differingBits(model.state, reference.state) == 0, "moving statistics that differ from the reference")
        #expect(model.state != startState, "training moved the moving statistics")
        let figures = result.epochs.map {
            ReferenceTraining.Epoch(
                loss: $0.loss, accuracy: $0.accuracy, validationLoss: $0.validationLoss,
                validationAccuracy: $0.validationAccuracy)
        }
        #expect(figures == reference.epochs)
        // Evaluation uses the moving statistics, as the reference's inference does.
        let evaluation = try model.evaluate(validation!)
        let totals = ReferenceTraining.evaluate(
            layers: model.layers, parameters: model.parameters, state: model.state, features: validation!.features,
            labels: validation!.labels)
        #expect(evaluation.loss == totals.loss / Double(validation!.count))
    }

    /// Channel counts that take every path of the statistics' sums: blocks
    /// of 32 and 16 channels, of 8, and single channels (tasks of 10 and 9
    /// channels for 19, 18 and 17 for 35, 40 and 40 for 80), with 1, 2 and
    /// 4 threads.
    @Test func wideBatchNormalizationMatchesTheReference() throws {
        let architecture = Architecture(
            inputShape: [6, 6, 2],
            stack: [
                Self.conv(19, 3), Self.batchnorm, Self.activation(.relu), Self.conv(35, 3), Self.batchnorm,
                Self.activation(.relu), Self.conv(80, 3), Self.batchnorm, Self.activation(.relu), .flatten, Self.softmax3,
            ])
        let model = try Model(architecture: architecture, seed: 7)
        for index in model.layers.indices {
            for name in ["gamma", "beta"] {
                guard let (range, _) = model.weightRange(layer: index, name) else { continue }
                let values = Fixture.uniform(range.count, name == "gamma" ? 0.5 : -0.3, name == "gamma" ? 1.5 : 0.3, seed: 11)
                for (j, b) in values.enumerated() { model.parameters[range.lowerBound + j] = b }
            }
        }
        let x = Fixture.uniform(Self.rows * architecture.inputWidth, -1, 1, seed: 13)
        let labels = (0..<Self.rows).map { UInt8($0 % 3) }
        var state = model.state
        let reference = ReferenceTraining.gradients(
            layers: model.layers, parameters: model.parameters, state: &state, batch: x, labels: labels, seed: 3, step: 1)
        for threads in [1, 2, 4] {
            ComputeThreads.$override.withValue(threads) {
                let fast = Self.gradient(model, x, labels)
                #expect(differingBits(fast.gradients, reference.gradients) == 0, "\(threads) threads: gradients")
                #expect(differingBits(fast.state, state) == 0, "\(threads) threads: moving statistics")
            }
        }
    }

    /// Batch normalization applies the activation layer above it, which
    /// then runs in place in its output (training and inference), as do
    /// copies (flatten, dropout outside training). Their backwards write dx over dz.
    @Test func activationAboveBatchNormalizationRunsInPlace() throws {
        let model = try Model(architecture: Self.bnConvnet, seed: 1)
        for training in [true, false] {
            let workspace = Workspace(model: model, capacity: 4, training: training)
            let applied = workspace.passes.indices.filter { workspace.shares(output: $0) }
            // And dropout (10) outside training: the identity.
            #expect(applied == (training ? [2, 6] : [2, 6, 10]), "activation layers share their batch normalization's output")
            // dx over dz: batch normalization (1, 5) and relu (2, 6) in training.
            let inPlace = workspace.passes.indices.filter { workspace.shares(gradient: $0) }
            #expect(inPlace == (training ? [0, 1, 4, 5] : []))
        }
        let relu = Workspace(
            model: try Model(architecture: ConvolutionTests.kerasConvnet, seed: 1), capacity: 4, training: true)
        // Flatten (4) copies its input, and passes its gradient through; the
        // convolutions pool their own output (`convolutionsPoolTheirOutput`).
        #expect(relu.passes.indices.filter { relu.shares(output: $0) } == [1, 3, 4])
        #expect(relu.passes.indices.filter { relu.shares(gradient: $0) } == [3])
    }

    /// relu in place (as batch normalization applies it) and not: `max(x, 0)`'s bits, NaN and −0 included.
    @Test func reluAppliesMaxOfXAndZero() {
        let tiny = Float.leastNormalMagnitude / 4  // a denormal
        let x: [Float] = [-1, 2, .nan, -0.0, 0, .infinity, -.infinity, tiny, -tiny, 5, -5, .nan, 0.5, -0.0, 7, -7, 1, -2, 0.25]
        let expected = x.map { max($0, 0) }
        var apart = [Float](repeating: 1, count: x.count)
        x.withUnsafeBufferPointer { x in Activation.relu.apply(x.baseAddress!, into: &apart, count: x.count) }
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { a in Activation.relu.apply(a.baseAddress!, into: a.baseAddress!, count: a.count) }
        #expect(differingBits(apart, expected) == 0 && differingBits(inPlace, expected) == 0)
    }

    @Test func anyThreadCountGivesTheSameBits() throws {
        let examples = try DefinedOrderTests.digits(count: 200, seed: 8)
        let configuration = FitConfiguration(epochs: 1, batchSize: 50, seed: 4)
        var results: [[Float]] = []
        for threads in [1, 2, 4] {
            try ComputeThreads.$override.withValue(threads) {
                let model = try Model(architecture: Self.bnConvnet, seed: 4)
                try quietFit(model, examples, optimizer: .adam(), configuration)
                results.append(model.parameters + model.state + (try model.predict(try examples.rows(0..<60))))
            }
        }
        #expect(differingBits(results[0], results[1]) == 0 && differingBits(results[0], results[2]) == 0)
    }

    // MARK: - Keras's figures, files

    @Test func summaryCountsAsKeras() throws {
        // Keras: model.summary() of this stack says Total params: 35,210, Non-trainable params: 192.
        let architecture = Architecture(
            inputShape: Architecture.mnistImage,
            stack: [
                .conv2D(Conv2DLayer(filters: 32, kernelSize: 3)), Self.batchnorm, Self.activation(.relu),
                .maxPooling2D(poolSize: 2), .conv2D(Conv2DLayer(filters: 64, kernelSize: 3)), Self.batchnorm,
                Self.activation(.relu), .maxPooling2D(poolSize: 2), .flatten, .dropout(rate: 0.5),
                .dense(DenseLayer(units: 10, activation: .softmax)),
            ])
        let rows = try architecture.summary()
        #expect(rows.reduce(0) { $0 + $1.parameterCount } == 35_210)
        #expect(rows.reduce(0) { $0 + $1.nonTrainableCount } == 192)
        #expect(architecture.parameterCount == 35_018 && architecture.stateCount == 192)
        #expect(rows[1].name == "batch_normalization" && rows[5].name == "batch_normalization_1")
        #expect(rows[1].className == "BatchNormalization" && rows[1].parameterCount == 128)
        #expect(rows[2].name == "activation" && rows[2].className == "Activation")
        #expect(architecture.widths == "28x28x1-26x26x32-13x13x32-11x11x64-5x5x64-1600-10")
    }

    @Test func modelFilesKeepTheMovingStatistics() throws {
        let model = try Model(architecture: Self.bnConvnet, seed: 2)
        try quietFit(
            model, try DefinedOrderTests.digits(count: 64, seed: 1), optimizer: .adam(),
            FitConfiguration(epochs: 1, batchSize: 32, seed: 2))
        let bytes = try ModelFile(model: model, inputScaling: .scale, epochs: 1).encode()
        let header = split(bytes).header
        #expect(header["batch_normalization.moving_mean"]?["shape"] == .array([.number(8)]))
        #expect(header["batch_normalization_1.gamma"] != nil)
        let loaded = try ModelFile.decode(bytes).makeModel()
        #expect(differingBits(loaded.state, model.state) == 0 && differingBits(loaded.parameters, model.parameters) == 0)
        #expect(loaded.architecture == model.architecture)
        let examples = try DefinedOrderTests.digits(count: 20, seed: 9)
        #expect(differingBits(try loaded.predict(examples), try model.predict(examples)) == 0)
    }

    @Test func refusedWhereTheyDoNotFit() {
        let flat = Architecture(inputShape: [784], stack: [LayerSpec(GlobalAveragePooling2DLayer()), Self.softmax3])
        #expect(throws: ArchitectureError.self) { try flat.check() }
        let softmax = Architecture(inputShape: [784], stack: [Self.activation(.softmax), Self.softmax3])
        #expect(throws: ArchitectureError.self) { try softmax.check() }
        let momentum = Architecture(inputShape: [784], stack: [LayerSpec(BatchNormalizationLayer(momentum: 2)), Self.softmax3])
        #expect(throws: ArchitectureError(layer: 0, reason: "layer 1: momentum must be in [0, 1]. Received: momentum=2.0")) {
            try momentum.check()
        }
    }
}
