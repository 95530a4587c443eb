import JSON

// Keras's BatchNormalization over the last axis (channels of an image,
// features of a flat input), forward and backward on flat buffers.
//
// Shapes: `N` rows; each row is P positions × C channels (P = H·W for an
// image, 1 for a flat input); M = N·P values per channel.
//   gamma, beta            C  trainable (start 1 and 0)
//   moving_mean, _variance C  non-trainable, in the state buffer (start 0 and 1)
//   xhat                   N×P×C  kept from a training forward for the backward
//
// The defined order (every per-channel sum is over (n, p) ascending, in
// Double, from +0; threads split channels, so no sum crosses two tasks):
//   training   mean = Σx / M;  var = Σ(x − mean)² / M   (Double)
//              invstd = Float(1 / √(var + ε)) (Double, rounded once)
//              xhat = (x − Float(mean)) · invstd;  y = xhat · gamma + beta
//              moving_mean = moving_mean · m + Float(mean) · (1 − m)
//              moving_variance = moving_variance · m + Float(var) · (1 − m)
//              (m = Float(momentum), 1 − m in Float, as Keras assigns them)
//   inference  invstd = Float(1 / √(Double(moving_variance) + ε));
//              y = ((x − moving_mean) · invstd) · gamma + beta
//   backward   sg = Σ Double(g);  sgx = Σ Double(g) · Double(xhat)
//              dbeta = Float(sg);  dgamma = Float(sgx)
//              k = Float(Double(gamma) · Double(invstd) / M)
//              dx = k · ((Float(M) · g − Float(sg)) − xhat · Float(sgx))

/// Keras's `BatchNormalization`: batch statistics in training, moving
/// averages otherwise; `momentum` 0.99 and `epsilon` 0.001 by default.
public struct BatchNormalizationLayer: Layer, Equatable {
    public var momentum: Double
    public var epsilon: Double

    public init(momentum: Double = 0.99, epsilon: Double = 0.001) {
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public static let declaration = LayerDeclaration(
        word: "batchnorm", className: "BatchNormalization", baseName: "batch_normalization",
        arguments: [
            .option(
                "momentum", .number(0...1, exclusiveLower: false), default: .number(0.99),
                "weight of the old moving mean and variance in each update"),
            .option(
                "epsilon", .number(0...1, exclusiveLower: true), default: .number(0.001),
                "added to the variance before its square root"),
        ],
        summary: "BatchNormalization: each channel normalized, scaled and shifted",
        readsImages: false, keepsShape: true)

    public init(_ arguments: ArgumentValues) {
        self.init(momentum: arguments.number("momentum"), epsilon: arguments.number("epsilon"))
    }

    public static let configKeys = ["momentum", "epsilon"]

    public init(config: JSONValue) throws(LayerConfigError) {
        guard let momentum = config["momentum"]?.double, momentum >= 0, momentum <= 1 else {
            throw LayerConfigError("needs momentum, a number in [0, 1]")
        }
        guard let epsilon = config["epsilon"]?.double, epsilon > 0, epsilon.isFinite else {
            throw LayerConfigError("needs epsilon, a positive number")
        }
        self.init(momentum: momentum, epsilon: epsilon)
    }

    public var config: [JSONValue.Member] {
        [.init(key: "momentum", value: .number(momentum)), .init(key: "epsilon", value: .number(epsilon))]
    }

    public var description: String {
        var text = "batchnorm"
        if momentum != 0.99 { text += " momentum=\(momentum)" }
        if epsilon != 0.001 { text += " epsilon=\(epsilon)" }
        return text
    }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        guard momentum >= 0, momentum <= 1 else {
            return .failure(.init("momentum must be in [0, 1]. Received: momentum=\(momentum)"))
        }
        guard epsilon > 0, epsilon.isFinite else {
            return .failure(.init("epsilon must be a positive number. Received: epsilon=\(epsilon)"))
        }
        return .success(input)
    }

    func weights(input: [Int]) -> [WeightSpec] {
        let channels = input.last ?? 0
        return [
            WeightSpec(name: "gamma", shape: [channels], initializer: .ones, trainable: true),
            WeightSpec(name: "beta", shape: [channels], initializer: .zeros, trainable: true),
            WeightSpec(name: "moving_mean", shape: [channels], initializer: .zeros, trainable: false),
            WeightSpec(name: "moving_variance", shape: [channels], initializer: .ones, trainable: false),
        ]
    }

    public func shapeLine(output: [Int]) -> String { "batchnorm" }

    func plan(_ layer: PlacedLayer) -> BatchNormalizationPlan {
        let channels = layer.inputShape.last ?? 1
        return BatchNormalizationPlan(
            positions: layer.inputSize / max(channels, 1), channels: channels, momentum: Float(momentum),
            epsilon: epsilon, gamma: layer.offset("gamma"), beta: layer.offset("beta"),
            movingMean: layer.offset("moving_mean"), movingVariance: layer.offset("moving_variance"))
    }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        BatchNormalizationPass(plan: plan(layer), capacity: capacity, training: training)
    }

    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int { training ? layer.outputSize : 0 }

    func cost(_ layer: PlacedLayer) -> Int { 4 * layer.outputSize }

    // See the order at the top of this file. `saved` is xhat, then invstd (C).
    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters w: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        let plan = plan(layer)
        let (p, c) = (plan.positions, plan.channels)
        let m = rows * p
        var mean = [Float](repeating: 0, count: c)
        var invstd = [Float](repeating: 0, count: c)
        if training != nil {
            for ch in 0..<c {
                var sum = 0.0
                for i in 0..<m { sum += Double(x[i * c + ch]) }
                let mu = sum / Double(m)
                var squares = 0.0
                for i in 0..<m {
                    let d = Double(x[i * c + ch]) - mu
                    squares += d * d
                }
                let variance = squares / Double(m)
                mean[ch] = Float(mu)
                invstd[ch] = Float(1 / (variance + epsilon).squareRoot())
                let keep = plan.momentum
                state[plan.movingMean + ch] = state[plan.movingMean + ch] * keep + Float(mu) * (1 - keep)
                state[plan.movingVariance + ch] = state[plan.movingVariance + ch] * keep + Float(variance) * (1 - keep)
            }
        } else {
            for ch in 0..<c {
                mean[ch] = state[plan.movingMean + ch]
                invstd[ch] = Float(1 / (Double(state[plan.movingVariance + ch]) + epsilon).squareRoot())
            }
        }
        var y = [Float](repeating: 0, count: x.count)
        var xhat = [Float](repeating: 0, count: x.count)
        for i in 0..<m {
            for ch in 0..<c {
                let h = (x[i * c + ch] - mean[ch]) * invstd[ch]
                xhat[i * c + ch] = h
                y[i * c + ch] = h * w[plan.gamma + ch] + w[plan.beta + ch]
            }
        }
        return ReferenceOutput(output: y, saved: xhat + invstd)
    }

    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters w: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        let plan = plan(layer)
        let (p, c) = (plan.positions, plan.channels)
        let m = rows * p
        let xhat = forward.saved
        var dx = [Float](repeating: 0, count: g.count)
        for ch in 0..<c {
            var (sg, sgx) = (0.0, 0.0)
            for i in 0..<m {
                sg += Double(g[i * c + ch])
                sgx += Double(g[i * c + ch]) * Double(xhat[i * c + ch])
            }
            gradients[plan.beta + ch] = Float(sg)
            gradients[plan.gamma + ch] = Float(sgx)
            let invstd = xhat[m * c + ch]
            let k = Float(Double(w[plan.gamma + ch]) * Double(invstd) / Double(m))
            for i in 0..<m {
                dx[i * c + ch] = k * ((Float(m) * g[i * c + ch] - Float(sg)) - xhat[i * c + ch] * Float(sgx))
            }
        }
        return dx
    }
}

/// A BatchNormalization layer's geometry and where its weights live.
struct BatchNormalizationPlan {
    /// Positions per row (H·W, or 1 on a flat input) and channels.
    var positions: Int, channels: Int
    var momentum: Float
    var epsilon: Double
    /// Offsets in the parameter buffer (gamma, beta) and the state buffer (the moving pair).
    var gamma: Int, beta: Int, movingMean: Int, movingVariance: Int
}

/// A BatchNormalization layer's buffers (xhat, the batch's statistics) and
/// passes: a whole-batch forward in training, rows alone otherwise.
final class BatchNormalizationPass: LayerPass {
    let plan: BatchNormalizationPlan
    /// capacity × P × C (training).
    private let xhat: UnsafeMutablePointer<Float>
    /// Per channel: the batch mean and 1/√(var + ε) of the last training
    /// forward, then the backward's Σg and Σg·xhat.
    private let mean: UnsafeMutablePointer<Float>
    private let invstd: UnsafeMutablePointer<Float>
    private let sumG: UnsafeMutablePointer<Double>
    private let sumGX: UnsafeMutablePointer<Double>
    private var rows = 0

    /// Channels one task of the statistics takes: half of them, at least 8.
    /// Each channel's sums run in one task in (n, p) order, so any split
    /// gives the same bits.
    static func channelsPerPiece(_ channels: Int) -> Int { max(8, (channels + 1) / 2) }

    init(plan: BatchNormalizationPlan, capacity: Int, training: Bool) {
        self.plan = plan
        xhat = layerBuffer(training ? capacity * plan.positions * plan.channels : 0, Float(0))
        mean = layerBuffer(plan.channels, Float(0))
        invstd = layerBuffer(plan.channels, Float(0))
        sumG = layerBuffer(plan.channels, 0.0)
        sumGX = layerBuffer(plan.channels, 0.0)
    }

    deinit {
        xhat.deallocate()
        mean.deallocate()
        invstd.deallocate()
        sumG.deallocate()
        sumGX.deallocate()
    }

    var needsWholeBatch: Bool { true }
    var hasWeights: Bool { true }

    /// Inference: the moving statistics.
    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        let (p, c) = (plan.positions, plan.channels)
        let (w, s) = (io.parameters, io.state)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * c) { k in
            guard let k = k.baseAddress else { return }
            for ch in 0..<c {
                k[ch] = s[plan.movingMean + ch]
                k[c + ch] = Float(1 / (Double(s[plan.movingVariance + ch]) + plan.epsilon).squareRoot())
                k[2 * c + ch] = w[plan.gamma + ch]
                k[3 * c + ch] = w[plan.beta + ch]
            }
            let (mean, scale, gamma, beta) = (
                UnsafePointer(k), UnsafePointer(k + c), UnsafePointer(k + 2 * c), UnsafePointer(k + 3 * c)
            )
            let whole = c - c % 8
            for i in (chunk.lowerBound * p)..<(chunk.upperBound * p) {
                let x = io.input + i * c
                let y = io.output + i * c
                var ch = 0
                while ch < whole {
                    let v =
                        ((.loadLanes(x, ch) - .loadLanes(mean, ch)) * .loadLanes(scale, ch)) * .loadLanes(gamma, ch)
                        + SIMD8<Float>.loadLanes(beta, ch)
                    v.storeLanes(y, ch)
                    ch += 8
                }
                while ch < c {
                    y[ch] = ((x[ch] - mean[ch]) * scale[ch]) * gamma[ch] + beta[ch]
                    ch += 1
                }
            }
        }
    }

    /// Training: the batch's statistics per channel (tasks over channel
    /// pieces), the moving averages, then every row normalized.
    func forwardBatch(rows: Int, _ io: LayerIO) {
        self.rows = rows
        let (p, c, m) = (plan.positions, plan.channels, rows * plan.positions)
        let (x, plan, mean, invstd) = (io.input, plan, mean, invstd)
        let state = io.state
        ComputePool.shared.forEachPiece(of: c, piece: Self.channelsPerPiece(c), cost: 2 * m) { channels in
            let (first, count) = (channels.lowerBound, channels.count)
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * count) { sums in
                guard let sums = sums.baseAddress else { return }
                // Rows outer, channels inner (8 lanes at a time): one pass over the
                // batch, each channel's sum still in (n, p) order.
                for j in 0..<(2 * count) { sums[j] = 0 }
                let whole = count - count % 8
                for i in 0..<m {
                    let row = x + i * c + first
                    var j = 0
                    while j < whole {
                        (SIMD8<Double>.loadLanes(sums, j) + SIMD8<Double>(SIMD8<Float>.loadLanes(row, j))).storeLanes(sums, j)
                        j += 8
                    }
                    while j < count {
                        sums[j] += Double(row[j])
                        j += 1
                    }
                }
                for j in 0..<count { sums[j] = sums[j] / Double(m) }
                for i in 0..<m {
                    let row = x + i * c + first
                    var j = 0
                    while j < whole {
                        let d = SIMD8<Double>(SIMD8<Float>.loadLanes(row, j)) - SIMD8<Double>.loadLanes(sums, j)
                        (SIMD8<Double>.loadLanes(sums, count + j) + d * d).storeLanes(sums, count + j)
                        j += 8
                    }
                    while j < count {
                        let d = Double(row[j]) - sums[j]
                        sums[count + j] += d * d
                        j += 1
                    }
                }
                for j in 0..<count {
                    let ch = first + j
                    let (mu, variance) = (sums[j], sums[count + j] / Double(m))
                    mean[ch] = Float(mu)
                    invstd[ch] = Float(1 / (variance + plan.epsilon).squareRoot())
                    let keep = plan.momentum
                    state[plan.movingMean + ch] = state[plan.movingMean + ch] * keep + Float(mu) * (1 - keep)
                    state[plan.movingVariance + ch] =
                        state[plan.movingVariance + ch] * keep + Float(variance) * (1 - keep)
                }
            }
        }
        let (xhat, w, y) = (xhat, io.parameters, io.output)
        let whole = c - c % 8
        ComputePool.shared.forEachPiece(of: rows, piece: Workspace.rowsPerPiece, cost: 2 * p * c) { chunk in
            let (gamma, beta) = (w + plan.gamma, w + plan.beta)
            let (mean, invstd) = (UnsafePointer(mean), UnsafePointer(invstd))
            for i in (chunk.lowerBound * p)..<(chunk.upperBound * p) {
                let (row, hat, out) = (x + i * c, xhat + i * c, y + i * c)
                var ch = 0
                while ch < whole {
                    let h = (SIMD8<Float>.loadLanes(row, ch) - .loadLanes(mean, ch)) * .loadLanes(invstd, ch)
                    h.storeLanes(hat, ch)
                    (h * .loadLanes(gamma, ch) + .loadLanes(beta, ch)).storeLanes(out, ch)
                    ch += 8
                }
                while ch < c {
                    let h = (row[ch] - mean[ch]) * invstd[ch]
                    hat[ch] = h
                    out[ch] = h * gamma[ch] + beta[ch]
                    ch += 1
                }
            }
        }
    }

    func weightGradients(
        rows: Int, _ io: LayerIO, dz g: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        done: ((Range<Int>) -> Void)?
    ) {
        let (c, m) = (plan.channels, rows * plan.positions)
        let (plan, xhat, sumG, sumGX) = (plan, xhat, sumG, sumGX)
        ComputePool.shared.forEachPiece(of: c, piece: Self.channelsPerPiece(c), cost: 2 * m) { channels in
            let (first, count) = (channels.lowerBound, channels.count)
            for j in 0..<count {
                sumG[first + j] = 0
                sumGX[first + j] = 0
            }
            let whole = count - count % 8
            let (sg, sgx) = (sumG + first, sumGX + first)
            for i in 0..<m {
                let (row, hat) = (g + i * c + first, UnsafePointer(xhat) + i * c + first)
                var j = 0
                while j < whole {
                    let gv = SIMD8<Double>(SIMD8<Float>.loadLanes(row, j))
                    (SIMD8<Double>.loadLanes(sg, j) + gv).storeLanes(sg, j)
                    (SIMD8<Double>.loadLanes(sgx, j) + gv * SIMD8<Double>(SIMD8<Float>.loadLanes(hat, j))).storeLanes(sgx, j)
                    j += 8
                }
                while j < count {
                    sg[j] += Double(row[j])
                    sgx[j] += Double(row[j]) * Double(hat[j])
                    j += 1
                }
            }
            for ch in channels {
                gradients[plan.beta + ch] = Float(sumG[ch])
                gradients[plan.gamma + ch] = Float(sumGX[ch])
            }
        }
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz g: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let (p, c) = (plan.positions, plan.channels)
        let m = rows * p
        let w = io.parameters
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * c) { k in
            for ch in 0..<c {
                k[ch] = Float(Double(w[plan.gamma + ch]) * Double(invstd[ch]) / Double(m))
                k[c + ch] = Float(sumG[ch])
                k[2 * c + ch] = Float(sumGX[ch])
            }
            guard let k = UnsafePointer(k.baseAddress) else { return }
            let count = Float(m)
            let counts = SIMD8<Float>(repeating: count)
            let whole = c - c % 8
            for i in (chunk.lowerBound * p)..<(chunk.upperBound * p) {
                let (row, hat, out) = (g + i * c, UnsafePointer(xhat) + i * c, dx + i * c)
                var ch = 0
                while ch < whole {
                    let v =
                        SIMD8<Float>.loadLanes(k, ch)
                        * ((counts * .loadLanes(row, ch) - .loadLanes(k, c + ch)) - .loadLanes(hat, ch)
                            * .loadLanes(k, 2 * c + ch))
                    v.storeLanes(out, ch)
                    ch += 8
                }
                while ch < c {
                    out[ch] = k[ch] * ((count * row[ch] - k[c + ch]) - hat[ch] * k[2 * c + ch])
                    ch += 1
                }
            }
        }
    }
}

// Keras files and ONNX: Keras's variables come as gamma, beta, moving_mean,
// moving_variance. ONNX `BatchNormalization` (inference form) on (N, C) or NCHW.
extension BatchNormalizationLayer {
    static let kerasVariables: [String]? = ["gamma", "beta", "moving_mean", "moving_variance"]

    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        // Keras writes -1 (or [-1]); 1 and 3 are the last axis of (N, C) and (N, H, W, C).
        let axis = keras.config["axis"]?.integer ?? keras.config["axis"]?[0]?.integer ?? -1
        guard [-1, 1, 3].contains(axis), keras.config["axis"]?[1] == nil else {
            throw LayerConfigError(
                "dnb normalizes the last (channel) axis only. Received: axis=\(keras.config["axis"]?.serialized ?? "")")
        }
        if keras.config["center"] == .bool(false) || keras.config["scale"] == .bool(false) {
            throw LayerConfigError("dnb's batch normalization has both gamma and beta (center=True, scale=True)")
        }
        if keras.config["renorm"] == .bool(true) { throw LayerConfigError("dnb has no batch renormalization") }
        return .layer(try keras.layer(Self.self), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        let channels = output.last ?? 1
        if output.count == 3 { graph.channelsFirstImage() }
        let name = graph.unique("batch_normalization")
        let inputs = ["gamma", "beta", "moving_mean", "moving_variance"].map { weight in
            graph.constant("\(name).\(weight)", dims: [channels], weights[weight] ?? [])
        }
        graph.apply("BatchNormalization", inputs, [.float("epsilon", Float(epsilon))], shape: output)
    }
}
