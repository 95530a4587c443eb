// The engine's only source of randomness: xoshiro256** seeded through
// SplitMix64. Same seed, same numbers, on every platform and Swift version
// (no standard-library randomness, whose algorithms may change).

/// A deterministic `RandomNumberGenerator`: xoshiro256** (Blackman & Vigna)
/// whose 256-bit state is filled by SplitMix64 from a 64-bit seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The generator for `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }  // the one forbidden state
    }

    /// An independent generator for sub-stream `stream` of `seed` (e.g. the
    /// shuffle of epoch `stream`): seeded with `seed` xor a SplitMix64 hash of `stream`.
    public init(seed: UInt64, stream: UInt64) {
        var hash = SplitMix64(state: stream ^ 0xD1B5_4A32_D192_ED03)
        self.init(seed: seed ^ hash.next())
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in `0..<bound` without bias (Lemire's multiply-and-reject).
    /// `bound` must be positive.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// Fisher–Yates shuffle of `count` values in place.
    mutating func shuffle(_ values: UnsafeMutablePointer<Int>, count: Int) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(next(below: UInt64(i + 1)))
            let value = values[i]
            values[i] = values[j]
            values[j] = value
        }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x &<< k) | (x &>> (64 &- k))
    }
}

/// Eight `SeededGenerator`s stepped side by side, one per lane: lane l's
/// numbers are exactly generator l's. Several streams at once hide the
/// latency of one xoshiro step (random masks draw one stream per batch row).
struct SeededGenerators8 {
    private var s0 = SIMD8<UInt64>(), s1 = SIMD8<UInt64>(), s2 = SIMD8<UInt64>(), s3 = SIMD8<UInt64>()

    /// Lanes from `generators` (at most eight); lanes past them repeat the first.
    init(_ generators: [SeededGenerator]) {
        precondition(!generators.isEmpty && generators.count <= 8, "one to eight generators")
        for lane in 0..<8 {
            let state = generators[lane < generators.count ? lane : 0].state
            (s0[lane], s1[lane], s2[lane], s3[lane]) = state
        }
    }

    /// The next 64 random bits of every lane (xoshiro256**; ×5 and ×9 as shifts and adds).
    mutating func next() -> SIMD8<UInt64> {
        let times5 = s1 &+ (s1 &<< 2)
        let rotated = (times5 &<< 7) | (times5 &>> 57)
        let result = rotated &+ (rotated &<< 3)
        let t = s1 &<< 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 &<< 45) | (s3 &>> 19)
        return result
    }
}

extension SeededGenerator {
    /// The four words of the state, for `SeededGenerators8`.
    fileprivate var state: (UInt64, UInt64, UInt64, UInt64) { (s0, s1, s2, s3) }
}

/// SplitMix64 (Steele, Lea & Flood): a 64-bit state stepped by the golden
/// gamma and finalised by two xor-multiply rounds. Used to expand seeds.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The training order of one epoch: `0..<count` shuffled by the generator
/// for (`seed`, `epoch`), so epoch k's order depends only on the seed and k
/// (which lets a resumed fit repeat an uninterrupted one exactly).
func epochPermutation(count: Int, seed: UInt64, epoch: Int, into buffer: UnsafeMutablePointer<Int>) {
    for i in 0..<count { buffer[i] = i }
    var generator = SeededGenerator(seed: seed, stream: UInt64(truncatingIfNeeded: epoch))
    generator.shuffle(buffer, count: count)
}
