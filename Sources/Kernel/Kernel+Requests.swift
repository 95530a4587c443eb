import Engine
import Glibc
import Interpreter
import Language
import Terminal

/// One executed cell, for `history_request`.
struct HistoryEntry {
    var line: Int
    var input: String
    var output: String
}

extension Kernel {
    /// The one session number `history` knows: this kernel's lifetime.
    static let historySession = 1

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
        guard let verb, let text = CommandTable.helpText(for: verb) else {
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
