// Clocks and peak memory for the benchmark.

import CWideKernels

#if canImport(Glibc)
    import Glibc
#endif

/// Seconds since an arbitrary start, from the monotonic clock.
func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// Seconds `body` takes, and its result.
func timed<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
    let start = now()
    let value = try body()
    return (now() - start, value)
}

/// Peak resident set size of this process in bytes (`getrusage` ru_maxrss,
/// which Linux reports in KiB; the same figure as /proc/self/status VmHWM).
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) * 1024
}

/// The median of non-empty `values`.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// This core's single-precision peak in FLOP/s with 8-lane (AVX2) FMAs,
/// measured: twelve independent 8-lane FMA chains (enough to cover the FMA
/// latency on current x86 cores) for about `seconds`, 2 FLOP per lane per
/// FMA. The best of `runs` runs.
func measuredPeakPerCore(seconds: Double = 0.1, runs: Int = 3) -> Double {
    var best = 0.0
    for _ in 0..<runs {
        var a = (SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1))
        var b = (SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1))
        var c = (SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1))
        var d = (SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1), SIMD8<Float>(repeating: 1))
        let x = SIMD8<Float>(repeating: 0.999_999), y = SIMD8<Float>(repeating: 1e-7)
        var iterations = 0
        let start = now()
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<10_000 {
                a.0 = a.0.addingProduct(a.0, x); a.1 = a.1.addingProduct(a.1, x); a.2 = a.2.addingProduct(a.2, x)
                b.0 = b.0.addingProduct(b.0, y); b.1 = b.1.addingProduct(b.1, y); b.2 = b.2.addingProduct(b.2, y)
                c.0 = c.0.addingProduct(c.0, x); c.1 = c.1.addingProduct(c.1, x); c.2 = c.2.addingProduct(c.2, x)
                d.0 = d.0.addingProduct(d.0, y); d.1 = d.1.addingProduct(d.1, y); d.2 = d.2.addingProduct(d.2, y)
            }
            iterations += 10_000
            elapsed = now() - start
        }
        let sink = a.0 + a.1 + a.2 + b.0 + b.1 + b.2 + c.0 + c.1 + c.2 + d.0 + d.1 + d.2
        if sink[0] == 42 { print("") }  // keeps the chains alive
        best = max(best, Double(iterations) * 12 * 8 * 2 / elapsed)
    }
    return best
}

/// This core's single-precision peak in FLOP/s with 16-lane (AVX-512) FMAs,
/// measured like the 8-lane one: sixteen independent chains
/// (`dnb_wide_fma_chains`, C compiled for AVX-512F) for about `seconds`, the
/// best of `runs` runs; nil where the engine's AVX-512 tiles do not run (no
/// AVX-512F, or the portable build). On Zen 4, whose 512-bit FMAs are two
/// 256-bit halves, it is about the 8-lane figure; on Sapphire Rapids, twice it.
func measuredWidePeakPerCore(seconds: Double = 0.1, runs: Int = 3) -> Double? {
    guard dnb_wide_available() else { return nil }
    var best = 0.0
    for _ in 0..<runs {
        var rounds = 0
        var sink: Float = 0
        let start = now()
        var elapsed = 0.0
        while elapsed < seconds {
            sink += dnb_wide_fma_chains(100_000)
            rounds += 100_000
            elapsed = now() - start
        }
        if sink == 42 { print("") }  // keeps the chains alive
        best = max(best, Double(rounds) * 16 * 16 * 2 / elapsed)
    }
    return best
}

/// The peak `% of peak` is measured against: the engine's widest FMA path
/// that runs on this CPU (16 lanes where the AVX-512 tiles run, else 8).
struct PeakReport: Codable {
    /// `16-lane FMA peak` or `8-lane FMA peak`.
    var path: String
    var lanes: Int
    /// FLOP/s of one core on that path.
    var perCore: Double
    /// The 8-lane (AVX2) figure, always measured.
    var eightLanePerCore: Double
    /// The 16-lane (AVX-512) figure, where the engine's wide tiles run.
    var sixteenLanePerCore: Double?

    /// Both peaks measured now, the widest the engine uses chosen. Each is
    /// the best of seven 0.1 s runs, the two paths taking turns, so that a
    /// moment when another process holds the core lowers neither alone (on
    /// a shared 2-core host one 0.3 s measurement was seen 25% low).
    static func measure() -> PeakReport {
        var eight = 0.0
        var wide: Double?
        for _ in 0..<7 {
            eight = max(eight, measuredPeakPerCore(runs: 1))
            if let sixteen = measuredWidePeakPerCore(runs: 1) { wide = max(wide ?? 0, sixteen) }
        }
        if let sixteen = wide {
            return PeakReport(
                path: "16-lane FMA peak", lanes: 16, perCore: sixteen, eightLanePerCore: eight, sixteenLanePerCore: sixteen)
        }
        return PeakReport(path: "8-lane FMA peak", lanes: 8, perCore: eight, eightLanePerCore: eight, sixteenLanePerCore: nil)
    }
}
