// The module's only network code: fetching Keras's mnist.npz over HTTPS.
// The locator checks the SHA-256 and writes the file; this only fetches.

import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Why a download failed, in words for the user.
struct DownloadFailure: Error, Equatable {
    var reason: String
}

/// Fetches a URL into memory, reporting progress: `(bytesSoFar, totalBytes?)`.
typealias Downloader = @Sendable (_ url: String, _ onProgress: (Int, Int?) -> Void) throws(DownloadFailure) -> [UInt8]

/// Downloads with URLSession, synchronously.
enum MNISTDownloader {
    /// Where Keras downloads MNIST from.
    static let url = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    /// SHA-256 of that file (the hash Keras's `mnist.load_data` checks).
    static let sha256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

    /// The downloader the locator uses unless a test injects another.
    static let live: Downloader = { url, onProgress throws(DownloadFailure) in
        try fetch(url, onProgress: onProgress)
    }

    /// Downloads `url` into memory.
    ///
    /// `onProgress` is called on the calling thread, at most every 0.1 s,
    /// whenever more bytes have arrived, and once at the end.
    ///
    /// - Parameters:
    ///   - idleTimeout: seconds without any data before giving up (default 60).
    ///   - maximumBytes: the largest body accepted (default 256 MiB; mnist.npz is 11 MB).
    /// - Throws: `DownloadFailure` for a network error, an HTTP status other
    ///   than 200, a stall longer than `idleTimeout`, or a body over `maximumBytes`.
    static func fetch(
        _ url: String, idleTimeout: Double = 60, maximumBytes: Int = 256 << 20, onProgress: (Int, Int?) -> Void
    ) throws(DownloadFailure) -> [UInt8] {
        guard let address = URL(string: url) else { throw DownloadFailure(reason: "not a valid URL") }
        let transfer = Transfer(maximumBytes: maximumBytes, idleTimeout: idleTimeout)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = 30 * 60
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: nil)
        defer { session.invalidateAndCancel() }
        let task = session.dataTask(with: address)
        task.resume()

        var reported = -1
        var cancelled: Date? = nil
        while transfer.finished.wait(timeout: .now() + 0.1) == .timedOut {
            let (received, total, lastActivity) = transfer.progress()
            if received != reported {
                onProgress(received, total)
                reported = received
            }
            if let cancelled {
                // URLSession should report the cancellation at once; never wait on it for long.
                if Date().timeIntervalSince(cancelled) > 5 { break }
            } else if Date().timeIntervalSince(lastActivity) > idleTimeout {
                transfer.fail(stalledReason(idleTimeout))
                task.cancel()
                cancelled = Date()
            }
        }
        let (received, total, _) = transfer.progress()
        if received != reported { onProgress(received, total) }
        return try transfer.result()
    }
}

/// The failure text for a download that stopped making progress.
private func stalledReason(_ idleTimeout: Double) -> String {
    "no data received for \(Int(idleTimeout)) s; giving up"
}

/// The state of one download, shared between URLSession's delegate queue
/// and the waiting caller; every field is guarded by `lock`.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let maximumBytes: Int
    private let idleTimeout: Double
    private var body = Data()
    private var expectedLength: Int?
    private var lastActivity = Date()
    private var failure: String?

    init(maximumBytes: Int, idleTimeout: Double) {
        self.maximumBytes = maximumBytes
        self.idleTimeout = idleTimeout
    }

    /// Bytes so far, the announced total if any, and when data last arrived.
    func progress() -> (Int, Int?, Date) {
        lock.withLock { (body.count, expectedLength, lastActivity) }
    }

    /// Records the first reason the download failed.
    func fail(_ reason: String) {
        lock.withLock { if failure == nil { failure = reason } }
    }

    /// The body, or why there is none.
    func result() throws(DownloadFailure) -> [UInt8] {
        lock.lock()
        let (body, failure) = (self.body, self.failure)
        lock.unlock()
        if let failure { throw DownloadFailure(reason: failure) }
        return [UInt8](body)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            fail("the server answered HTTP \(http.statusCode)")
            completionHandler(.cancel)
            return
        }
        let length = response.expectedContentLength
        lock.withLock {
            expectedLength = length > 0 ? Int(length) : nil
            lastActivity = Date()
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let tooLarge = lock.withLock {
            body.append(data)
            lastActivity = Date()
            return body.count > maximumBytes
        }
        if tooLarge {
            fail("the file is larger than \(maximumBytes) bytes; refusing to continue")
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error = error as? URLError, error.code == .timedOut {
            fail(stalledReason(idleTimeout))
        } else if let error {
            fail(error.localizedDescription)
        }
        finished.signal()
    }
}
