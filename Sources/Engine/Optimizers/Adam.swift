import JSON

/// Keras `Adam`. With `t` counting steps from 1:
/// `m += (g - m)(1 - β1)`, `v += (g² - v)(1 - β2)`,
/// `α = lr·√(1 - β2^t) / (1 - β1^t)` (in Double, rounded once),
/// `p -= α·m / (√v + ε)`. Defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7.
/// Slots: `momentum` (m) and `velocity` (v).
struct Adam: OptimizerRule {
    var learningRate: Float
    var beta1: Float
    var beta2: Float
    var epsilon: Float

    static let name = "adam"
    static let defaultLearningRate: Float = 0.001
    static let kerasClassName = "Adam"
    static let kerasSwitchesOff: [String] = ["amsgrad"]
    static let kerasSlotsPerVariable = true
    static let options: [ArgumentDeclaration] = []
    static let fileKeys = ["beta_1", "beta_2", "epsilon"]

    init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    init(learningRate: Float, _ options: ArgumentValues) { self.init(learningRate: learningRate) }

    init(learningRate: Float, file json: JSONValue) throws(OptimizerConfigError) {
        let beta: (Float) -> Bool = { $0 >= 0 && $0 < 1 }
        self.init(
            learningRate: learningRate, beta1: try json.optimizerNumber("beta_1", beta, "in [0, 1)"),
            beta2: try json.optimizerNumber("beta_2", beta, "in [0, 1)"),
            epsilon: try json.optimizerNumber("epsilon", { $0 >= 0 }, ">= 0"))
    }

    var slotNames: [String] { ["momentum", "velocity"] }

    var hyperparameters: [(key: String, value: Hyperparameter)] {
        [("beta_1", .number(beta1)), ("beta_2", .number(beta2)), ("epsilon", .number(epsilon))]
    }

    func validate() throws(EngineError) {
        guard beta1 >= 0 && beta1 < 1 else { throw .invalidArgument("adam: beta_1 must be in [0, 1). Received: beta_1=\(beta1)") }
        guard beta2 >= 0 && beta2 < 1 else { throw .invalidArgument("adam: beta_2 must be in [0, 1). Received: beta_2=\(beta2)") }
        guard epsilon.isFinite && epsilon >= 0 else {
            throw .invalidArgument("adam: epsilon must be >= 0. Received: epsilon=\(epsilon)")
        }
    }

    /// α of step `step`.
    func alpha(step: Int) -> Float {
        Float(
            Double(learningRate) * (1 - ElementaryFunctions.power(Double(beta2), step)).squareRoot()
                / (1 - ElementaryFunctions.power(Double(beta1), step)))
    }

    func updateLanes(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, slots: UnsafeMutablePointer<Float>?,
        slotStride: Int, count: Int, step: Int
    ) {
        guard let m = slots else { preconditionFailure("Adam needs two slots") }
        let v = m + slotStride
        let alpha = Lanes8(repeating: alpha(step: step))
        let oneMinusBeta1 = Lanes8(repeating: 1 - beta1)
        let oneMinusBeta2 = Lanes8(repeating: 1 - beta2)
        let eps = Lanes8(repeating: epsilon)
        for i in stride(from: 0, to: count, by: 8) {
            let gi = Lanes8.loadLanes(g, i)
            var mi = Lanes8.loadLanes(m, i)
            var vi = Lanes8.loadLanes(v, i)
            mi = (mi + (gi - mi) * oneMinusBeta1).flushed
            vi = (vi + (gi * gi - vi) * oneMinusBeta2).flushed
            mi.storeLanes(m, i)
            vi.storeLanes(v, i)
            (Lanes8.loadLanes(p, i) - (mi * alpha) / (vi.root + eps)).storeLanes(p, i)
        }
    }

    func referenceUpdate(parameters p: inout [Float], gradients g: [Float], slots: inout [[Float]], step: Int) {
        let alpha = alpha(step: step)
        for i in p.indices {
            let m = flushed(slots[0][i] + (g[i] - slots[0][i]) * (1 - beta1))
            let v = flushed(slots[1][i] + (g[i] * g[i] - slots[1][i]) * (1 - beta2))
            slots[0][i] = m
            slots[1][i] = v
            p[i] = p[i] - (m * alpha) / (v.squareRoot() + epsilon)
        }
    }
}

extension Optimizer {
    /// Keras Adam: lr 0.001, β1 0.9, β2 0.999, ε 1e-7.
    public static func adam(
        learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7
    ) -> Optimizer {
        Optimizer(Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon))
    }
}
