// exp, log and tanh written out in IEEE operations (+, −, ×, ÷, fused
// multiply-add, conversions), so they give the same bits on every CPU and
// platform. The C library's versions pick a code path per CPU at run time
// (glibc has separate FMA and SSE2 variants of expf, logf and pow), and
// differ between platforms: they must not decide a number dnb prints.
//
// Accuracy: exp within 2 ulp over its range, log within a few ulp of
// Double, tanh within 3 ulp (checked against the C library in the tests).

enum ElementaryFunctions {
    /// e^x in Float: x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite, two-part
    /// ln2), e^r = 1 + r + r²·P(r) with Cephes's degree-5 P in Horner form
    /// with FMAs, then scaled by 2^k exactly. +inf above 88.72…, +0 below −103.97.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        guard x == x else { return x }  // NaN
        if x > 88.722_839 { return .infinity }
        if x < -103.972_08 { return 0 }
        let k = (x * 1.442_695_04).rounded(.toNearestOrEven)
        let r = x.addingProduct(-k, 0.693_359_375).addingProduct(-k, -2.121_944_4e-4)
        var p: Float = 1.987_569_15e-4
        p = (1.398_199_9e-3 as Float).addingProduct(p, r)
        p = (8.333_451_9e-3 as Float).addingProduct(p, r)
        p = (4.166_579_6e-2 as Float).addingProduct(p, r)
        p = (1.666_666_5e-1 as Float).addingProduct(p, r)
        p = (5.000_000_1e-1 as Float).addingProduct(p, r)
        let y = r.addingProduct(p, r * r) + 1
        return scaled(y, byPowerOfTwo: Int(k))
    }

    /// `y · 2^k` in two exact steps, so that k may run from −150 to 128
    /// (only the last step may round, into the subnormals).
    @inline(__always)
    private static func scaled(_ y: Float, byPowerOfTwo k: Int) -> Float {
        let half = k / 2
        let first = Float(bitPattern: UInt32(truncatingIfNeeded: 127 + half) << 23)
        let second = Float(bitPattern: UInt32(truncatingIfNeeded: 127 + k - half) << 23)
        return y * first * second
    }

    /// The natural logarithm in Double, for the reported loss: x = m·2^e
    /// with m in [√½, √2), log m = 2·atanh(f), f = (m − 1)/(m + 1), by its
    /// series to f^23 (|f| ≤ 0.172: the next term is below 1e-18).
    /// Returns −inf for 0, NaN for negatives and NaN, +inf for +inf.
    static func log(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        var e = 0
        var m = x
        if m.exponentBitPattern == 0 {  // subnormal: into the normal range first
            m *= 0x1p54
            e -= 54
        }
        e += Int(m.exponentBitPattern) - 1023
        m = Double(sign: .plus, exponentBitPattern: 1023, significandBitPattern: m.significandBitPattern)
        if m > 1.414_213_562_373_095_1 {
            m /= 2
            e += 1
        }
        let f = (m - 1) / (m + 1)
        let f2 = f * f
        var series = 1.0 / 23
        var denominator = 21.0
        while denominator >= 1 {
            series = (1 / denominator).addingProduct(series, f2)
            denominator -= 2
        }
        return Double(e) * 0.693_147_180_559_945_3 + 2 * f * series
    }

    /// tanh in Float: for |x| < 0.25 its odd Taylor series to x^11
    /// (the next term is below 2e-10 relative); above, (1 − e)/(1 + e) with
    /// e = exp(−2|x|), with the sign of x; ±1 beyond |x| > 9.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        guard x == x else { return x }
        let magnitude = abs(x)
        if magnitude > 9 { return x > 0 ? 1 : -1 }
        if magnitude < 0.25 {
            let x2 = x * x
            var p = Float(-1382.0 / 155_925)
            p = Float(62.0 / 2835).addingProduct(p, x2)
            p = Float(-17.0 / 315).addingProduct(p, x2)
            p = Float(2.0 / 15).addingProduct(p, x2)
            p = Float(-1.0 / 3).addingProduct(p, x2)
            return x.addingProduct(x * x2, p)
        }
        let e = exp(-2 * magnitude)
        let t = (1 - e) / (1 + e)
        return x > 0 ? t : -t
    }

    /// `base^exponent` (exponent ≥ 0) by repeated squaring, in a fixed
    /// order of Double multiplications: Adam's β^t.
    static func power(_ base: Double, _ exponent: Int) -> Double {
        precondition(exponent >= 0, "negative exponent")
        var result = 1.0
        var square = base
        var rest = exponent
        while rest > 0 {
            if rest & 1 == 1 { result *= square }
            square *= square
            rest >>= 1
        }
        return result
    }

    /// The logistic sigmoid 1 / (1 + e^−x).
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }
}
