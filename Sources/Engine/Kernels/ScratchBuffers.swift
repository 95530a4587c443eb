// Per-task scratch memory for a pass: tasks running at once each borrow a
// buffer, so a layer needs one per thread instead of one per batch row.

import Synchronization

/// Buffers of `count` floats, lent one per task while it runs. Allocated on
/// first need (at most one per thread running the pass at once) and kept
/// until the owner goes.
final class ScratchBuffers: Sendable {
    /// Floats in each buffer.
    let count: Int
    /// Addresses of every buffer made, and of those free now.
    private let buffers = Mutex<(all: [Int], free: [Int])>(([], []))

    init(count: Int) {
        self.count = max(count, 1)
    }

    deinit {
        buffers.withLock { state in
            for address in state.all { UnsafeMutablePointer<Float>(bitPattern: address)?.deallocate() }
        }
    }

    /// `body` with a buffer no other running task holds (its contents are
    /// whatever the last borrower left).
    func withBuffer<R>(_ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let address = buffers.withLock { state -> Int in
            if let free = state.free.popLast() { return free }
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0, count: count)
            let address = Int(bitPattern: buffer)
            state.all.append(address)
            return address
        }
        defer { buffers.withLock { $0.free.append(address) } }
        // The address came from `allocate` above: never nil.
        return body(UnsafeMutablePointer<Float>(bitPattern: address).unsafelyUnwrapped)
    }
}
