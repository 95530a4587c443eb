// Keras 3's optimizers, each update ONE pass over the contiguous parameter
// buffer, its gradient buffer and its slot buffers (one per moment, each the
// size of the parameters).
//
// Shapes: `P` parameters; `p`, `g` and every slot hold P values.
//
// `_Builtin_intrinsics.intel` is the compiler's own Clang module of SSE/AVX
// intrinsics (no library); only its vector square root is used.

#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif

/// Keras's optimizers with Keras's defaults.
///
/// Slot values that fall below the smallest normal Float are flushed to
/// zero, as under TensorFlow's flush-to-zero CPU kernels.
public enum Optimizer: Equatable, Sendable {
    /// Keras `SGD`. Without momentum: `p -= lr·g`. With momentum:
    /// `v = momentum·v - lr·g`, then `p += v`, or with Nesterov
    /// `p += momentum·v - lr·g`. Defaults: lr 0.01, momentum 0.
    case sgd(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false)
    /// Keras `Adam`. With `t` counting steps from 1:
    /// `m += (g - m)(1 - β1)`, `v += (g² - v)(1 - β2)`,
    /// `α = lr·√(1 - β2^t) / (1 - β1^t)`, `p -= α·m / (√v + ε)`.
    /// Defaults: lr 0.001, β1 0.9, β2 0.999, ε 1e-7.
    case adam(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7)
    /// Keras `RMSprop` (not centred): `v = ρ·v + (1 - ρ)·g²`,
    /// `Δ = lr·g / √(v + ε)` (Keras adds ε INSIDE the root); with momentum
    /// `mom = momentum·mom + Δ`, `p -= mom`, else `p -= Δ`.
    /// Defaults: lr 0.001, ρ 0.9, momentum 0, ε 1e-7.
    case rmsprop(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7)

    /// Keras's name: `sgd`, `adam`, `rmsprop`.
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam: "adam"
        case .rmsprop: "rmsprop"
        }
    }

    /// The learning rate of any case.
    public var learningRate: Float {
        switch self {
        case .sgd(let lr, _, _), .adam(let lr, _, _, _), .rmsprop(let lr, _, _, _): lr
        }
    }

    /// Number of per-parameter buffers the optimizer keeps: SGD 0 (1 with
    /// momentum: velocity), Adam 2 (m, v), RMSprop 1 (velocity; 2 with momentum).
    public var slotCount: Int {
        switch self {
        case .sgd(_, let momentum, _): momentum != 0 ? 1 : 0
        case .adam: 2
        case .rmsprop(_, _, let momentum, _): momentum > 0 ? 2 : 1
        }
    }

    /// Throws `invalidArgument` echoing the first bad hyperparameter:
    /// learning rate finite and > 0, momentum/rho in [0, 1], betas in [0, 1),
    /// epsilon finite and ≥ 0.
    public func validate() throws(EngineError) {
        func require(_ ok: Bool, _ message: String) throws(EngineError) {
            if !ok { throw .invalidArgument("\(name): \(message)") }
        }
        let lr = learningRate
        try require(lr.isFinite && lr > 0, "learning_rate must be a positive number. Received: learning_rate=\(lr)")
        switch self {
        case .sgd(_, let momentum, _):
            try require(momentum >= 0 && momentum <= 1, "momentum must be in [0, 1]. Received: momentum=\(momentum)")
        case .adam(_, let beta1, let beta2, let epsilon):
            try require(beta1 >= 0 && beta1 < 1, "beta_1 must be in [0, 1). Received: beta_1=\(beta1)")
            try require(beta2 >= 0 && beta2 < 1, "beta_2 must be in [0, 1). Received: beta_2=\(beta2)")
            try require(epsilon.isFinite && epsilon >= 0, "epsilon must be >= 0. Received: epsilon=\(epsilon)")
        case .rmsprop(_, let rho, let momentum, let epsilon):
            try require(rho >= 0 && rho <= 1, "rho must be in [0, 1]. Received: rho=\(rho)")
            try require(momentum >= 0 && momentum <= 1, "momentum must be in [0, 1]. Received: momentum=\(momentum)")
            try require(epsilon.isFinite && epsilon >= 0, "epsilon must be >= 0. Received: epsilon=\(epsilon)")
        }
    }

    /// One update of all `count` parameters from their gradients. `slots`
    /// holds `slotCount` consecutive buffers of `count` values; `step` is
    /// the 1-based step number (Adam's `t`). Slot values below the smallest
    /// normal Float are flushed to zero (as under TensorFlow's FTZ).
    /// `elements` (default all) limits the update to those parameters.
    func update(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        slots: UnsafeMutablePointer<Float>?, count: Int, step: Int, elements: Range<Int>? = nil
    ) {
        // Every element's update is independent: pieces of 8,192 run on as
        // many threads as are allowed.
        let elements = elements ?? 0..<count
        let start = elements.lowerBound
        ComputePool.shared.forEachPiece(of: elements.count, piece: 8192, cost: 8) { range in
            self.update(
                parameters: p, gradients: g, slots: slots, count: count,
                range: (start + range.lowerBound)..<(start + range.upperBound), step: step)
        }
    }

    /// `update` of the elements `range` only, on the calling thread (each
    /// element's update depends on nothing else, so any split gives the same bits).
    func update(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        slots: UnsafeMutablePointer<Float>?, count: Int, range: Range<Int>, step: Int
    ) {
        let start = range.lowerBound
        let whole = range.upperBound - range.count % 8
        updateLanes(
            parameters: p + start, gradients: g + start, slots: slots.map { $0 + start }, slotStride: count,
            count: whole - start, step: step)
        let rest = range.upperBound - whole
        guard rest > 0 else { return }
        // The tail: copy into zero-padded scratch lanes, update, copy back.
        let slotCount = slots == nil ? 0 : self.slotCount
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * (2 + slotCount)) { scratch in
            guard let lanes = scratch.baseAddress else { return }
            lanes.initialize(repeating: 0, count: 8 * (2 + slotCount))
            (lanes).update(from: p + whole, count: rest)
            (lanes + 8).update(from: g + whole, count: rest)
            for k in 0..<slotCount {
                if let slots { (lanes + 16 + 8 * k).update(from: slots + k * count + whole, count: rest) }
            }
            updateLanes(
                parameters: lanes, gradients: lanes + 8, slots: slotCount > 0 ? lanes + 16 : nil,
                slotStride: 8, count: 8, step: step)
            (p + whole).update(from: lanes, count: rest)
            for k in 0..<slotCount {
                if let slots { (slots + k * count + whole).update(from: lanes + 16 + 8 * k, count: rest) }
            }
        }
    }

    /// The update over `count` values, a multiple of 8; slot k starts at
    /// `slots + k·slotStride`.
    private func updateLanes(
        parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
        slots: UnsafeMutablePointer<Float>?, slotStride: Int, count: Int, step: Int
    ) {
        switch self {
        case .sgd(let lr, let momentum, let nesterov):
            let rate = Lanes(repeating: lr)
            guard momentum != 0, let velocity = slots else {
                for i in stride(from: 0, to: count, by: 8) {
                    (Lanes.load(p, i) - Lanes.load(g, i) * rate).store(p, i)
                }
                return
            }
            let mu = Lanes(repeating: momentum)
            for i in stride(from: 0, to: count, by: 8) {
                let gi = Lanes.load(g, i)
                let vi = (Lanes.load(velocity, i) * mu - gi * rate).flushed
                vi.store(velocity, i)
                let delta = nesterov ? vi * mu - gi * rate : vi
                (Lanes.load(p, i) + delta).store(p, i)
            }

        case .adam(let lr, let beta1, let beta2, let epsilon):
            guard let m = slots else { preconditionFailure("Adam needs two slots") }
            let v = m + slotStride
            let alpha = Lanes(
                repeating: Float(
                    Double(lr) * (1 - ElementaryFunctions.power(Double(beta2), step)).squareRoot()
                        / (1 - ElementaryFunctions.power(Double(beta1), step))))
            let oneMinusBeta1 = Lanes(repeating: 1 - beta1)
            let oneMinusBeta2 = Lanes(repeating: 1 - beta2)
            let eps = Lanes(repeating: epsilon)
            for i in stride(from: 0, to: count, by: 8) {
                let gi = Lanes.load(g, i)
                var mi = Lanes.load(m, i)
                var vi = Lanes.load(v, i)
                mi = (mi + (gi - mi) * oneMinusBeta1).flushed
                vi = (vi + (gi * gi - vi) * oneMinusBeta2).flushed
                mi.store(m, i)
                vi.store(v, i)
                (Lanes.load(p, i) - (mi * alpha) / (vi.root + eps)).store(p, i)
            }

        case .rmsprop(let lr, let rho, let momentum, let epsilon):
            guard let velocity = slots else { preconditionFailure("RMSprop needs a slot") }
            let rate = Lanes(repeating: lr)
            let rhoLanes = Lanes(repeating: rho)
            let oneMinusRho = Lanes(repeating: 1 - rho)
            let eps = Lanes(repeating: epsilon)
            if momentum > 0 {
                let moment = velocity + slotStride
                let mu = Lanes(repeating: momentum)
                for i in stride(from: 0, to: count, by: 8) {
                    let gi = Lanes.load(g, i)
                    let vi = (rhoLanes * Lanes.load(velocity, i) + oneMinusRho * (gi * gi)).flushed
                    vi.store(velocity, i)
                    let mi = (mu * Lanes.load(moment, i) + (rate * gi) / (vi + eps).root).flushed
                    mi.store(moment, i)
                    (Lanes.load(p, i) - mi).store(p, i)
                }
            } else {
                for i in stride(from: 0, to: count, by: 8) {
                    let gi = Lanes.load(g, i)
                    let vi = (rhoLanes * Lanes.load(velocity, i) + oneMinusRho * (gi * gi)).flushed
                    vi.store(velocity, i)
                    (Lanes.load(p, i) - (rate * gi) / (vi + eps).root).store(p, i)
                }
            }
        }
    }
}

// Eight-float SIMD lanes for the passes below. LLVM does not vectorise these
// loops by itself: `Float.squareRoot()` lowers to a libm call (errno), and a
// bounds test inside the loop body halves the speed. So the passes run over
// whole 8-lane chunks with an explicit vector square root, and a tail
// shorter than 8 goes through zero-padded scratch lanes, so every element
// sees the same arithmetic. The helpers live in this file because debug
// builds (-O without whole-module optimisation) do not inline across files.

fileprivate typealias Lanes = SIMD8<Float>

extension SIMD8 where Scalar == Float {
    /// Lanes `i..<i+8` of `p` (no alignment needed).
    @inline(__always)
    fileprivate static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Self {
        UnsafeRawPointer(p + i).loadUnaligned(as: Self.self)
    }

    /// Writes the lanes to `p[i..<i+8]` (no alignment needed).
    @inline(__always)
    fileprivate func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Self.self)
    }

    /// IEEE square root of every lane (`sqrtps`; correctly rounded, like `squareRoot()`).
    @inline(__always)
    fileprivate var root: Self {
        #if arch(x86_64)
            _mm256_sqrt_ps(self)
        #else
            squareRoot()
        #endif
    }

    /// Lanes whose magnitude is below the smallest normal Float set to zero
    /// (flush-to-zero, as TensorFlow's CPU kernels run): decaying moments
    /// would otherwise crawl through slow subnormal arithmetic.
    @inline(__always)
    fileprivate var flushed: Self {
        let tiny = Self(repeating: .leastNormalMagnitude)
        return replacing(with: 0, where: (self .< tiny) .& (self .> -tiny))
    }
}
