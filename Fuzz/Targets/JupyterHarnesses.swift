import Digests
import Engine
import Interpreter
import JSON
import Kernel
import Language

extension FuzzTargets {
    /// `dnb run FILE.ipynb`: the notebook's JSON and its code cells
    /// (`JupyterNotebook.codeCells`, what the command reads), every statement
    /// of every cell parsed, and a notebook of only `help` and `param` cells
    /// run in one session, cell after cell, as the command runs them.
    public static let ipynb = FuzzTarget(
        name: "ipynb", summary: "a Jupyter notebook for dnb run (JupyterNotebook.codeCells, parser, harmless cells run)",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "jupyter.dict"
    ) { bytes in
        let cells: [JupyterNotebook.CodeCell]
        do throws(Diagnostic) {
            cells = try JupyterNotebook.codeCells(bytes, name: "fuzz.ipynb")
        } catch {
            return .refused(error.message)
        }
        var onlyHarmless = true
        for cell in cells {
            switch harmlessness(of: cell.source) {
            case .refused(let message): return .refused(message)
            case .accepted(let harmless): onlyHarmless = onlyHarmless && harmless
            }
        }
        guard onlyHarmless else { return .accepted }
        let session = Session(environment: nowhere, emit: { _ in })
        for cell in cells {
            if let failure = session.run(source: cell.source, file: "fuzz.ipynb[cell \(cell.number)]") {
                return .refused(failure.rendered)
            }
        }
        return .accepted
    }

    /// The key the `jupyter-wire` harness signs and checks with (a
    /// connection file's `key`, as Jupyter writes it).
    public static let wireKey = Array("a0436f6c-1916-498b-8eb9-e81ab9368e84".utf8)

    /// Jupyter wire messages as the kernel's sockets deliver them: the
    /// frames, the HMAC-SHA256 check and the four JSON frames
    /// (`MessageSigner.message(from:)`, the kernel's one decoding), then the
    /// kernel's answer (`RequestHandler.answer`); an `execute_request` is
    /// answered only when its code is `help` and `param` lines. Every reply
    /// and iopub message is signed and must read back as sent.
    ///
    /// The input is a mode byte, then messages separated by 0xFE, each a
    /// list of frames separated by 0xFF (neither byte occurs in UTF-8, so
    /// JSON and the `<IDS|MSG>` delimiter never need them). All messages go
    /// through one signer and one handler, as on one connection (the first
    /// ``maximumWireMessages`` of them). Mode bit 0
    /// set: frames are used as given (the fuzzer's own signatures); clear:
    /// the harness signs the four frames after the signature frame with
    /// ``wireKey``, so the JSON behind the check is reached. Bit 1 set: no
    /// key, nothing is signed or checked.
    public static let jupyterWire = FuzzTarget(
        name: "jupyter-wire",
        summary: "Jupyter wire messages (MessageSigner.message(from:), RequestHandler.answer, replies signed)",
        maximumLength: 1 << 20, maximumExpandedLength: 1 << 20, dictionary: "jupyter.dict"
    ) { bytes in
        guard let mode = bytes.first else { return .refused("no mode byte") }
        let key = mode & 2 == 0 ? wireKey : []
        var signer = MessageSigner(key: key)
        let handler = RequestHandler(environment: nowhere)
        handler.publish = { type, content, metadata, parent in
            var message = WireMessage(
                header: .object([JSONValue.Member(key: "msg_type", value: .string(type))]), content: content)
            message.identities = [Array("kernel.fuzz.\(type)".utf8)]
            message.parentHeader = parent
            message.metadata = metadata
            readBack(message, key: key)
        }
        var refusal: String?
        var accepted = false
        let messages = bytes.dropFirst().split(separator: 0xFE, omittingEmptySubsequences: false)
        for chunk in messages.prefix(maximumWireMessages) {
            var frames = chunk.split(separator: 0xFF, omittingEmptySubsequences: false).map { Array($0) }
            if mode & 1 == 0, !key.isEmpty, let split = frames.firstIndex(of: WireMessage.delimiter),
                frames.count >= split + 6
            {
                let parts = Array(frames[(split + 2)...(split + 5)])
                frames[split + 1] = Array(HMACSHA256.hexCode(key: key, parts: parts).utf8)
            }
            let message: WireMessage
            do throws(WireMessage.Refusal) {
                message = try signer.message(from: frames)
            } catch {
                refusal = refusal ?? error.description
                continue
            }
            accepted = true
            // After a shutdown_reply the kernel reads no more.
            guard handler.running else { break }
            if message.type == "execute_request" {
                guard case .accepted(true) = harmlessness(of: message.content["code"]?.string ?? "") else { continue }
            }
            guard let (type, content) = handler.answer(message) else { continue }
            var reply = WireMessage(header: .object([JSONValue.Member(key: "msg_type", value: .string(type))]), content: content)
            reply.identities = message.identities
            reply.parentHeader = message.header
            readBack(reply, key: key)
        }
        if accepted { return .accepted }
        return .refused(refusal ?? "no message")
    }

    /// The messages of one `jupyter-wire` input that are served; the rest are
    /// ignored. What the kernel keeps between messages grows by one entry a
    /// message (the replay set, the history), so more would find nothing new
    /// and only make each run slower: a 1 MiB input of 4,000 small messages
    /// took 0.3 s, and such mutants held the harness at 8 runs a second.
    static let maximumWireMessages = 64

    /// A message the kernel sends must read back as sent: whatever a
    /// request carried into a reply (its header as the parent, its
    /// identities, its code) must not make the reply unreadable. A
    /// difference is a finding, so it stops the process.
    static func readBack(_ message: WireMessage, key: [UInt8]) {
        var reader = MessageSigner(key: key)
        do throws(WireMessage.Refusal) {
            let read = try reader.message(from: MessageSigner(key: key).frames(of: message))
            precondition(read == message, "the kernel sent a \(message.type) that reads back differently")
        } catch {
            preconditionFailure("the kernel sent a \(message.type) it cannot read back: \(error.description)")
        }
    }

    /// What a harness may run of `source`: refused when a statement does not
    /// parse; accepted(true) when every command is `help` or `param` (they
    /// touch neither data nor files), accepted(false) otherwise.
    enum Harmlessness {
        case accepted(Bool)
        case refused(String)
    }

    static func harmlessness(of source: String) -> Harmlessness {
        var harmless = true
        for statement in NotebookSplitter.statements(in: source) {
            do throws(Diagnostic) {
                if let command = try Parser.parse(statement), !["help", "param"].contains(command.verb.text) {
                    harmless = false
                }
            } catch {
                return .refused(error.message)
            }
        }
        return .accepted(harmless)
    }

    /// An environment whose folders do not exist and which has no data.
    static var nowhere: Environment {
        Environment(variables: [:], currentDirectory: "/nonexistent/dnb-fuzz", homeDirectory: "/nonexistent/dnb-fuzz")
    }
}
