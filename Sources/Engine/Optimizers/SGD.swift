import JSON

/// Keras `SGD`. Without momentum: `p -= lr·g`. With momentum:
/// `v = momentum·v - lr·g`, then `p += v`, or with Nesterov
/// `p += momentum·v - lr·g`. Defaults: lr 0.01, momentum 0. Slots: none,
/// or `momentum` (the velocity) with momentum.
struct SGD: OptimizerRule {
    var learningRate: Float
    var momentum: Float
    var nesterov: Bool

    static let name = "sgd"
    static let defaultLearningRate: Float = 0.01
    static let kerasClassName = "SGD"
    static let kerasSwitchesOff: [String] = []
    static let kerasSlotsPerVariable = false
    static let options: [ArgumentDeclaration] = [
        .option("momentum", .number(0...0.9999, exclusiveLower: false), default: .number(0), "sgd and rmsprop momentum"),
        .option("nesterov", .boolean, default: .boolean(false), "Nesterov momentum (sgd)"),
    ]
    static let fileKeys = ["momentum", "nesterov"]

    init(learningRate: Float, momentum: Float, nesterov: Bool) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
    }

    init(learningRate: Float, _ options: ArgumentValues) {
        self.init(learningRate: learningRate, momentum: Float(options.number("momentum")), nesterov: options.boolean("nesterov"))
    }

    init(learningRate: Float, file json: JSONValue) throws(OptimizerConfigError) {
        guard case .bool(let nesterov)? = json["nesterov"] else { throw OptimizerConfigError("needs nesterov, true or false") }
        self.init(
            learningRate: learningRate, momentum: try json.optimizerNumber("momentum", { $0 >= 0 && $0 <= 1 }, "in [0, 1]"),
            nesterov: nesterov)
    }

    var slotNames: [String] { momentum != 0 ? ["momentum"] : [] }

    var hyperparameters: [(key: String, value: Hyperparameter)] {
        [("momentum", .number(momentum)), ("nesterov", .boolean(nesterov))]
    }

    func validate() throws(EngineError) {
        guard momentum >= 0 && momentum <= 1 else {
            throw .invalidArgument("sgd: momentum must be in [0, 1]. Received: momentum=\(momentum)")
        }
    }

    func updateLanes(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>, slots: UnsafeMutablePointer<Float>?,
        slotStride: Int, count: Int, step: Int
    ) {
        let rate = Lanes8(repeating: learningRate)
        guard momentum != 0, let velocity = slots else {
            for i in stride(from: 0, to: count, by: 8) {
                (Lanes8.loadLanes(p, i) - Lanes8.loadLanes(g, i) * rate).storeLanes(p, i)
            }
            return
        }
        let mu = Lanes8(repeating: momentum)
        for i in stride(from: 0, to: count, by: 8) {
            let gi = Lanes8.loadLanes(g, i)
            let vi = (Lanes8.loadLanes(velocity, i) * mu - gi * rate).flushed
            vi.storeLanes(velocity, i)
            let delta = nesterov ? vi * mu - gi * rate : vi
            (Lanes8.loadLanes(p, i) + delta).storeLanes(p, i)
        }
    }

    func referenceUpdate(parameters p: inout [Float], gradients g: [Float], slots: inout [[Float]], step: Int) {
        let lr = learningRate
        for i in p.indices {
            guard momentum != 0 else {
                p[i] = p[i] - g[i] * lr
                continue
            }
            let v = flushed(slots[0][i] * momentum - g[i] * lr)
            slots[0][i] = v
            p[i] = p[i] + (nesterov ? v * momentum - g[i] * lr : v)
        }
    }
}

extension Optimizer {
    /// Keras SGD: lr 0.01, momentum 0, no Nesterov.
    public static func sgd(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false) -> Optimizer {
        Optimizer(SGD(learningRate: learningRate, momentum: momentum, nesterov: nesterov))
    }
}
