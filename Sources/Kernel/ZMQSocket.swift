import CZeroMQ
import Glibc

/// A ZeroMQ context: owns the I/O threads; thread-safe, shared by all sockets.
final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var terminated = false

    init() throws(KernelError) {
        guard let handle = zmq_ctx_new() else { throw .socket("zmq_ctx_new: \(ZMQSocket.lastError)") }
        self.handle = handle
    }

    /// Ends the context: blocked calls on any thread return ETERM, and this
    /// waits until every socket is closed and what they still had to send
    /// has left (each socket's linger). Called once, by the thread that owns it.
    func terminate() {
        guard !terminated else { return }
        terminated = true
        while zmq_ctx_term(handle) != 0, zmq_errno() == EINTR {}
    }

    deinit { terminate() }
}

/// One ZeroMQ socket, used by one thread. Multipart messages are lists of frames.
final class ZMQSocket {
    enum Kind {
        case router, publisher, reply

        var value: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .publisher: ZMQ_PUB
            case .reply: ZMQ_REP
            }
        }
    }

    let handle: UnsafeMutableRawPointer
    let endpoint: String
    // Keeps the context alive as long as a socket of it is open.
    private let context: ZMQContext

    /// A socket of `kind` bound to `endpoint` (`tcp://127.0.0.1:5555`).
    init(_ kind: Kind, context: ZMQContext, endpoint: String) throws(KernelError) {
        guard let handle = zmq_socket(context.handle, kind.value) else {
            throw .socket("zmq_socket: \(Self.lastError)")
        }
        // At close, pending replies get one second to leave, then are dropped.
        var linger: Int32 = 1000
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_bind(handle, endpoint) == 0 else {
            let reason = Self.lastError
            zmq_close(handle)
            throw .socket("cannot bind \(endpoint): \(reason)")
        }
        self.handle = handle
        self.endpoint = endpoint
        self.context = context
    }

    private var isClosed = false

    /// Closes the socket; what it still has to send leaves within its linger.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        zmq_close(handle)
    }

    deinit { close() }

    /// libzmq's text for the last error on this thread.
    static var lastError: String { String(cString: zmq_strerror(zmq_errno())) }

    /// The frames of one multipart message; nil when the wait was
    /// interrupted by a signal (Ctrl-C) or the context is closing.
    func receive() -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            if zmq_msg_recv(&message, handle, 0) < 0 {
                if zmq_errno() == EINTR, !frames.isEmpty { continue }
                return nil
            }
            let size = zmq_msg_size(&message)
            if size > 0, let data = zmq_msg_data(&message) {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// Sends `frames` as one multipart message. Returns false if libzmq refused.
    @discardableResult
    func send(_ frames: [[UInt8]]) -> Bool {
        for (index, frame) in frames.enumerated() {
            let flags = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            while true {
                let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if sent >= 0 { break }
                if zmq_errno() == EINTR { continue }
                return false
            }
        }
        return true
    }

    /// Waits until one of `sockets` has a message; returns which (by index).
    /// Empty when a signal interrupted the wait, or after `milliseconds`
    /// (-1: no limit; 0: only look).
    static func poll(_ sockets: [ZMQSocket], milliseconds: Int = -1) -> [Int] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let count = items.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), milliseconds)
        }
        guard count > 0 else { return [] }
        return items.indices.filter { items[$0].revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
