import Synchronization

/// The engine's thread count (1 or more; smaller values are taken as 1).
/// Work is split into the same fixed chunks whatever the count, and chunks
/// never share a sum, so results are bit-identical for every count.
private let threadCount = Atomic<Int>(1)

/// Sets how many threads the engine's passes may use.
public func setComputeThreads(_ count: Int) {
    threadCount.store(max(1, count), ordering: .relaxed)
}

/// How many threads the engine's passes may use.
public func computeThreads() -> Int {
    threadCount.load(ordering: .relaxed)
}
