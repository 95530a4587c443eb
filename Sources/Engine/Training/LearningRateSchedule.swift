// Keras's learning-rate schedules (`keras.optimizers.schedules`), evaluated
// once per step at the optimizer's `iterations` (0-based, before the
// update), as Keras's optimizers do with `learning_rate=schedule`.
//
// Keras evaluates them in float32 tensor arithmetic; here each is written
// in Double with the defined-order functions below (no libm), then rounded
// once to Float, so a schedule gives the same bits on every machine. The
// rates can differ from Keras's float32 ones in the last bit or two.

/// A learning rate that changes with the step.
public enum LearningRateSchedule: Equatable, Sendable {
    /// `ExponentialDecay`: `initial · decayRate^(step / decaySteps)`, the
    /// exponent floored when `staircase`.
    case exponential(initial: Float, decaySteps: Int, decayRate: Double, staircase: Bool)
    /// `CosineDecay`: with no warmup target, `initial · ((1 − α)·½(1 + cos(π·t/decaySteps)) + α)`
    /// with t = min(step, decaySteps). With one, the rate first rises
    /// linearly from `initial` to `warmupTarget` over `warmupSteps`, then
    /// decays from `warmupTarget` as above over the next `decaySteps`.
    case cosine(initial: Float, decaySteps: Int, alpha: Double, warmupSteps: Int, warmupTarget: Float?)
    /// `PiecewiseConstantDecay`: `values[0]` while step ≤ `boundaries[0]`,
    /// `values[i]` while `boundaries[i−1]` < step ≤ `boundaries[i]`, and the
    /// last value past the last boundary.
    case piecewise(boundaries: [Int], values: [Float])

    /// Keras's name: `exponential`, `cosine`, `piecewise`.
    public var name: String {
        switch self {
        case .exponential: "exponential"
        case .cosine: "cosine"
        case .piecewise: "piecewise"
        }
    }

    /// The rate of the update taking the optimizer from `step` to `step + 1` updates.
    public func rate(at step: Int) -> Float {
        let step = Double(max(step, 0))
        switch self {
        case .exponential(let initial, let decaySteps, let decayRate, let staircase):
            let exponent = step / Double(decaySteps)
            let factor =
                staircase
                ? ElementaryFunctions.power(decayRate, Int(exponent.rounded(.down)))
                : ScheduleMath.power(decayRate, exponent)
            return Float(Double(initial) * factor)
        case .cosine(let initial, let decaySteps, let alpha, let warmupSteps, let target):
            let steps = Double(decaySteps)
            guard let target else {
                return Float(Self.cosineDecay(min(step, steps), steps, from: Double(initial), alpha: alpha))
            }
            let warmup = Double(warmupSteps)
            let clamped = min(step, steps + warmup)
            guard clamped >= warmup else {
                return Float((Double(target) - Double(initial)) * (clamped / warmup) + Double(initial))
            }
            return Float(Self.cosineDecay(clamped - warmup, steps, from: Double(target), alpha: alpha))
        case .piecewise(let boundaries, let values):
            let step = Int(step)
            for (index, boundary) in boundaries.enumerated() where step <= boundary { return values[index] }
            return values[values.count - 1]
        }
    }

    private static func cosineDecay(_ step: Double, _ steps: Double, from rate: Double, alpha: Double) -> Double {
        let decayed = 0.5 * (1 + ScheduleMath.cos(Double.pi * (step / steps)))
        return rate * ((1 - alpha) * decayed + alpha)
    }

    /// Throws `invalidArgument` echoing the first bad argument, with Keras's names.
    public func validate() throws(EngineError) {
        func require(_ ok: Bool, _ message: String) throws(EngineError) {
            if !ok { throw .invalidArgument("\(name) schedule: \(message)") }
        }
        switch self {
        case .exponential(let initial, let decaySteps, let decayRate, _):
            try require(initial.isFinite && initial > 0, "initial_learning_rate must be > 0. Received: \(initial)")
            try require(decaySteps >= 1, "decay_steps must be at least 1. Received: decay_steps=\(decaySteps)")
            try require(decayRate.isFinite && decayRate > 0, "decay_rate must be > 0. Received: decay_rate=\(decayRate)")
        case .cosine(let initial, let decaySteps, let alpha, let warmupSteps, let target):
            try require(initial.isFinite && initial >= 0, "initial_learning_rate must be ≥ 0. Received: \(initial)")
            try require(decaySteps >= 1, "decay_steps must be at least 1. Received: decay_steps=\(decaySteps)")
            try require(alpha >= 0 && alpha <= 1, "alpha must be in [0, 1]. Received: alpha=\(alpha)")
            try require(warmupSteps >= 0, "warmup_steps must be ≥ 0. Received: warmup_steps=\(warmupSteps)")
            if let target {
                try require(target.isFinite && target > 0, "warmup_target must be > 0. Received: warmup_target=\(target)")
                try require(warmupSteps >= 1, "warmup_target needs warmup_steps ≥ 1")
            }
        case .piecewise(let boundaries, let values):
            try require(!boundaries.isEmpty, "boundaries must list at least one step")
            try require(
                values.count == boundaries.count + 1,
                "values must have one more entry than boundaries. Received: \(values.count) values, "
                    + "\(boundaries.count) boundaries")
            try require(
                zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 < $1 } && boundaries[0] >= 0,
                "boundaries must be steps ≥ 0 in increasing order")
            try require(values.allSatisfy { $0.isFinite && $0 > 0 }, "values must be learning rates > 0")
        }
    }
}

/// e^x, x^y and cos x in Double, each a fixed sequence of IEEE operations
/// (no libm, no fused multiply-add): the schedules' rates are the same bits
/// everywhere. Accurate to a few units in the last place of a Double, far
/// finer than the Float the rate is rounded to.
enum ScheduleMath {
    /// e^x: x = k·ln2 + r, |r| ≤ ln2/2 (two-part ln2), e^r by its Taylor
    /// series to r^20 in Horner form, scaled by 2^k exactly. 0 below −745, +inf above 709.
    static func exp(_ x: Double) -> Double {
        guard x.isFinite else { return x.isNaN ? x : (x > 0 ? x : 0) }
        if x > 709.78 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x * 1.4426950408889634).rounded(.toNearestOrEven)
        let r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        var sum = 1.0
        for n in stride(from: 20, through: 1, by: -1) { sum = 1 + sum * r / Double(n) }
        // 2^k in two steps, so k may reach the subnormals.
        let half = Int(k) / 2
        return sum * Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: Int(k) - half, significand: 1)
    }

    /// base^exponent for base > 0: e^(exponent·log base).
    static func power(_ base: Double, _ exponent: Double) -> Double {
        guard exponent != 0 else { return 1 }
        return exp(exponent * ElementaryFunctions.log(base))
    }

    /// cos x for x in [0, π] (what a cosine decay takes): cos(π − x) = −cos x
    /// brings x into [0, π/2], then the Taylor series to x^30 in Horner form.
    static func cos(_ x: Double) -> Double {
        var x = min(max(x, 0), Double.pi)
        var sign = 1.0
        if x > Double.pi / 2 {
            x = Double.pi - x
            sign = -1
        }
        let square = x * x
        var sum = 1.0
        for n in stride(from: 30, through: 2, by: -2) { sum = 1 - sum * square / Double(n * (n - 1)) }
        return sign * sum
    }
}
