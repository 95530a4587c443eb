import JSON

/// Keras `RMSprop` (not centred): `v = ρ·v + (1 - ρ)·g²`,
/// `Δ = lr·g / √(v + ε)` (Keras adds ε INSIDE the root); with momentum
/// `mom = momentum·mom + Δ`, `p -= mom`, else `p -= Δ`.
/// Defaults: lr 0.001, ρ 0.9, momentum 0, ε 1e-7. Slots: `velocity`, and
/// `momentum` with momentum.
struct RMSprop: OptimizerRule {
    var learningRate: Float
    var rho: Float
    var momentum: Float
    var epsilon: Float

    static let name = "rmsprop"
    static let defaultLearningRate: Float = 0.001
    static let kerasClassName = "RMSprop"
    static let kerasSwitchesOff: [String] = ["centered"]
    static let kerasSlotsPerVariable = false
    static let options: [ArgumentDeclaration] = [
        .option("momentum", .number(0...0.9999, exclusiveLower: false), default: .number(0), "sgd and rmsprop momentum")
    ]
    static let fileKeys = ["rho", "momentum", "epsilon"]

    init(learningRate: Float, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
    }

    init(learningRate: Float, _ options: ArgumentValues) {
        self.init(learningRate: learningRate, momentum: Float(options.number("momentum")))
    }

    init(learningRate: Float, file json: JSONValue) throws(OptimizerConfigError) {
        let unit: (Float) -> Bool = { $0 >= 0 && $0 <= 1 }
        self.init(
            learningRate: learningRate, rho: try json.optimizerNumber("rho", unit, "in [0, 1]"),
            momentum: try json.optimizerNumber("momentum", unit, "in [0, 1]"),
            epsilon: try json.optimizerNumber("epsilon", { $0 >= 0 }, ">= 0"))
    }

    var slotNames: [String] { momentum > 0 ? ["velocity", "momentum"] : ["velocity"] }

    var hyperparameters: [(key: String, value: Hyperparameter)] {
        [("rho", .number(rho)), ("momentum", .number(momentum)), ("epsilon", .number(epsilon))]
    }

    func validate() throws(EngineError) {
        guard rho >= 0 && rho <= 1 else { throw .invalidArgument("rmsprop: rho must be in [0, 1]. Received: rho=\(rho)") }
        guard momentum >= 0 && momentum <= 1 else {
            throw .invalidArgument("rmsprop: momentum must be in [0, 1]. Received: momentum=\(momentum)")
        }
        guard epsilon.isFinite && epsilon >= 0 else {
            throw .invalidArgument("rmsprop: epsilon must be >= 0. Received: epsilon=\(epsilon)")
        }
    }

    func updateLanes(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, slots: UnsafeMutablePointer<Float>?,
        slotStride: Int, count: Int, step: Int
    ) {
        guard let velocity = slots else { preconditionFailure("RMSprop needs a slot") }
        let rate = Lanes8(repeating: learningRate)
        let rhoLanes = Lanes8(repeating: rho)
        let oneMinusRho = Lanes8(repeating: 1 - rho)
        let eps = Lanes8(repeating: epsilon)
        if momentum > 0 {
            let moment = velocity + slotStride
            let mu = Lanes8(repeating: momentum)
            for i in stride(from: 0, to: count, by: 8) {
                let gi = Lanes8.loadLanes(g, i)
                let vi = (rhoLanes * Lanes8.loadLanes(velocity, i) + oneMinusRho * (gi * gi)).flushed
                vi.storeLanes(velocity, i)
                let mi = (mu * Lanes8.loadLanes(moment, i) + (rate * gi) / (vi + eps).root).flushed
                mi.storeLanes(moment, i)
                (Lanes8.loadLanes(p, i) - mi).storeLanes(p, i)
            }
        } else {
            for i in stride(from: 0, to: count, by: 8) {
                let gi = Lanes8.loadLanes(g, i)
                let vi = (rhoLanes * Lanes8.loadLanes(velocity, i) + oneMinusRho * (gi * gi)).flushed
                vi.storeLanes(velocity, i)
                (Lanes8.loadLanes(p, i) - (rate * gi) / (vi + eps).root).storeLanes(p, i)
            }
        }
    }

    func referenceUpdate(parameters p: inout [Float], gradients g: [Float], slots: inout [[Float]], step: Int) {
        let lr = learningRate
        for i in p.indices {
            let v = flushed(rho * slots[0][i] + (1 - rho) * (g[i] * g[i]))
            slots[0][i] = v
            let delta = (lr * g[i]) / (v + epsilon).squareRoot()
            if momentum > 0 {
                let m = flushed(momentum * slots[1][i] + delta)
                slots[1][i] = m
                p[i] = p[i] - m
            } else {
                p[i] = p[i] - delta
            }
        }
    }
}

extension Optimizer {
    /// Keras RMSprop: lr 0.001, ρ 0.9, momentum 0, ε 1e-7.
    public static func rmsprop(
        learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7
    ) -> Optimizer {
        Optimizer(RMSprop(learningRate: learningRate, rho: rho, momentum: momentum, epsilon: epsilon))
    }
}
