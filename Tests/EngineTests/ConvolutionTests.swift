import Testing

@testable import Engine

/// Conv2D, MaxPooling2D, Flatten and Dropout: Keras's shapes and counts,
/// the errors bad stacks get, gradients against finite differences, and the
/// fast path against the plain reference, bit for bit, at any thread count.
struct ConvolutionTests {
    /// The keras-io "Simple MNIST convnet".
    static let kerasConvnet = Architecture(
        inputShape: Architecture.mnistImage,
        stack: [
            .conv2D(Conv2DLayer(filters: 32, kernelSize: 3, activation: .relu)), .maxPooling2D(poolSize: 2),
            .conv2D(Conv2DLayer(filters: 64, kernelSize: 3, activation: .relu)), .maxPooling2D(poolSize: 2),
            .flatten, .dropout(rate: 0.5), .dense(DenseLayer(units: 10, activation: .softmax)),
        ])

    /// A small convnet with every kind of layer, `same` padding and stride 2.
    static let smallConvnet = Architecture(
        inputShape: Architecture.mnistImage,
        stack: [
            .conv2D(Conv2DLayer(filters: 4, kernelSize: 3, strides: 2, padding: .same, activation: .relu)),
            .conv2D(Conv2DLayer(filters: 8, kernelSize: 3, activation: .tanh)), .maxPooling2D(poolSize: 2),
            .flatten, .dropout(rate: 0.25), .dense(DenseLayer(units: 16, activation: .relu)), .dropout(rate: 0.1),
            .dense(DenseLayer(units: 10, activation: .softmax)),
        ])

    @Test func kerasConvnetSummaryMatchesKeras() throws {
        let rows = try Self.kerasConvnet.summary()
        #expect(rows.map(\.name) == ["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dropout", "dense"])
        #expect(rows.map(\.className) == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dropout", "Dense"])
        #expect(
            rows.map(\.outputShapeText) == [
                "(None, 26, 26, 32)", "(None, 13, 13, 32)", "(None, 11, 11, 64)", "(None, 5, 5, 64)", "(None, 1600)",
                "(None, 1600)", "(None, 10)",
            ])
        #expect(rows.map(\.parameterCount) == [320, 0, 18_496, 0, 0, 0, 16_010])
        #expect(Self.kerasConvnet.parameterCount == 34_826)
        #expect(Self.kerasConvnet.inputWidth == 784)
        #expect(!Self.kerasConvnet.isDense)
        let model = try Model(architecture: Self.kerasConvnet, seed: 1)
        #expect(model.parameters.count == 34_826)
        #expect(model.parameterRanges(layer: 2) == (320..<18_752, 18_752..<18_816))
        #expect(model.parameterRanges(layer: 1) == (320..<320, 320..<320))
    }

    @Test func sameAndStridedShapes() throws {
        func shapes(_ stack: [LayerSpec], input: [Int] = [28, 28, 1]) throws -> [[Int]] {
            try Architecture(inputShape: input, stack: stack + [.flatten, .dense(DenseLayer(units: 10, activation: .softmax))])
                .summary().dropLast(2).map(\.outputShape)
        }
        #expect(try shapes([.conv2D(Conv2DLayer(filters: 8, kernelSize: 3, padding: .same))]) == [[28, 28, 8]])
        #expect(try shapes([.conv2D(Conv2DLayer(filters: 8, kernelSize: 3, strides: 2))]) == [[13, 13, 8]])
        #expect(try shapes([.conv2D(Conv2DLayer(filters: 8, kernelSize: 3, strides: 2, padding: .same))]) == [[14, 14, 8]])
        #expect(
            try shapes([.conv2D(Conv2DLayer(filters: 2, kernelSize: 4, strides: 2, padding: .same))], input: [7, 7, 3]) == [
                [4, 4, 2]
            ])
        #expect(try shapes([.maxPooling2D(poolSize: 3)]) == [[9, 9, 1]])
        let same = Architecture(
            inputShape: [7, 7, 3],
            stack: [
                .conv2D(Conv2DLayer(filters: 2, kernelSize: 4, strides: 2, padding: .same)), .flatten,
                .dense(DenseLayer(units: 2, activation: .softmax)),
            ])
        // TensorFlow's split: total padding (4-1)·2 + 4 − 7 = 3, 1 before and 2 after.
        let placed = same.placed[0]
        guard let plan = (placed.layer as? Conv2DLayer)?.plan(placed) else { Issue.record("not a conv"); return }
        #expect(plan.padTop == 1 && plan.padLeft == 1)
    }

    @Test(arguments: [
        ([LayerSpec.conv2D(Conv2DLayer(filters: 4, kernelSize: 30)), .flatten], 0, "larger than its input"),
        ([.maxPooling2D(poolSize: 14), .maxPooling2D(poolSize: 3), .flatten], 1, "leaves nothing"),
        ([.conv2D(Conv2DLayer(filters: 4, kernelSize: 3))], 1, "add flatten before it"),
        ([.flatten, .conv2D(Conv2DLayer(filters: 4, kernelSize: 3))], 1, "conv2d takes an image"),
        ([.flatten, .maxPooling2D(poolSize: 2)], 1, "max_pooling2d takes an image"),
        ([.conv2D(Conv2DLayer(filters: 0, kernelSize: 3)), .flatten], 0, "Received: filters=0"),
        ([.conv2D(Conv2DLayer(filters: 2, kernelSize: 3, strides: 0)), .flatten], 0, "Received: strides=0"),
        ([.flatten, .dropout(rate: 1)], 1, "Received: rate=1.0"),
        ([.conv2D(Conv2DLayer(filters: 2, kernelSize: 3, activation: .softmax)), .flatten], 0, "softmax is only allowed"),
    ])
    func badStacksNameTheirLayer(_ stack: [LayerSpec], _ layer: Int, _ fragment: String) {
        let architecture = Architecture(
            inputShape: Architecture.mnistImage, stack: stack + [.dense(DenseLayer(units: 10, activation: .softmax))])
        #expect {
            try architecture.check()
        } throws: { error in
            guard let error = error as? ArchitectureError else { return false }
            return error.layer == layer && error.reason.contains(fragment) && error.reason.hasPrefix("layer \(layer + 1)")
        }
        #expect(throws: EngineError.self) { _ = try Model(architecture: architecture, seed: 1) }
    }

    @Test func lastLayerMustBeDenseSoftmax() {
        let architecture = Architecture(
            inputShape: [4], stack: [.dense(DenseLayer(units: 3, activation: .relu)), .dropout(rate: 0.5)])
        #expect(
            throws: ArchitectureError(
                layer: 1,
                reason:
                    "the last layer must use softmax activation, because the loss is categorical cross-entropy on class probabilities. Received: a dropout layer on layer 2"
            )
        ) {
            try architecture.check()
        }
    }

    // MARK: - Gradients

    static let rows = 3

    /// Mean loss of a training forward (dropout masks of step 1 on).
    static func loss(_ model: Model, _ x: [Float], _ labels: [UInt8], _ parameters: [Float]) -> Double {
        let workspace = Workspace(model: model, capacity: rows, training: true)
        workspace.setTrainingStep(seed: 3, step: 1, augmentation: nil)
        return x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                parameters.withUnsafeBufferPointer { p in
                    let inputs = InputRows(source: .features(x.baseAddress!), count: rows, width: model.architecture.inputWidth)
                    return workspace.forward(
                        inputs, first: 0, rows: rows, parameters: p.baseAddress!, labels: y.baseAddress!,
                        gradientScale: 1, startingFrom: .init()
                    ).loss / Double(rows)
                }
            }
        }
    }

    /// Backpropagated gradient of the mean loss (same dropout masks).
    static func gradient(_ model: Model, _ x: [Float], _ labels: [UInt8]) -> [Float] {
        let workspace = Workspace(model: model, capacity: rows, training: true)
        workspace.setTrainingStep(seed: 3, step: 1, augmentation: nil)
        var gradients = [Float](repeating: .nan, count: model.parameters.count)
        x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                model.parameters.withUnsafeBufferPointer { p in
                    gradients.withUnsafeMutableBufferPointer { g in
                        let inputs = InputRows(
                            source: .features(x.baseAddress!), count: rows, width: model.architecture.inputWidth)
                        _ = workspace.forward(
                            inputs, first: 0, rows: rows, parameters: p.baseAddress!, labels: y.baseAddress!,
                            gradientScale: 1 / Float(rows), startingFrom: .init())
                        workspace.backward(parameters: p.baseAddress!, gradients: g.baseAddress!)
                    }
                }
            }
        }
        return gradients
    }

    static func checkGradients(_ architecture: Architecture, seed: UInt64, step h: Float = 1e-2) throws {
        let model = try Model(architecture: architecture, seed: seed)
        for index in model.layers.indices {
            let bias = model.parameterRanges(layer: index).bias
            for (j, b) in Fixture.uniform(bias.count, -0.3, 0.3, seed: seed &+ UInt64(bias.lowerBound)).enumerated() {
                model.parameters[bias.lowerBound + j] = b
            }
        }
        let x = Fixture.uniform(rows * architecture.inputWidth, -1, 1, seed: seed &* 31)
        let labels = (0..<rows).map { UInt8($0 % architecture.classes) }
        let analytic = gradient(model, x, labels)
        var state = model.state
        let reference = ReferenceTraining.gradients(
            layers: model.layers, parameters: model.parameters, state: &state, batch: x, labels: labels, seed: 3, step: 1)
        #expect(differingBits(analytic, reference.gradients) == 0, "fast gradients differ from the reference")
        var worst = 0.0
        for i in model.parameters.indices {
            var plus = model.parameters
            var minus = model.parameters
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(model, x, labels, plus) - loss(model, x, labels, minus)) / Double(plus[i] - minus[i])
            let error = abs(Double(analytic[i]) - numeric) / (1e-3 + abs(numeric))
            worst = max(worst, error)
            #expect(
                abs(Double(analytic[i]) - numeric) <= 1e-3 + 2e-2 * abs(numeric),
                "parameter \(i): backprop \(analytic[i]), finite difference \(numeric)")
        }
    }

    static func conv(_ filters: Int, _ k: Int, _ stride: Int, _ padding: Padding, _ activation: Activation) -> LayerSpec {
        .conv2D(Conv2DLayer(filters: filters, kernelSize: k, strides: stride, padding: padding, activation: activation))
    }

    static let head: [LayerSpec] = [.flatten, .dense(DenseLayer(units: 3, activation: .softmax))]

    @Test func convValidThenSameStrideTwo() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [7, 6, 2], stack: [Self.conv(3, 3, 1, .valid, .tanh), Self.conv(2, 3, 2, .same, .tanh)] + Self.head),
            seed: 2)
    }

    @Test func convSameThenValidStrideTwo() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [6, 7, 2],
                stack: [Self.conv(3, 3, 1, .same, .sigmoid), Self.conv(2, 2, 2, .valid, .linear)] + Self.head),
            seed: 5)
    }

    /// Two layers whose products read their input in place, the second
    /// with 9 filters: a vector's tail is masked or overlaps, and a tile's
    /// rows reach across output rows.
    @Test func convReadingItsInputInPlace() throws {
        let architecture = Architecture(
            inputShape: [7, 6, 6], stack: [Self.conv(8, 3, 1, .valid, .tanh), Self.conv(9, 2, 1, .valid, .sigmoid)] + Self.head)
        let plans = architecture.placed.prefix(2).compactMap { ($0.layer as? Conv2DLayer)?.plan($0) }
        #expect(plans.map(\.readsInPlace) == [true, true])
        #expect(plans[0].windowOffsets().prefix(6) == [0, 6, 12, 18, 36, 42])
        try Self.checkGradients(architecture, seed: 11)
    }

    /// The count that picks dx's product path (both give the same bits):
    /// +0 and −0 count, NaN and tiny values do not, tails past the last 8 too.
    @Test func zeroCountCountsEveryZero() {
        var values = [Float](repeating: 1, count: 29)
        for i in [0, 3, 7, 8, 16, 27, 28] { values[i] = 0 }
        values[9] = -0.0
        values[10] = .nan
        values[11] = .leastNonzeroMagnitude
        #expect(Convolution.zeroCount(values, values.count) == 8)
        #expect(Convolution.zeroCount(values, 8) == 3)
        #expect(Convolution.zeroCount(values, 0) == 0)
    }

    /// Which layers skip the patches: stride 1 without padding (a 1x1
    /// kernel's `same` has none).
    @Test func inPlaceProductsWhereTheyPay() throws {
        func inPlace(_ architecture: Architecture) -> [Bool] {
            architecture.placed.compactMap { ($0.layer as? Conv2DLayer)?.plan($0).readsInPlace }
        }
        #expect(inPlace(Self.kerasConvnet) == [true, true])
        #expect(inPlace(Self.smallConvnet) == [false, true])
        let padded = Architecture(
            inputShape: [8, 8, 16],
            stack: [Self.conv(4, 3, 1, .same, .relu), Self.conv(4, 1, 1, .same, .relu), Self.conv(4, 3, 2, .valid, .relu)]
                + Self.head)
        #expect(inPlace(padded) == [false, true, false])
    }

    /// dx from a mostly-zero dz (below a pooling) of a layer read in place:
    /// each position's row added straight into dx, rows without terms
    /// skipped, gives the bits of the whole dcols followed by col2im, on
    /// the 8-lane and the 16-lane paths.
    @Test(arguments: [false, true])
    func sparseInputGradientAddsRowsAsCol2imDoes(wide: Bool) throws {
        guard !wide || ProductKernels.wideAvailable else { return }
        let plan = ConvolutionPlan(
            inHeight: 7, inWidth: 6, channels: 5, outHeight: 5, outWidth: 4, filters: 20, kernel: 3, stride: 1, padTop: 0,
            padLeft: 0, activation: .relu, kernelOffset: 0, biasOffset: 0)
        #expect(plan.readsInPlace)
        var dz = Fixture.uniform(plan.outputSize, -1, 1, seed: 12)
        for i in dz.indices where i % 5 != 0 || (i / plan.filters) % 7 == 3 { dz[i] = 0 }
        let kernel = Fixture.uniform(plan.patch * plan.filters, -1, 1, seed: 13)
        var transposed = [Float](repeating: 0, count: kernel.count)
        MatrixProduct.transpose(kernel, rows: plan.filters, columns: plan.patch, into: &transposed)
        var dcols = [Float](repeating: .nan, count: plan.positions * plan.patch)
        var expected = [Float](repeating: .nan, count: plan.inputSize)
        var fused = [Float](repeating: .nan, count: plan.inputSize)
        ProductKernels.$pinnedWideTiles.withValue(wide) {
            MatrixProduct.multiply(
                m: plan.positions, n: plan.patch, k: plan.filters, a: dz, rowStride: plan.filters, columnStride: 1,
                b: transposed, ldb: plan.patch, c: &dcols, ldc: plan.patch, rows: 0..<plan.positions)
            Convolution.col2im(dcols, plan, into: &expected)
            Convolution.inputGradient(
                outputGradient: dz, row: 0, plan: plan, transposedKernel: transposed, dcols: &dcols, into: &fused)
        }
        #expect(differingBits(fused, expected) == 0)
        #expect(fused.contains { $0 != 0 })
    }

    /// A convolution read in place that pools its own output gives the bits
    /// of its product followed by max pooling's own pass, and in training the
    /// same maxima's places: column counts that take every mask of the 16-lane tiles, pooled
    /// rows of two windows and of one, a last row and column no window reads,
    /// relu's ties at +0, and a NaN that wins only where a window reads it
    /// first. On the AVX-512 tiles (pooled before the store: relu and
    /// linear) and off them (the product, then the pooling, per example).
    @Test(arguments: [false, true])
    func convolutionPoolsItsOutputAsMaxPoolingDoes(wide: Bool) {
        guard !wide || ProductKernels.wideAvailable else { return }
        for filters in [3, 8, 20, 40, 64] {
            for activation in [Activation.relu, .linear, .tanh] {
                let plan = ConvolutionPlan(
                    inHeight: 9, inWidth: 13, channels: 3, outHeight: 7, outWidth: 11, filters: filters, kernel: 3,
                    stride: 1, padTop: 0, padLeft: 0, activation: activation, kernelOffset: 0,
                    biasOffset: 27 * filters)
                let pooling = PoolingPlan(inHeight: 7, inWidth: 11, channels: filters, outHeight: 3, outWidth: 5, size: 2)
                #expect(plan.readsInPlace)
                let rows = 2
                let parameters = Fixture.uniform(plan.biasOffset + filters, -0.5, 0.5, seed: UInt64(filters))
                var x = Fixture.uniform(rows * plan.inputSize, -1, 1, seed: 5)
                // Covered by windows that read it first and by windows that read it later.
                x[plan.inputSize + (4 * plan.inWidth + 5) * plan.channels + 1] = .nan
                let offsets = plan.windowOffsets()
                var unpooled = [Float](repeating: .nan, count: rows * plan.outputSize)
                var expected = [Float](repeating: .nan, count: rows * pooling.outputSize)
                var expectedPlaces = [Int32](repeating: -1, count: rows * pooling.outputSize)
                var fused = [Float](repeating: .nan, count: rows * pooling.outputSize)
                var inference = [Float](repeating: .nan, count: rows * pooling.outputSize)
                var places = [Int32](repeating: -1, count: rows * pooling.outputSize)
                ProductKernels.$pinnedWideTiles.withValue(wide) {
                    Convolution.forwardInPlace(
                        input: x, rows: 0..<rows, plan: plan, parameters: parameters, offsets: offsets, output: &unpooled)
                    for r in 0..<rows {
                        unpooled.withUnsafeBufferPointer { z in
                            expected.withUnsafeMutableBufferPointer { a in
                                expectedPlaces.withUnsafeMutableBufferPointer { i in
                                    MaxPooling.forward(
                                        z.baseAddress! + r * plan.outputSize, pooling,
                                        output: a.baseAddress! + r * pooling.outputSize,
                                        argmax: i.baseAddress! + r * pooling.outputSize)
                                }
                            }
                        }
                    }
                    let scratch = ScratchBuffers(count: plan.outputSize)
                    places.withUnsafeMutableBufferPointer { i in
                        Convolution.forwardPooled(
                            input: x, rows: 0..<rows, plan: plan, pooling: pooling, parameters: parameters,
                            offsets: offsets, scratch: scratch, output: &fused, argmax: i.baseAddress)
                    }
                    Convolution.forwardPooled(
                        input: x, rows: 0..<rows, plan: plan, pooling: pooling, parameters: parameters, offsets: offsets,
                        scratch: scratch, output: &inference, argmax: nil)
                }
                #expect(differingBits(fused, expected) == 0, "\(filters) filters, \(activation)")
                #expect(differingBits(inference, expected) == 0, "\(filters) filters, \(activation), inference")
                #expect(places == expectedPlaces, "\(filters) filters, \(activation): the maxima's places")
                #expect(expected.contains { $0.isNaN } && expected.contains { !$0.isNaN && $0 != 0 })
            }
        }
    }

    /// Each relu conv of the keras-io convnet pools its own output: the max
    /// pooling layers share their buffers and do nothing in their forwards
    /// (in training too: the pooling takes relu's derivative, so no backward
    /// reads the conv's own output; a tanh conv's would, so it does not
    /// pool). The probabilities are the reference forward's, bit for bit, at
    /// 1, 2 and 4 threads (a last row and column no window reads, and pooled
    /// rows of an odd number of windows, in the second stage); training is
    /// `kerasConvnetTrainsToTheReferenceBits`.
    @Test func convolutionsPoolTheirOutput() throws {
        let model = try Model(architecture: Self.kerasConvnet, seed: 3)
        let inference = Workspace(model: model, capacity: 4, training: false)
        #expect(inference.passes.indices.filter { inference.shares(output: $0) } == [1, 3, 4, 5])
        let training = Workspace(model: model, capacity: 4, training: true)
        #expect(training.passes.indices.filter { training.shares(output: $0) } == [1, 3, 4])
        let tanh = Workspace(
            model: try Model(architecture: Self.smallConvnet, seed: 3), capacity: 4, training: true)
        #expect(tanh.passes.indices.filter { tanh.shares(output: $0) } == [3])
        let rows = 11
        let x = Fixture.uniform(rows * 784, 0, 1, seed: 9)
        var expected: [Float] = []
        for r in 0..<rows {
            expected += try model.layerOutputs(features: Array(x[(r * 784)..<((r + 1) * 784)])).last ?? []
        }
        for threads in [1, 2, 4] {
            let fast = try ComputeThreads.$override.withValue(threads) { try model.predict(features: x, count: rows) }
            #expect(differingBits(fast, expected) == 0, "\(threads) threads")
        }
    }

    @Test func maxPoolingPassesGradientsToItsMaxima() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [6, 6, 2],
                stack: [Self.conv(3, 3, 1, .same, .tanh), .maxPooling2D(poolSize: 2), Self.conv(2, 2, 1, .valid, .tanh)]
                    + Self.head),
            seed: 7, step: 1e-3)
    }

    /// relu → max pooling: the pooling's backward applies the relu derivative
    /// itself (winners not above 0, NaN among them, get +0), writing every
    /// value once, the rows and columns no window reads included; the same
    /// bits as the plain scatter followed by relu's own backward.
    @Test(arguments: [3, 16, 19])
    func maxPoolingFoldsTheReluDerivativeBelowIt(channels: Int) {
        let plan = PoolingPlan(inHeight: 7, inWidth: 5, channels: channels, outHeight: 3, outWidth: 2, size: 2)
        var x = Fixture.uniform(plan.inputSize, -1, 1, seed: UInt64(channels)).map { max($0, 0) }
        x[channels + 1] = .nan
        x[0] = 0
        let dz = Fixture.uniform(plan.outputSize, -1, 1, seed: 77)
        var a = [Float](repeating: 0, count: plan.outputSize)
        var argmax = [Int32](repeating: 0, count: plan.outputSize)
        MaxPooling.forward(x, plan, output: &a, argmax: &argmax)
        var expected = [Float](repeating: 0, count: plan.inputSize)
        for j in 0..<plan.outputSize { expected[Int(argmax[j])] = dz[j] }
        Activation.relu.backward(gradient: &expected, output: x, count: x.count)
        var plain = [Float](repeating: .nan, count: plan.inputSize)
        MaxPooling.backward(dz, plan, argmax: argmax, maxima: nil, into: &plain)
        Activation.relu.backward(gradient: &plain, output: x, count: x.count)
        var folded = [Float](repeating: .nan, count: plan.inputSize)
        MaxPooling.backward(dz, plan, argmax: argmax, maxima: a, into: &folded)
        #expect(differingBits(plain, expected) == 0)
        #expect(differingBits(folded, expected) == 0)
        #expect(expected.contains { $0 != 0 } && expected.contains { $0 == 0 })
    }

    /// A training workspace hands a relu's derivative to the max pooling
    /// above it, and to nothing else.
    @Test func reluUnderMaxPoolingIsFolded() throws {
        let model = try Model(architecture: Self.kerasConvnet, seed: 1)
        let training = Workspace(model: model, capacity: 4, training: true)
        let folds = training.passes.map { ($0 as? MaxPoolingPass)?.appliesReluBelow }
        #expect(folds.compactMap { $0 } == [true, true])
        let inference = Workspace(model: model, capacity: 4, training: false)
        #expect(inference.passes.compactMap { ($0 as? MaxPoolingPass)?.appliesReluBelow } == [false, false])
    }

    @Test func dropoutWithAFixedMask() throws {
        try Self.checkGradients(
            Architecture(
                inputShape: [4, 4, 2],
                stack: [
                    .flatten, .dropout(rate: 0.4), .dense(DenseLayer(units: 5, activation: .tanh)), .dropout(rate: 0.3),
                    .dense(DenseLayer(units: 3, activation: .softmax)),
                ]),
            seed: 9)
    }

    // MARK: - Same bits

    /// Synthetic 28x28 digits: strokes of ink with labels from where the ink is.
    static func images(count: Int, seed: UInt64) throws -> Examples {
        try DefinedOrderTests.digits(count: count, seed: seed)
    }

    func expectSameBits(
        _ architecture: Architecture, count: Int, batch: Int, epochs: Int, optimizer: Optimizer,
        schedule: LearningRateSchedule? = nil, weightDecay: Float = 0, labelSmoothing: Float = 0
    ) throws {
        let examples = try Self.images(count: count + 64, seed: 5)
        let (training, validation) = try examples.splitForValidation(64.0 / Double(examples.count))
        let configuration = FitConfiguration(
            epochs: epochs, batchSize: batch, shuffle: true, seed: 3, schedule: schedule, weightDecay: weightDecay,
            labelSmoothing: labelSmoothing)
        let model = try Model(architecture: architecture, seed: 3)
        let start = model.parameters
        let result = try quietFit(model, training, validation: validation, optimizer: optimizer, configuration)
        let reference = ReferenceTraining.fit(
            layers: model.layers, parameters: start, training: training, validation: validation, optimizer: optimizer,
            configuration: configuration)
        #expect(differingBits(model.parameters, reference.parameters) == 0, "weights that differ from the reference")
        let figures = result.epochs.map {
            ReferenceTraining.Epoch(
                loss: $0.loss, accuracy: $0.accuracy, validationLoss: $0.validationLoss,
                validationAccuracy: $0.validationAccuracy)
        }
        #expect(figures == reference.epochs)
        #expect(figures.allSatisfy { $0.loss.isFinite })
        let evaluation = try model.evaluate(validation!)
        let totals = ReferenceTraining.evaluate(
            layers: model.layers, parameters: model.parameters, features: validation!.features, labels: validation!.labels)
        #expect(evaluation.loss == totals.loss / Double(validation!.count))
    }

    @Test func smallConvnetTrainsToTheReferenceBits() throws {
        try expectSameBits(Self.smallConvnet, count: 400, batch: 8, epochs: 2, optimizer: .adam())
    }

    /// A schedule, weight decay and label smoothing through conv, pooling and dropout.
    @Test func smallConvnetWithTrainingControlsTrainsToTheReferenceBits() throws {
        try expectSameBits(
            Self.smallConvnet, count: 400, batch: 8, epochs: 2, optimizer: .sgd(learningRate: 0.05, momentum: 0.9),
            schedule: .cosine(initial: 0.05, decaySteps: 80, alpha: 0.05, warmupSteps: 0, warmupTarget: nil),
            weightDecay: 0.01, labelSmoothing: 0.15)
    }

    @Test func kerasConvnetTrainsToTheReferenceBits() throws {
        try expectSameBits(Self.kerasConvnet, count: 300, batch: 32, epochs: 2, optimizer: .adam())
    }

    @Test func dropoutBetweenDenseLayersTrainsToTheReferenceBits() throws {
        let architecture = Architecture(
            inputShape: [784],
            stack: [
                .dense(DenseLayer(units: 32, activation: .relu)), .dropout(rate: 0.2),
                .dense(DenseLayer(units: 10, activation: .softmax)),
            ])
        try expectSameBits(
            architecture, count: 600, batch: 16, epochs: 2, optimizer: .sgd(learningRate: 0.1, momentum: 0.9, nesterov: false))
    }

    @Test func anyThreadCountGivesTheSameBits() throws {
        let examples = try Self.images(count: 300, seed: 8)
        let configuration = FitConfiguration(epochs: 1, batchSize: 64, seed: 4)
        var results: [[Float]] = []
        var losses: [Double] = []
        for threads in [1, 2, 4] {
            try ComputeThreads.$override.withValue(threads) {
                let model = try Model(architecture: Self.kerasConvnet, seed: 4)
                let fit = try quietFit(model, examples, optimizer: .adam(), configuration)
                results.append(model.parameters)
                losses.append(fit.epochs[0].loss)
                let probabilities = try model.predict(try examples.rows(0..<100))
                results.append(probabilities)
            }
        }
        #expect(differingBits(results[0], results[2]) == 0 && differingBits(results[0], results[4]) == 0)
        #expect(differingBits(results[1], results[3]) == 0 && differingBits(results[1], results[5]) == 0)
        #expect(losses[0] == losses[1] && losses[0] == losses[2])
    }

    // MARK: - Model files

    @Test func modelFilesKeepKerasNamesAndShapes() throws {
        let model = try Model(architecture: Self.kerasConvnet, seed: 2)
        let examples = try Self.images(count: 64, seed: 1)
        try quietFit(model, examples, optimizer: .adam(), FitConfiguration(epochs: 1, batchSize: 32, seed: 2))
        let bytes = try ModelFile(model: model, inputScaling: .scale, epochs: 1).encode()
        let header = split(bytes).header
        guard case .object(let members) = header else { Issue.record("no header"); return }
        var shapes: [String: [Int]] = [:]
        for member in members {
            if case .array(let dims)? = member.value["shape"] { shapes[member.key] = dims.compactMap(\.integer) }
        }
        #expect(shapes["conv2d.kernel"] == [3, 3, 1, 32])
        #expect(shapes["conv2d.bias"] == [32])
        #expect(shapes["conv2d_1.kernel"] == [3, 3, 32, 64])
        #expect(shapes["conv2d_1.bias"] == [64])
        #expect(shapes["dense.kernel"] == [1600, 10])
        #expect(shapes["dense.bias"] == [10])
        #expect(shapes["optimizer.momentum.conv2d_1.kernel"] == [3, 3, 32, 64])
        #expect(shapes.count == 6 * 3)
        let file = try ModelFile.decode(bytes)
        #expect(file.architecture == Self.kerasConvnet)
        #expect(differingBits(file.parameters, model.parameters) == 0)
        #expect(file.optimizerState?.iterations == 2)
        let architectureText = try #require(header["__metadata__"]?["architecture"]?.string)
        #expect(
            architectureText.contains(
                #"{"name":"conv2d_1","class_name":"Conv2D","filters":64,"kernel_size":[3,3],"strides":[1,1],"padding":"valid","activation":"relu"}"#
            ))
        #expect(architectureText.contains(#"{"name":"dropout","class_name":"Dropout","rate":0.5}"#))
        #expect(architectureText.hasPrefix(#"{"input_shape":[28,28,1],"layers":["#))
    }

    @Test func everyLayerKindRoundTrips() throws {
        let model = try Model(architecture: Self.smallConvnet, seed: 6)
        let file = try ModelFile.decode(try ModelFile(model: model, inputScaling: .scale, epochs: 0).encode())
        #expect(file.architecture == Self.smallConvnet)
        #expect(file.parameters == model.parameters)
    }

    @Test func resumingFromAFileRepeatsAnUninterruptedFit() throws {
        let examples = try Self.images(count: 200, seed: 12)
        let configuration = FitConfiguration(epochs: 1, batchSize: 32, seed: 9)
        let straight = try Model(architecture: Self.smallConvnet, seed: 1)
        var twoEpochs = configuration
        twoEpochs.epochs = 2
        let whole = try quietFit(straight, examples, optimizer: .adam(), twoEpochs)

        let first = try Model(architecture: Self.smallConvnet, seed: 1)
        try quietFit(first, examples, optimizer: .adam(), configuration)
        let saved = try ModelFile(model: first, inputScaling: .scale, epochs: 1).encode()
        let resumed = try ModelFile.decode(saved).makeModel()
        let second = try quietFit(resumed, examples, optimizer: .adam(), configuration)
        #expect(differingBits(resumed.parameters, straight.parameters) == 0)
        #expect(second.epochs[0].loss == whole.epochs[1].loss)
    }

    @Test func badArchitectureMetadataIsRefused() throws {
        let model = try Model(architecture: Self.kerasConvnet, seed: 2)
        let bytes = try ModelFile(model: model, inputScaling: .scale, epochs: 0).encode()
        // The same length, so only the metadata changes: a non-square kernel.
        let from = Array(#"\"kernel_size\":[3,3]"#.utf8)
        var bad = bytes
        let at = try #require((0..<(bytes.count - from.count)).first { Array(bytes[$0..<($0 + from.count)]) == from })
        bad[at + from.count - 2] = UInt8(ascii: "2")
        #expect(
            throws: ModelFileError.badMetadata(
                key: "architecture", reason: "layer conv2d needs kernel_size, two equal positive integers")
        ) {
            _ = try ModelFile.decode(bad)
        }
    }
}

/// `Model.layerOutputs`: every layer's output for one example, shaped as the summary says.
struct LayerOutputTests {
    @Test(arguments: [ConvolutionTests.kerasConvnet, ConvolutionTests.smallConvnet, ArchitectureTests.seedA])
    func layerOutputsHaveTheSummaryShapesAndPredictsBits(_ architecture: Architecture) throws {
        let model = try Model(architecture: architecture, seed: 4)
        let examples = try ConvolutionTests.images(count: 3, seed: 2)
        let pixels = PixelInputTests.pixels(rows: 1, width: 784, density: 0.19, seed: 9)
        let outputs = try model.layerOutputs(pixels: pixels, scaling: .scale)
        let summary = try architecture.summary()
        #expect(outputs.map(\.count) == summary.map { $0.outputShape.reduce(1, *) })
        let predicted = try model.predict(pixels: pixels, count: 1, scaling: .scale)
        #expect(differingBits(outputs[outputs.count - 1], predicted) == 0)
        let features = try examples.rows(1..<2).features
        #expect(
            differingBits(
                try model.layerOutputs(features: features).last ?? [], try model.predict(features: features, count: 1))
                == 0)
        #expect(throws: EngineError.self) { _ = try model.layerOutputs(features: [1, 2, 3]) }
    }
}
