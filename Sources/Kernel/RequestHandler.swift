import Glibc
import Interpreter
import JSON
import Language
import Terminal

/// One executed cell, for `history_request`.
struct HistoryEntry {
    var line: Int
    var input: String
    var output: String
}

/// The kernel's answers to decoded requests, without sockets: `answer`
/// returns the reply's type and content, and sends what happens meanwhile
/// (`execute_input`, outputs, errors) through `publish` as iopub messages.
/// `Kernel` wraps it in the sockets loop; the `jupyter-wire` fuzzing harness
/// calls it directly.
public final class RequestHandler {
    /// The one session number `history` knows: this kernel's lifetime.
    static let historySession = 1

    /// Sends an iopub message: type, content, metadata, parent header.
    public var publish: (String, JSONValue, JSONValue, JSONValue) -> Void = { _, _, _, _ in }
    let outputs: OutputRouter
    let session: Session
    /// `In[n]`: counts executions with `store_history`.
    var executionCount = 0
    /// The cells run with `store_history`, for `history_request`.
    var history: [HistoryEntry] = []
    /// False once a `shutdown_request` was answered.
    public private(set) var running = true

    /// A session in `environment`; `isInterrupted` is polled by long commands.
    public init(environment: Environment, isInterrupted: @escaping () -> Bool = { false }) {
        let outputs = OutputRouter()
        self.outputs = outputs
        session = Session(environment: environment, isInterrupted: isInterrupted, emit: outputs.show)
        session.frontEnd = .jupyter
        outputs.publish = { [unowned self] type, content, metadata, parent in
            self.publish(type, content, metadata, parent)
        }
    }

    func publish(_ type: String, content: JSONValue, metadata: JSONValue = .emptyObject, parent: JSONValue) {
        publish(type, content, metadata, parent)
    }

    /// The reply's type and content for `request`; nil for a type dnb does not serve.
    public func answer(_ request: WireMessage) -> (type: String, content: JSONValue)? {
        let content = request.content
        switch request.type {
        case "kernel_info_request": return ("kernel_info_reply", kernelInfo)
        case "execute_request": return ("execute_reply", execute(request))
        case "complete_request": return ("complete_reply", complete(content))
        case "inspect_request": return ("inspect_reply", inspect(content))
        case "is_complete_request": return ("is_complete_reply", isComplete(content))
        case "history_request": return ("history_reply", historyReply(content))
        case "comm_info_request": return ("comm_info_reply", .object(["status": .string("ok"), "comms": .emptyObject]))
        case "interrupt_request":
            // With interrupt_mode "signal" Jupyter sends SIGINT instead; a
            // request that comes anyway finds no command running.
            return ("interrupt_reply", .object(["status": .string("ok")]))
        case "shutdown_request":
            running = false
            return (
                "shutdown_reply",
                .object(["status": .string("ok"), "restart": .bool(content["restart"]?.boolean ?? false)])
            )
        default: return nil
        }
    }

    var kernelInfo: JSONValue {
        .object([
            "status": .string("ok"),
            "protocol_version": .string(Kernel.protocolVersion),
            "implementation": .string("dnb"),
            "implementation_version": .string(Kernel.implementationVersion),
            "language_info": .object([
                "name": .string("dnb"),
                "version": .string(Kernel.implementationVersion),
                "mimetype": .string("text/x-dnb"),
                "file_extension": .string(".dnb"),
                "pygments_lexer": .string("text"),
                "codemirror_mode": .string("shell"),
            ]),
            "banner": .string("dnb — digit notebook. `help` lists the commands; `help fit` explains one."),
            "help_links": .array([]),
        ])
    }

    /// `execute_request`: every line of the cell through the session, outputs
    /// on iopub as they happen, then the reply (ok, or the error).
    func execute(_ request: WireMessage) -> JSONValue {
        let code = request.content["code"]?.string ?? ""
        let silent = request.content["silent"]?.boolean ?? false
        let storeHistory = !silent && (request.content["store_history"]?.boolean ?? true)
        if storeHistory { executionCount += 1 }
        let count = executionCount
        if !silent {
            publish(
                "execute_input", content: .object(["code": .string(code), "execution_count": .number(count)]),
                parent: request.header)
        }
        outputs.begin(parent: request.header, executionCount: count)
        Interrupts.clear()
        let failure = session.run(source: code, file: "In[\(count)]")
        outputs.end()
        Interrupts.clear()
        if storeHistory {
            history.append(HistoryEntry(line: count, input: code, output: outputs.results.joined(separator: "\n")))
        }
        guard let failure else {
            return .object([
                "status": .string("ok"), "execution_count": .number(count), "payload": .array([]),
                "user_expressions": .emptyObject,
            ])
        }
        let error = failure.jupyterError
        let fields: KeyValuePairs<String, JSONValue> = [
            "ename": .string(error.ename), "evalue": .string(error.evalue),
            "traceback": .array(error.traceback.map(JSONValue.string)),
        ]
        publish("error", content: .object(fields), parent: request.header)
        return .object([
            "status": .string("error"), "execution_count": .number(count), "ename": .string(error.ename),
            "evalue": .string(error.evalue), "traceback": .array(error.traceback.map(JSONValue.string)),
        ])
    }

    /// `complete_request`: the candidates tab completion offers at the
    /// cursor, from the command table.
    func complete(_ content: JSONValue) -> JSONValue {
        let code = Array((content["code"]?.string ?? "").unicodeScalars)
        let cursor = min(max(content["cursor_pos"]?.integer ?? code.count, 0), code.count)
        var lineStart = cursor
        while lineStart > 0, code[lineStart - 1] != "\n" { lineStart -= 1 }
        var wordStart = cursor
        while wordStart > lineStart, !" \t=,".unicodeScalars.contains(code[wordStart - 1]) { wordStart -= 1 }
        let before = String(String.UnicodeScalarView(code[lineStart..<wordStart]))
        let word = String(String.UnicodeScalarView(code[wordStart..<cursor]))
        let matches = Completer(parameterNames: session.parameterNames).candidates(before: before, word: word)
        return .object([
            "status": .string("ok"), "matches": .array(matches.map(JSONValue.string)),
            "cursor_start": .number(wordStart), "cursor_end": .number(cursor), "metadata": .emptyObject,
        ])
    }

    /// `inspect_request`: `help VERB` for the command on the cursor's line.
    func inspect(_ content: JSONValue) -> JSONValue {
        let code = Array((content["code"]?.string ?? "").unicodeScalars)
        let cursor = min(max(content["cursor_pos"]?.integer ?? code.count, 0), code.count)
        var lineStart = cursor
        while lineStart > 0, code[lineStart - 1] != "\n" { lineStart -= 1 }
        let line = String(String.UnicodeScalarView(code[lineStart...].prefix { $0 != "\n" }))
        let verb = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { String($0).lowercased() }
        guard let verb, let text = CommandTable.helpText(for: verb, in: .jupyter) else {
            return .object(["status": .string("ok"), "found": .bool(false), "data": .emptyObject, "metadata": .emptyObject])
        }
        return .object([
            "status": .string("ok"), "found": .bool(true), "data": .object(["text/plain": .string(text)]),
            "metadata": .emptyObject,
        ])
    }

    /// `is_complete_request`: a cell whose last line ends in `\` waits for
    /// more; one that does not parse is invalid; anything else runs.
    func isComplete(_ content: JSONValue) -> JSONValue {
        let code = content["code"]?.string ?? ""
        let lastLine = code.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        if NotebookSplitter.needsContinuation(lastLine) {
            return .object(["status": .string("incomplete"), "indent": .string("")])
        }
        for statement in NotebookSplitter.statements(in: code) {
            do throws(Diagnostic) {
                _ = try Parser.parse(statement)
            } catch {
                return .object(["status": .string("invalid")])
            }
        }
        return .object(["status": .string("complete")])
    }

    /// `history_request`: the cells run in this kernel, as
    /// `[session, line, input]` (or `[session, line, [input, output]]`).
    /// `tail` gives the last n, `range` lines start..<stop, `search` those
    /// matching a glob pattern (last n, optionally unique).
    func historyReply(_ content: JSONValue) -> JSONValue {
        let withOutput = content["output"]?.boolean ?? false
        var entries: [HistoryEntry]
        switch content["hist_access_type"]?.string ?? "tail" {
        case "range":
            let start = content["start"]?.integer ?? 0
            let stop = content["stop"]?.integer ?? Int.max
            entries = history.filter { $0.line >= start && (stop <= 0 || $0.line < stop) }
        case "search":
            let pattern = content["pattern"]?.string ?? "*"
            entries = history.filter { fnmatch(pattern, $0.input, 0) == 0 }
            if content["unique"]?.boolean ?? false {
                var seen: Set<String> = []
                entries = entries.reversed().filter { seen.insert($0.input).inserted }.reversed()
            }
            if let n = content["n"]?.integer, n >= 0 { entries = Array(entries.suffix(n)) }
        default:
            let n = max(content["n"]?.integer ?? 10, 0)
            entries = Array(history.suffix(n))
        }
        let items = entries.map { entry -> JSONValue in
            let input = JSONValue.string(entry.input)
            return .array([
                .number(Self.historySession), .number(entry.line),
                withOutput ? .array([input, .string(entry.output)]) : input,
            ])
        }
        return .object(["status": .string("ok"), "history": .array(items)])
    }
}
