import Foundation
import Testing

@testable import HostIO

/// Temporary folders and files for the file-system tests.
enum Fixture {
    static func temporaryFolder() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dnb-hostio-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ bytes: [UInt8], _ path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let written = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(written, "cannot write \(path)")
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The error `body` throws; records an issue when it throws none.
    static func error<T>(
        _ body: () throws(FileError) -> T, sourceLocation: SourceLocation = #_sourceLocation
    ) -> FileError? {
        do {
            _ = try body()
            Issue.record("expected an error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

private final class Handoff<Value>: @unchecked Sendable {
    var value: Value?
}

extension Fixture {
    /// Runs `body` on another thread and returns its result. If it has not
    /// returned within `seconds` (it is blocked, the bug under test), records
    /// an issue, calls `unblock` and waits for it, so the test fails instead
    /// of hanging.
    static func finishesQuickly<Value>(
        within seconds: Double = 2, unblock: () -> Void, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: @escaping @Sendable () -> Value
    ) -> Value? {
        let result = Handoff<Value>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            result.value = body()
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            Issue.record("still blocked after \(seconds) s", sourceLocation: sourceLocation)
            unblock()
            done.wait()
        }
        return result.value
    }

    /// Opens and closes the write end of the FIFO `path` without waiting,
    /// which releases a reader blocked in `open`.
    static func openWriteEnd(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_NONBLOCK)
        if descriptor >= 0 { close(descriptor) }
    }
}
