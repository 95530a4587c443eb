import Testing

@testable import Engine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One or two optimizer steps against values worked out by hand (Float32
/// arithmetic, Keras 3's update_step), on p = [1, -2, 0.5], g = [0.1, -0.2, 0].
struct OptimizerTests {
    static let start: [Float] = [1, -2, 0.5]
    static let g: [Float] = [0.1, -0.2, 0]

    /// Applies `steps` updates with the same gradient; returns parameters and slots.
    static func run(_ optimizer: Optimizer, steps: Int, p: [Float] = start, g: [Float] = g) -> ([Float], [Float]) {
        var p = p
        var slots = [Float](repeating: 0, count: max(1, optimizer.slotCount) * p.count)
        p.withUnsafeMutableBufferPointer { pp in
            g.withUnsafeBufferPointer { gg in
                slots.withUnsafeMutableBufferPointer { s in
                    for t in 1...steps {
                        optimizer.update(
                            parameters: pp.baseAddress!, gradients: gg.baseAddress!,
                            slots: optimizer.slotCount > 0 ? s.baseAddress! : nil, count: pp.count, step: t)
                    }
                }
            }
        }
        return (p, slots)
    }

    @Test func sgdPlain() {
        // p -= 0.1·g
        #expect(close(Self.run(.sgd(learningRate: 0.1), steps: 1).0, [0.99, -1.98, 0.5]))
    }

    @Test func sgdMomentum() {
        // step 1: v = -0.1·g = [-0.01, 0.02, 0];            p += v → [0.99, -1.98, 0.5]
        // step 2: v = 0.9·v - 0.1·g = [-0.019, 0.038, 0];  p += v → [0.971, -1.942, 0.5]
        let (p, v) = Self.run(.sgd(learningRate: 0.1, momentum: 0.9), steps: 2)
        #expect(close(p, [0.971, -1.942, 0.5]))
        #expect(close(v, [-0.019, 0.038, 0]))
    }

    @Test func sgdNesterov() {
        // v = [-0.01, 0.02, 0]; p += 0.9·v - 0.1·g = [-0.019, 0.038, 0] → [0.981, -1.962, 0.5]
        #expect(close(Self.run(.sgd(learningRate: 0.1, momentum: 0.9, nesterov: true), steps: 1).0, [0.981, -1.962, 0.5]))
    }

    @Test func adamFirstTwoSteps() {
        // t = 1: m = 0.1·g = [0.01, -0.02, 0];  v = 0.001·g² ≈ [1e-5, 4e-5, 0]
        //        α = 0.001·√(1 - 0.999) / (1 - 0.9) = 3.1623e-4
        //        α·m/(√v + 1e-7) = 1e-3·sign(g)·(1 - 3e-5) → p ≈ [0.999, -1.999, 0.5]
        let (p1, s1) = Self.run(.adam(), steps: 1)
        #expect(close(p1, [0.999, -1.999, 0.5], absolute: 2e-7))
        #expect(close(Array(s1[0..<3]), [0.01, -0.02, 0], absolute: 1e-8))
        #expect(close(Array(s1[3..<6]), [1e-5, 4e-5, 0], absolute: 1e-9))
        // t = 2: m = 0.01 + (0.1 - 0.01)·0.1 = 0.019;  v = 1e-5 + (0.01 - 1e-5)·0.001 = 1.999e-5
        //        α = 0.001·√(1 - 0.999²) / (1 - 0.9²) = 2.3532e-4
        //        α·0.019/√1.999e-5 ≈ 1e-3 → p ≈ [0.998, -1.998, 0.5]
        let (p2, s2) = Self.run(.adam(), steps: 2)
        #expect(close(p2, [0.998, -1.998, 0.5], absolute: 3e-7))
        #expect(close(Array(s2[0..<3]), [0.019, -0.038, 0], absolute: 1e-8))
        #expect(close(Array(s2[3..<6]), [1.999e-5, 7.996e-5, 0], absolute: 1e-9))
    }

    @Test func rmspropPlain() {
        // v = 0.1·g² = [0.001, 0.004, 0]; Δ = 0.001·g/√(v + 1e-7):
        //   0.0001/√0.0010001 = 0.00316212,  -0.0002/√0.0040001 = -0.00316224,  0/√1e-7 = 0
        let (p, v) = Self.run(.rmsprop(), steps: 1)
        #expect(close(p, [0.996_837_9, -1.996_837_8, 0.5], absolute: 2e-7))
        #expect(close(v, [0.001, 0.004, 0], absolute: 1e-9))
    }

    @Test func rmspropMomentum() {
        // step 1: mom = Δ₁ = [0.00316212, -0.00316224, 0]
        // step 2: v = 0.9·0.001 + 0.1·0.01 = 0.0019, Δ₂ = 0.0001/√0.0019001 = 0.00229410
        //         mom = 0.9·0.00316212 + 0.00229410 = 0.00514001 → p₀ = 0.99683788 - 0.00514001 = 0.99169787
        let (p, _) = Self.run(.rmsprop(momentum: 0.9), steps: 2)
        #expect(close(p, [0.991_697_9, -1.991_697_5, 0.5], absolute: 3e-7))
    }

    /// The 8-lane passes and their padded tail agree bit for bit with a plain
    /// scalar loop of the same Float operations (19 = 2 chunks + 3 tail).
    @Test(arguments: [
        Optimizer.sgd(), .sgd(learningRate: 0.05, momentum: 0.9), .sgd(momentum: 0.5, nesterov: true),
        .adam(), .rmsprop(), .rmsprop(momentum: 0.8),
    ])
    func lanesMatchScalarReference(_ optimizer: Optimizer) {
        let count = 19
        let p0 = Fixture.uniform(count, -1, 1, seed: 1)
        let g = Fixture.uniform(count, -0.1, 0.1, seed: 2)
        let (p, slots) = Self.run(optimizer, steps: 3, p: p0, g: g)
        var rp = p0
        var s0 = [Float](repeating: 0, count: count)
        var s1 = [Float](repeating: 0, count: count)
        for t in 1...3 {
            for i in 0..<count {
                switch optimizer.kind {
                case .sgd(let lr, let momentum, let nesterov):
                    if momentum == 0 {
                        rp[i] = rp[i] - g[i] * lr
                    } else {
                        s0[i] = s0[i] * momentum - g[i] * lr
                        rp[i] = rp[i] + (nesterov ? s0[i] * momentum - g[i] * lr : s0[i])
                    }
                case .adam(let lr, let b1, let b2, let eps):
                    let correction2: Double = (1 - pow(Double(b2), Double(t))).squareRoot()
                    let correction1: Double = 1 - pow(Double(b1), Double(t))
                    let alpha = Float(Double(lr) * correction2 / correction1)
                    s0[i] = s0[i] + (g[i] - s0[i]) * (1 - b1)
                    s1[i] = s1[i] + (g[i] * g[i] - s1[i]) * (1 - b2)
                    rp[i] = rp[i] - (s0[i] * alpha) / (s1[i].squareRoot() + eps)
                case .rmsprop(let lr, let rho, let momentum, let eps):
                    s0[i] = rho * s0[i] + (1 - rho) * (g[i] * g[i])
                    let increment = (lr * g[i]) / (s0[i] + eps).squareRoot()
                    if momentum > 0 {
                        s1[i] = momentum * s1[i] + increment
                        rp[i] = rp[i] - s1[i]
                    } else {
                        rp[i] = rp[i] - increment
                    }
                }
            }
        }
        #expect(p == rp)
        #expect(Array(slots[0..<min(slots.count, count)]) == (optimizer.slotCount > 0 ? s0 : [Float](repeating: 0, count: count)))
    }

    @Test func subnormalMomentsAreFlushedToZero() {
        // m after one step = 0.1·1e-38 = 1e-39, below Float.leastNormalMagnitude (1.18e-38).
        let (_, slots) = Self.run(.adam(), steps: 1, p: [0], g: [1e-38])
        #expect(slots == [0, 0])
    }

    @Test(arguments: [
        (Optimizer.sgd(learningRate: -1), "learning_rate=-1.0"),
        (.adam(learningRate: .nan), "learning_rate=nan"),
        (.sgd(momentum: 1.5), "momentum=1.5"),
        (.adam(beta1: 1), "beta_1=1.0"),
        (.adam(beta2: -0.1), "beta_2=-0.1"),
        (.rmsprop(rho: 2), "rho=2.0"),
        (.rmsprop(epsilon: -1), "epsilon=-1.0"),
    ])
    func badHyperparametersAreEchoed(_ optimizer: Optimizer, _ echo: String) {
        #expect {
            try optimizer.validate()
        } throws: { error in
            guard case .invalidArgument(let message) = error as? EngineError else { return false }
            return message.contains(echo) && message.hasPrefix(optimizer.name)
        }
    }

    @Test func slotCounts() {
        #expect(Optimizer.sgd().slotCount == 0)
        #expect(Optimizer.sgd(momentum: 0.9).slotCount == 1)
        #expect(Optimizer.adam().slotCount == 2)
        #expect(Optimizer.rmsprop().slotCount == 1)
        #expect(Optimizer.rmsprop(momentum: 0.5).slotCount == 2)
    }
}

/// The vector loops (8 lanes) and the tail, against a scalar reference of
/// Keras 3's formulas, on 19 parameters (two full lanes of 8, then 3).
struct OptimizerVectorLoopTests {
    static let count = 19
    static let p0: [Float] = (0..<count).map { Float($0 % 7) * 0.3 - 1 }
    static let grads: [Float] = (0..<count).map { Float(($0 * 5) % 11) * 0.04 - 0.2 }

    /// Keras 3's update_step, one parameter at a time, in Double.
    static func reference(_ optimizer: Optimizer, steps: Int) -> [Double] {
        var p = p0.map(Double.init)
        var m = [Double](repeating: 0, count: count)
        var v = [Double](repeating: 0, count: count)
        for t in 1...steps {
            for i in 0..<count {
                let g = Double(grads[i])
                switch optimizer.kind {
                case .sgd(let lr, let momentum, let nesterov):
                    let lr = Double(lr), mu = Double(momentum)
                    if mu == 0 {
                        p[i] -= lr * g
                    } else {
                        m[i] = mu * m[i] - lr * g
                        p[i] += nesterov ? mu * m[i] - lr * g : m[i]
                    }
                case .adam(let lr, let b1, let b2, let eps):
                    let (lr, b1, b2, eps) = (Double(lr), Double(b1), Double(b2), Double(eps))
                    m[i] += (g - m[i]) * (1 - b1)
                    v[i] += (g * g - v[i]) * (1 - b2)
                    let alpha = lr * (1 - pow(b2, Double(t))).squareRoot() / (1 - pow(b1, Double(t)))
                    p[i] -= m[i] * alpha / (v[i].squareRoot() + eps)
                case .rmsprop(let lr, let rho, let momentum, let eps):
                    let (lr, rho, mu, eps) = (Double(lr), Double(rho), Double(momentum), Double(eps))
                    v[i] = rho * v[i] + (1 - rho) * g * g
                    let increment = lr * g / (v[i] + eps).squareRoot()
                    if mu > 0 {
                        m[i] = mu * m[i] + increment
                        p[i] -= m[i]
                    } else {
                        p[i] -= increment
                    }
                }
            }
        }
        return p
    }

    @Test(arguments: [
        Optimizer.sgd(learningRate: 0.1), .sgd(learningRate: 0.1, momentum: 0.9),
        .sgd(learningRate: 0.1, momentum: 0.9, nesterov: true), .adam(learningRate: 0.01),
        .rmsprop(learningRate: 0.01), .rmsprop(learningRate: 0.01, momentum: 0.5),
    ])
    func everyLaneMatchesTheScalarReference(optimizer: Optimizer) {
        let (p, _) = OptimizerTests.run(optimizer, steps: 3, p: Self.p0, g: Self.grads)
        let expected = Self.reference(optimizer, steps: 3)
        for i in 0..<Self.count {
            #expect(abs(Double(p[i]) - expected[i]) <= 1e-5 * max(1, abs(expected[i])), "parameter \(i) with \(optimizer)")
        }
    }
}
