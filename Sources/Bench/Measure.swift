// Clocks and peak memory for the benchmark.

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
