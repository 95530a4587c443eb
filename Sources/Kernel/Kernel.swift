import CZeroMQ
import Foundation
import Glibc
import Interpreter
import JSON
import Terminal

/// `dnb kernel -f CONNECTION_FILE`: dnb as a Jupyter kernel (messaging
/// protocol 5.3 over ZeroMQ). A front end like the REPL: cells go through
/// the same `Session`, its output events become iopub messages.
///
/// Shell and control requests are served one at a time on the calling
/// thread; the heartbeat echoes on a thread of its own, so a long `fit`
/// does not look like a dead kernel. Interrupts arrive as SIGINT
/// (`interrupt_mode: signal`) and stop `fit` after the current batch.
public final class Kernel {
    static let protocolVersion = "5.3"
    static let implementationVersion = "0.1.0"

    let shell: ZMQSocket
    let control: ZMQSocket
    let stdin: ZMQSocket
    let iopub: ZMQSocket
    private let context: ZMQContext
    private let heartbeat: Heartbeat
    var signer: MessageSigner
    /// This kernel's session id, in the header of every message it sends.
    let sessionID = UUID().uuidString.lowercased()
    /// The answers, without sockets: this type sends what they return and publish.
    let requests: RequestHandler

    /// Binds the five sockets of `connection`. Errors name what failed.
    public init(connection: ConnectionFile, environment: Environment) throws(KernelError) {
        let context = try ZMQContext()
        self.context = context
        shell = try ZMQSocket(.router, context: context, endpoint: connection.endpoint(connection.shellPort))
        control = try ZMQSocket(.router, context: context, endpoint: connection.endpoint(connection.controlPort))
        stdin = try ZMQSocket(.router, context: context, endpoint: connection.endpoint(connection.stdinPort))
        iopub = try ZMQSocket(.publisher, context: context, endpoint: connection.endpoint(connection.iopubPort))
        heartbeat = try Heartbeat(context: context, endpoint: connection.endpoint(connection.heartbeatPort))
        signer = MessageSigner(key: connection.key)
        requests = RequestHandler(environment: environment, isInterrupted: { Interrupts.isRequested })
        requests.publish = { [unowned self] type, content, metadata, parent in
            self.publish(type, content: content, metadata: metadata, parent: parent)
        }
    }

    /// Serves requests until a `shutdown_request`; returns the exit code.
    public func run() -> Int32 {
        Interrupts.install()
        heartbeat.start()
        publish("status", content: .object(["execution_state": .string("starting")]), parent: .emptyObject)
        let sockets = [shell, control, stdin]
        while requests.running {
            for index in ZMQSocket.poll(sockets) where requests.running {
                guard let frames = sockets[index].receive() else { continue }
                if index == 2 { continue }  // dnb never asks for input: stray input_replies are dropped
                handle(frames, on: sockets[index])
            }
        }
        // The shutdown reply and the last status must leave before the process does.
        for socket in [shell, control, stdin, iopub] { socket.close() }
        context.terminate()
        return 0
    }

    /// One incoming message: checked, then served.
    func handle(_ frames: [[UInt8]], on socket: ZMQSocket) {
        if let request = checked(frames, on: socket) { serve(request, on: socket) }
    }

    /// The message in `frames`; nil (and a line on stderr) when it is refused.
    /// `MessageSigner.message(from:)` decides; this only reports.
    func checked(_ frames: [[UInt8]], on socket: ZMQSocket) -> WireMessage? {
        do throws(WireMessage.Refusal) {
            return try signer.message(from: frames)
        } catch {
            log("dropped a message on the \(socket === control ? "control" : "shell") channel: \(error.description)")
            return nil
        }
    }

    /// Answers `request`, with busy/idle around it.
    func serve(_ request: WireMessage, on socket: ZMQSocket) {
        publish("status", content: .object(["execution_state": .string("busy")]), parent: request.header)
        defer { publish("status", content: .object(["execution_state": .string("idle")]), parent: request.header) }
        guard let (replyType, content) = requests.answer(request) else {
            log("ignored a message of unknown type '\(request.type)'")
            return
        }
        reply(to: request, on: socket, type: replyType, content: content)
        if request.type == "execute_request", content["status"]?.string == "error",
            request.content["stop_on_error"]?.boolean ?? true
        {
            abortQueuedExecutions()
        }
    }

    /// After a failed cell, the cells already sent behind it (JupyterLab's
    /// "Run All") are answered `aborted` instead of run, as ipykernel does;
    /// other queued requests are served as usual.
    func abortQueuedExecutions() {
        while !ZMQSocket.poll([shell], milliseconds: 0).isEmpty, let frames = shell.receive() {
            guard let request = checked(frames, on: shell) else { continue }
            guard request.type == "execute_request" else {
                serve(request, on: shell)
                continue
            }
            publish("status", content: .object(["execution_state": .string("busy")]), parent: request.header)
            reply(to: request, on: shell, type: "execute_reply", content: .object(["status": .string("aborted")]))
            publish("status", content: .object(["execution_state": .string("idle")]), parent: request.header)
        }
    }

    // MARK: - Sending

    func reply(to request: WireMessage, on socket: ZMQSocket, type: String, content: JSONValue) {
        var message = WireMessage(header: header(type), content: content)
        message.identities = request.identities
        message.parentHeader = request.header
        socket.send(signer.frames(of: message))
    }

    func publish(_ type: String, content: JSONValue, metadata: JSONValue = .emptyObject, parent: JSONValue) {
        var message = WireMessage(header: header(type), content: content)
        message.identities = [Array("kernel.\(sessionID).\(type)".utf8)]
        message.parentHeader = parent
        message.metadata = metadata
        iopub.send(signer.frames(of: message))
    }

    func header(_ type: String) -> JSONValue {
        .object([
            "msg_id": .string(UUID().uuidString.lowercased()),
            "session": .string(sessionID),
            "username": .string("dnb"),
            "date": .string(Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))),
            "msg_type": .string(type),
            "version": .string(Self.protocolVersion),
        ])
    }

    func log(_ text: String) {
        Console.write("dnb kernel: \(text)\n", to: STDERR_FILENO)
    }
}

/// The heartbeat: a REP socket on its own thread that echoes every ping.
final class Heartbeat: @unchecked Sendable {
    private let socket: ZMQSocket

    init(context: ZMQContext, endpoint: String) throws(KernelError) {
        socket = try ZMQSocket(.reply, context: context, endpoint: endpoint)
    }

    func start() {
        let thread = Thread { [self] in
            // SIGINT is for the thread that runs commands.
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGINT)
            pthread_sigmask(SIG_BLOCK, &signals, nil)
            while true {
                if let frames = self.socket.receive() {
                    self.socket.send(frames)
                } else if zmq_errno() == ETERM {
                    self.socket.close()
                    return
                }
            }
        }
        thread.start()
    }
}
