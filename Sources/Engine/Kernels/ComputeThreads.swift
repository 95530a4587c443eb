// The engine's threads: a pool that runs a pass's fixed tasks on up to N
// threads.
//
// Determinism: a pass is cut into the same tasks whatever the thread count
// (by rows, kernel rows or parameter ranges), every task writes its own
// outputs, and no sum crosses two tasks. Which thread runs a task, and
// when, changes no bit; threads 1, 2 and N give identical numbers.
//
// Robustness when another process holds a core: tasks are claimed one at a
// time from a shared counter, so the caller takes over every task a
// descheduled worker has not claimed yet. A caller waiting for a task that
// a worker has claimed spins only briefly, then sleeps on a condition
// variable: its core goes idle, and the scheduler can move the preempted
// worker there. A pass whose caller waited much longer than it worked
// (a worker lost its core mid-task) sends the next passes to the caller
// alone for a while, then threads are tried again. Workers spin for a short
// while after a pass (the next one usually follows within microseconds),
// then sleep.

import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The engine's thread count (1 or more; smaller values are taken as 1).
private let threadCount = Atomic<Int>(1)

/// Sets how many threads the engine's passes may use. The numbers do not depend on it.
public func setComputeThreads(_ count: Int) {
    threadCount.store(min(max(1, count), ComputePool.maximumThreads), ordering: .relaxed)
}

/// How many threads the engine's passes may use: `ComputeThreads.override`
/// where a caller set one, else the process's setting.
public func computeThreads() -> Int {
    ComputeThreads.override ?? threadCount.load(ordering: .relaxed)
}

public enum ComputeThreads {
    /// A thread count for the current task only (tests run concurrently,
    /// and each must get the count it asks for).
    @TaskLocal public static var override: Int?
}

/// The cores this process may run on (`sched_getaffinity`, so `taskset`
/// and container CPU sets count), at least 1.
public func availableCores() -> Int {
    #if os(Linux)
        var set = [UInt64](repeating: 0, count: 16)  // 1024 CPUs, glibc's cpu_set_t
        let status = set.withUnsafeMutableBytes { bytes in
            guard let mask = bytes.baseAddress else { return Int32(-1) }
            return linuxSchedGetaffinity(0, bytes.count, mask)
        }
        let count = set.reduce(0) { $0 + $1.nonzeroBitCount }
        if status == 0, count > 0 { return count }
    #endif
    return 1
}

#if os(Linux)
    /// glibc's `sched_getaffinity(pid, size, mask)`, which Swift's Glibc
    /// module leaves out (it is declared under _GNU_SOURCE only). Integer and
    /// pointer arguments pass the same way in Swift's and C's conventions.
    @_silgen_name("sched_getaffinity")
    private func linuxSchedGetaffinity(_ pid: Int32, _ size: Int, _ mask: UnsafeMutableRawPointer) -> Int32
#endif

/// Runs the tasks of one pass on the caller and up to `computeThreads() - 1` workers.
final class ComputePool: @unchecked Sendable {
    /// The one pool of the process (workers start on first use).
    static let shared = ComputePool()

    /// Most threads a pass may use.
    static let maximumThreads = 64

    /// How long a worker spins waiting for the next pass, and a caller for
    /// a claimed task, before sleeping: long enough to bridge the serial
    /// work between a step's passes (tens of microseconds), far shorter
    /// than a scheduler time slice.
    private static let workerSpinNanoseconds: UInt64 = 300_000
    private static let callerSpinNanoseconds: UInt64 = 50_000

    /// Whether a pass is running (its caller owns the fields below).
    private let busy = Atomic<Bool>(false)
    /// Generation (high 32 bits) and the next unclaimed task (low 32 bits).
    private let claim = Atomic<UInt64>(0)
    /// Generation (high 32 bits) and task count (low 32 bits) of the
    /// current pass, published before its claims open: a claim is valid
    /// only against the count of its own generation.
    private let limit = Atomic<UInt64>(0)
    /// Tasks of the current pass finished by workers.
    private let finishedByWorkers = Atomic<Int>(0)
    /// The current pass's task: written before its generation is
    /// published, read only by a thread holding one of its tasks.
    private var task: ((Int) -> Void)?

    private let sleepers = Atomic<Int>(0)
    private var mutex = pthread_mutex_t()
    private var wakeWorkers = pthread_cond_t()
    private var wakeCaller = pthread_cond_t()
    private let callerSleeping = Atomic<Bool>(false)
    private var workers = 0

    private init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&wakeWorkers, nil)
        pthread_cond_init(&wakeCaller, nil)
    }

    /// `body` over `0..<count` cut into the fixed ranges `piece` long (the
    /// last may be shorter), on several threads when the pass is worth it:
    /// `cost` (≈ multiply-adds per item) times `count` at least
    /// `minimumParallelWork`. The pieces, and so the results, are the same
    /// either way.
    func forEachPiece(of count: Int, piece: Int, cost: Int, _ body: @escaping (Range<Int>) -> Void) {
        let pieces = (count + piece - 1) / piece
        let work = { (t: Int) in body((t * piece)..<min(count, (t + 1) * piece)) }
        if count * cost < Self.minimumParallelWork || computeThreads() == 1 {
            for t in 0..<pieces { work(t) }
        } else {
            run(tasks: pieces, work)
        }
    }

    /// Passes with less work than this (multiply-adds) run on the caller
    /// alone: waking a worker costs a few microseconds.
    static let minimumParallelWork = 500_000

    /// Runs `body(0)`, …, `body(count - 1)`, each exactly once, on up to
    /// `computeThreads()` threads, and returns when all have finished.
    /// Tasks must not write what another task reads or writes.
    func run(tasks count: Int, _ body: @escaping (Int) -> Void) {
        precondition(count < 1 << 31, "too many tasks")
        // A product path pinned by the caller holds on the workers too.
        let body: (Int) -> Void =
            if let pinned = ProductKernels.pinnedWideTiles {
                { i in ProductKernels.$pinnedWideTiles.withValue(pinned) { body(i) } }
            } else {
                body
            }
        let threads = min(computeThreads(), count)
        // One pass at a time: a second caller (another thread, or a task
        // that starts a pass itself) runs its tasks alone, with the same bits.
        guard threads > 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for i in 0..<count { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        // After a pass stalled on a descheduled worker, the next passes run
        // alone for a while (same bits), then threads are tried again.
        if soloPassesLeft > 0 {
            soloPassesLeft -= 1
            for i in 0..<count { body(i) }
            return
        }
        startWorkers(threads - 1)
        let started = monotonicNanoseconds()
        task = body
        finishedByWorkers.store(0, ordering: .relaxed)
        let generation = (claim.load(ordering: .relaxed) >> 32) &+ 1
        limit.store(generation << 32 | UInt64(count), ordering: .sequentiallyConsistent)
        claim.store(generation << 32, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(&mutex)
            pthread_cond_broadcast(&wakeWorkers)
            pthread_mutex_unlock(&mutex)
        }
        // The caller takes tasks too, until none is left unclaimed.
        var byCaller = 0
        while true {
            let index = Int(claim.add(1, ordering: .acquiringAndReleasing).oldValue & 0xFFFF_FFFF)
            guard index < count else { break }
            body(index)
            byCaller += 1
        }
        let worked = monotonicNanoseconds() - started
        waitForWorkers(count - byCaller)
        // Every claim of this pass has finished, and a worker reads `task` only
        // after a claim within it: drop the closure, so the buffers it holds
        // (a workspace) go when their owner does, not at the next pass.
        task = nil
        // Waiting longer than its own share of the work took means a worker
        // holding a task lost its core: another process wants it, or the
        // host took the core for a moment. The passes run alone after a
        // stall double with each stall in a row (a process that keeps the
        // core) and halve with each pass that went well (a passing hiccup
        // costs a few passes, not a second of training).
        if monotonicNanoseconds() - started > 2 * worked + Self.stallSlackNanoseconds {
            soloPassesLeft = soloPassesAfterStall
            soloPassesAfterStall = min(2 * soloPassesAfterStall, Self.mostSoloPasses)
        } else {
            soloPassesAfterStall = max(soloPassesAfterStall / 2, Self.fewestSoloPasses)
        }
    }

    /// Passes run alone after a stall: at first this many, doubling with
    /// each stall in a row up to `mostSoloPasses` (~0.5-1 s of training).
    static let fewestSoloPasses = 8
    static let mostSoloPasses = 4_096
    /// Passes the next stall sends to the caller alone (touched by the pass's caller only).
    private var soloPassesAfterStall = ComputePool.fewestSoloPasses
    /// Waiting this much beyond the caller's own work is normal scheduling noise.
    static let stallSlackNanoseconds: UInt64 = 1_000_000
    /// Passes left to run on the caller alone (touched by the pass's caller only).
    private var soloPassesLeft = 0

    private func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Waits until workers have finished `expected` tasks: a short spin, then sleep.
    private func waitForWorkers(_ expected: Int) {
        var spins = 0
        let deadline = monotonicNanoseconds() + Self.callerSpinNanoseconds
        while finishedByWorkers.load(ordering: .acquiring) < expected {
            spins += 1
            if spins & 63 != 0 || monotonicNanoseconds() < deadline { continue }
            pthread_mutex_lock(&mutex)
            callerSleeping.store(true, ordering: .sequentiallyConsistent)
            while finishedByWorkers.load(ordering: .sequentiallyConsistent) < expected {
                pthread_cond_wait(&wakeCaller, &mutex)
            }
            callerSleeping.store(false, ordering: .relaxed)
            pthread_mutex_unlock(&mutex)
        }
    }

    /// Starts workers until there are `count`.
    private func startWorkers(_ count: Int) {
        while workers < count {
            workers += 1
            var thread = pthread_t()
            let context = Unmanaged.passUnretained(self).toOpaque()
            let started = pthread_create(
                &thread, nil,
                { context in
                    guard let context else { return nil }
                    Unmanaged<ComputePool>.fromOpaque(context).takeUnretainedValue().workerLoop()
                    return nil
                }, context)
            if started == 0 { pthread_detach(thread) } else { workers -= 1; return }
        }
    }

    /// A worker: wait for a new generation, take its tasks, repeat.
    private func workerLoop() {
        var seen = claim.load(ordering: .acquiring) >> 32
        while true {
            var spins = 0
            let deadline = monotonicNanoseconds() + Self.workerSpinNanoseconds
            while claim.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                if spins & 63 != 0 || monotonicNanoseconds() < deadline { continue }
                pthread_mutex_lock(&mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while claim.load(ordering: .sequentiallyConsistent) >> 32 == seen {
                    pthread_cond_wait(&wakeWorkers, &mutex)
                }
                sleepers.subtract(1, ordering: .sequentiallyConsistent)
                pthread_mutex_unlock(&mutex)
            }
            // Claim tasks. A claim belongs to the generation it returns; one
            // that is out of range, or of a pass already over, is dropped.
            while true {
                let old = claim.add(1, ordering: .acquiringAndReleasing).oldValue
                seen = old >> 32
                let current = limit.load(ordering: .acquiring)
                guard current >> 32 == seen, old & 0xFFFF_FFFF < current & 0xFFFF_FFFF, let task else { break }
                task(Int(old & 0xFFFF_FFFF))
                finishedByWorkers.add(1, ordering: .sequentiallyConsistent)
                if callerSleeping.load(ordering: .sequentiallyConsistent) {
                    pthread_mutex_lock(&mutex)
                    pthread_cond_signal(&wakeCaller)
                    pthread_mutex_unlock(&mutex)
                }
            }
        }
    }
}
