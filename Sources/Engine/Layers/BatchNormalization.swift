import JSON

// Keras's BatchNormalization over the last axis (channels of an image,
// features of a flat input), forward and backward on flat buffers.
//
// Shapes: `N` rows; each row is P positions × C channels (P = H·W for an
// image, 1 for a flat input); M = N·P values per channel.
//   gamma, beta            C  trainable (start 1 and 0)
//   moving_mean, _variance C  non-trainable, in the state buffer (start 0 and 1)
//   xhat                   N×P×C  the reference keeps it; the fast backward
//                                 recomputes it from x with the same operations
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
        BatchNormalizationPass(plan: plan(layer))
    }

    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int { 0 }

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

/// A BatchNormalization layer's buffers (the batch's statistics) and
/// passes: a whole-batch forward in training, rows alone otherwise. The
/// backward recomputes xhat = (x − mean) · invstd from the input, which the
/// workspace keeps: the same Float operations give the same bits, and
/// nothing N×P×C is written in the forward to be read back.
final class BatchNormalizationPass: LayerPass {
    let plan: BatchNormalizationPlan
    /// Per channel: the batch mean and 1/√(var + ε) of the last training
    /// forward, then the backward's Σg and Σg·xhat.
    private let mean: UnsafeMutablePointer<Float>
    private let invstd: UnsafeMutablePointer<Float>
    private let sumG: UnsafeMutablePointer<Double>
    private let sumGX: UnsafeMutablePointer<Double>
    private var rows = 0
    /// The activation layer above, applied here to each example's output
    /// (`fusesForwardAbove`).
    private var activationAbove: Activation?

    /// Channels one task of the statistics takes: half of them, at least 8.
    /// Each channel's sums run in one task in (n, p) order, so any split
    /// gives the same bits.
    static func channelsPerPiece(_ channels: Int) -> Int { max(8, (channels + 1) / 2) }

    init(plan: BatchNormalizationPlan) {
        self.plan = plan
        mean = layerBuffer(plan.channels, Float(0))
        invstd = layerBuffer(plan.channels, Float(0))
        sumG = layerBuffer(plan.channels, 0.0)
        sumGX = layerBuffer(plan.channels, 0.0)
    }

    deinit {
        mean.deallocate()
        invstd.deallocate()
        sumG.deallocate()
        sumGX.deallocate()
    }

    var needsWholeBatch: Bool { true }
    var hasWeights: Bool { true }

    // dx from g, x and the per-channel sums, value by value.
    var inputGradientInPlace: Bool { true }

    func fusesForwardAbove(_ forward: FusibleForward) -> Bool {
        guard case .activation(let activation) = forward, activation != .softmax else { return false }
        activationAbove = activation
        return true
    }

    /// Inference: the moving statistics.
    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        let c = plan.channels
        let s = io.state
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * c) { k in
            guard let k = k.baseAddress else { return }
            for ch in 0..<c {
                k[ch] = s[plan.movingMean + ch]
                k[c + ch] = Float(1 / (Double(s[plan.movingVariance + ch]) + plan.epsilon).squareRoot())
            }
            normalize(chunk, io, mean: k, scale: k + c)
        }
    }

    /// Rows `chunk`: y = ((x − mean)·scale)·gamma + beta per channel (the
    /// batch's or the moving statistics), then the activation above on
    /// each example's output while it is in cache.
    private func normalize(_ chunk: Range<Int>, _ io: LayerIO, mean: UnsafePointer<Float>, scale: UnsafePointer<Float>) {
        let (p, c) = (plan.positions, plan.channels)
        let (gamma, beta) = (io.parameters + plan.gamma, io.parameters + plan.beta)
        let whole = c - c % 8
        for n in chunk {
            for i in (n * p)..<((n + 1) * p) {
                let (x, y) = (io.input + i * c, io.output + i * c)
                var ch = 0
                while ch < whole {
                    let h = (SIMD8<Float>.loadLanes(x, ch) - .loadLanes(mean, ch)) * .loadLanes(scale, ch)
                    (h * .loadLanes(gamma, ch) + .loadLanes(beta, ch)).storeLanes(y, ch)
                    ch += 8
                }
                while ch < c {
                    y[ch] = ((x[ch] - mean[ch]) * scale[ch]) * gamma[ch] + beta[ch]
                    ch += 1
                }
            }
            activateAbove(io.output + n * p * c, count: p * c)
        }
    }

    /// The activation layer above on one example's output, in place.
    @inline(__always)
    private func activateAbove(_ y: UnsafeMutablePointer<Float>, count: Int) {
        activationAbove?.apply(y, into: y, count: count)
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
                ChannelSums.values(x + first, rows: m, stride: c, count: count, into: sums)
                for j in 0..<count { sums[j] = sums[j] / Double(m) }
                ChannelSums.squares(x + first, rows: m, stride: c, count: count, around: sums, into: sums + count)
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
        ComputePool.shared.forEachPiece(of: rows, piece: Workspace.rowsPerPiece, cost: 2 * p * c) { chunk in
            self.normalize(chunk, io, mean: mean, scale: invstd)
        }
    }

    func weightGradients(
        rows: Int, _ io: LayerIO, dz g: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        done: ((Range<Int>) -> Void)?
    ) {
        let (c, m) = (plan.channels, rows * plan.positions)
        let (plan, x, sumG, sumGX) = (plan, io.input, sumG, sumGX)
        let (mean, invstd) = (UnsafePointer(mean), UnsafePointer(invstd))
        ComputePool.shared.forEachPiece(of: c, piece: Self.channelsPerPiece(c), cost: 2 * m) { channels in
            let first = channels.lowerBound
            ChannelSums.gradients(
                g + first, x + first, mean: mean + first, invstd: invstd + first, rows: m, stride: c,
                count: channels.count, into: sumG + first, sumGX + first)
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
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 5 * c) { k in
            for ch in 0..<c {
                k[ch] = Float(Double(w[plan.gamma + ch]) * Double(invstd[ch]) / Double(m))
                k[c + ch] = Float(sumG[ch])
                k[2 * c + ch] = Float(sumGX[ch])
                k[3 * c + ch] = mean[ch]
                k[4 * c + ch] = invstd[ch]
            }
            guard let k = UnsafePointer(k.baseAddress) else { return }
            let count = Float(m)
            let counts = SIMD8<Float>(repeating: count)
            let whole = c - c % 8
            for i in (chunk.lowerBound * p)..<(chunk.upperBound * p) {
                let (row, x, out) = (g + i * c, io.input + i * c, dx + i * c)
                var ch = 0
                while ch < whole {
                    let hat = (SIMD8<Float>.loadLanes(x, ch) - .loadLanes(k, 3 * c + ch)) * .loadLanes(k, 4 * c + ch)
                    let v =
                        SIMD8<Float>.loadLanes(k, ch)
                        * ((counts * .loadLanes(row, ch) - .loadLanes(k, c + ch)) - hat * .loadLanes(k, 2 * c + ch))
                    v.storeLanes(out, ch)
                    ch += 8
                }
                while ch < c {
                    let hat = (x[ch] - k[3 * c + ch]) * k[4 * c + ch]
                    out[ch] = k[ch] * ((count * row[ch] - k[c + ch]) - hat * k[2 * c + ch])
                    ch += 1
                }
            }
        }
    }
}

/// Per-channel Double sums over the rows of a row-major buffer (`stride`
/// floats a row), `count` channels from the pointer given: each channel's
/// chain runs over the rows in order from +0. The partial sums stay in
/// registers across the rows, in blocks of 32, 16 or 8 channels (16 or 8
/// for the backward's pairs), one pass over the rows per block: kept in
/// memory, every row's additions waited on the store of the row before.
enum ChannelSums {
    /// Σ x per channel.
    static func values(_ x: UnsafePointer<Float>, rows: Int, stride: Int, count: Int, into sums: UnsafeMutablePointer<Double>) {
        var j = 0
        while j + 32 <= count {
            var (s0, s1, s2, s3) = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
            for i in 0..<rows {
                let row = x + i * stride + j
                s0 += SIMD8<Double>(SIMD8<Float>.loadLanes(row, 0))
                s1 += SIMD8<Double>(SIMD8<Float>.loadLanes(row, 8))
                s2 += SIMD8<Double>(SIMD8<Float>.loadLanes(row, 16))
                s3 += SIMD8<Double>(SIMD8<Float>.loadLanes(row, 24))
            }
            s0.storeLanes(sums, j)
            s1.storeLanes(sums, j + 8)
            s2.storeLanes(sums, j + 16)
            s3.storeLanes(sums, j + 24)
            j += 32
        }
        if j + 16 <= count {
            var (s0, s1) = (SIMD8<Double>(), SIMD8<Double>())
            for i in 0..<rows {
                let row = x + i * stride + j
                s0 += SIMD8<Double>(SIMD8<Float>.loadLanes(row, 0))
                s1 += SIMD8<Double>(SIMD8<Float>.loadLanes(row, 8))
            }
            s0.storeLanes(sums, j)
            s1.storeLanes(sums, j + 8)
            j += 16
        }
        while j + 8 <= count {
            var s = SIMD8<Double>()
            for i in 0..<rows { s += SIMD8<Double>(SIMD8<Float>.loadLanes(x + i * stride + j, 0)) }
            s.storeLanes(sums, j)
            j += 8
        }
        while j < count {
            var s = 0.0
            for i in 0..<rows { s += Double(x[i * stride + j]) }
            sums[j] = s
            j += 1
        }
    }

    /// Σ (x − mean)² per channel, x and the difference in Double.
    static func squares(
        _ x: UnsafePointer<Float>, rows: Int, stride: Int, count: Int, around mean: UnsafePointer<Double>,
        into sums: UnsafeMutablePointer<Double>
    ) {
        var j = 0
        while j + 32 <= count {
            let (m0, m1, m2, m3) = (
                SIMD8<Double>.loadLanes(mean, j), SIMD8<Double>.loadLanes(mean, j + 8),
                SIMD8<Double>.loadLanes(mean, j + 16), SIMD8<Double>.loadLanes(mean, j + 24)
            )
            var (s0, s1, s2, s3) = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
            for i in 0..<rows {
                let row = x + i * stride + j
                let d0 = SIMD8<Double>(SIMD8<Float>.loadLanes(row, 0)) - m0
                let d1 = SIMD8<Double>(SIMD8<Float>.loadLanes(row, 8)) - m1
                let d2 = SIMD8<Double>(SIMD8<Float>.loadLanes(row, 16)) - m2
                let d3 = SIMD8<Double>(SIMD8<Float>.loadLanes(row, 24)) - m3
                s0 += d0 * d0
                s1 += d1 * d1
                s2 += d2 * d2
                s3 += d3 * d3
            }
            s0.storeLanes(sums, j)
            s1.storeLanes(sums, j + 8)
            s2.storeLanes(sums, j + 16)
            s3.storeLanes(sums, j + 24)
            j += 32
        }
        if j + 16 <= count {
            let (m0, m1) = (SIMD8<Double>.loadLanes(mean, j), SIMD8<Double>.loadLanes(mean, j + 8))
            var (s0, s1) = (SIMD8<Double>(), SIMD8<Double>())
            for i in 0..<rows {
                let row = x + i * stride + j
                let d0 = SIMD8<Double>(SIMD8<Float>.loadLanes(row, 0)) - m0
                let d1 = SIMD8<Double>(SIMD8<Float>.loadLanes(row, 8)) - m1
                s0 += d0 * d0
                s1 += d1 * d1
            }
            s0.storeLanes(sums, j)
            s1.storeLanes(sums, j + 8)
            j += 16
        }
        while j + 8 <= count {
            let m0 = SIMD8<Double>.loadLanes(mean, j)
            var s = SIMD8<Double>()
            for i in 0..<rows {
                let d = SIMD8<Double>(SIMD8<Float>.loadLanes(x + i * stride + j, 0)) - m0
                s += d * d
            }
            s.storeLanes(sums, j)
            j += 8
        }
        while j < count {
            var s = 0.0
            for i in 0..<rows {
                let d = Double(x[i * stride + j]) - mean[j]
                s += d * d
            }
            sums[j] = s
            j += 1
        }
    }

    /// Σ g and Σ g · xhat per channel, xhat = (x − mean) · invstd in Float
    /// (as the forward normalized), the products in Double.
    static func gradients(
        _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>,
        rows: Int, stride: Int, count: Int, into sumG: UnsafeMutablePointer<Double>,
        _ sumGX: UnsafeMutablePointer<Double>
    ) {
        var j = 0
        while j + 16 <= count {
            let (m0, m1) = (SIMD8<Float>.loadLanes(mean, j), SIMD8<Float>.loadLanes(mean, j + 8))
            let (k0, k1) = (SIMD8<Float>.loadLanes(invstd, j), SIMD8<Float>.loadLanes(invstd, j + 8))
            var (s0, s1, t0, t1) = (SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>(), SIMD8<Double>())
            for i in 0..<rows {
                let (gr, xr) = (g + i * stride + j, x + i * stride + j)
                let (g0, g1) = (SIMD8<Double>(SIMD8<Float>.loadLanes(gr, 0)), SIMD8<Double>(SIMD8<Float>.loadLanes(gr, 8)))
                let h0 = SIMD8<Double>((SIMD8<Float>.loadLanes(xr, 0) - m0) * k0)
                let h1 = SIMD8<Double>((SIMD8<Float>.loadLanes(xr, 8) - m1) * k1)
                s0 += g0
                s1 += g1
                t0 += g0 * h0
                t1 += g1 * h1
            }
            s0.storeLanes(sumG, j)
            s1.storeLanes(sumG, j + 8)
            t0.storeLanes(sumGX, j)
            t1.storeLanes(sumGX, j + 8)
            j += 16
        }
        while j + 8 <= count {
            let (m0, k0) = (SIMD8<Float>.loadLanes(mean, j), SIMD8<Float>.loadLanes(invstd, j))
            var (s, t) = (SIMD8<Double>(), SIMD8<Double>())
            for i in 0..<rows {
                let gv = SIMD8<Double>(SIMD8<Float>.loadLanes(g + i * stride + j, 0))
                s += gv
                t += gv * SIMD8<Double>((SIMD8<Float>.loadLanes(x + i * stride + j, 0) - m0) * k0)
            }
            s.storeLanes(sumG, j)
            t.storeLanes(sumGX, j)
            j += 8
        }
        while j < count {
            var (s, t) = (0.0, 0.0)
            for i in 0..<rows {
                let gv = Double(g[i * stride + j])
                s += gv
                t += gv * Double((x[i * stride + j] - mean[j]) * invstd[j])
            }
            sumG[j] = s
            sumGX[j] = t
            j += 1
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
