import JSON
import Foundation
import HostIO
import Interpreter

/// Turns the interpreter's output events into iopub messages for the
/// request being served: text as `stream`, results as `execute_result`,
/// plots as `display_data`, the progress bar as one display updated in place.
final class OutputRouter {
    /// Sends an iopub message: type, content, metadata, parent header.
    var publish: (String, JSONValue, JSONValue, JSONValue) -> Void = { _, _, _, _ in }
    /// The header of the `execute_request` being served.
    var parent: JSONValue = .emptyObject
    var executionCount = 0
    /// What `execute_result` sent during this request (for `history` with output).
    private(set) var results: [String] = []
    /// The live progress display of this request, once shown.
    private var progressDisplay: String?
    private let host: any HostServices = LocalHost()

    /// A new request starts: no progress display yet.
    func begin(parent: JSONValue, executionCount: Int) {
        self.parent = parent
        self.executionCount = executionCount
        results = []
        progressDisplay = nil
    }

    /// The request ends: a progress bar still showing is emptied, leaving
    /// the per-epoch lines printed under it.
    func end() {
        if let id = progressDisplay {
            publish("update_display_data", display(["text/plain": .string("")], id: id), .emptyObject, parent)
            progressDisplay = nil
        }
    }

    func show(_ event: OutputEvent) {
        switch event {
        case .text(let text):
            publish("stream", .object(["name": .string("stdout"), "text": .string(text + "\n")]), .emptyObject, parent)
        case .result(let text):
            results.append(text)
            publish(
                "execute_result",
                .object([
                    "execution_count": .number(executionCount), "data": .object(["text/plain": .string(text)]),
                    "metadata": .emptyObject,
                ]), .emptyObject, parent)
        case .progress(let text):
            if let id = progressDisplay {
                publish("update_display_data", display(["text/plain": .string(text)], id: id), .emptyObject, parent)
            } else {
                let id = UUID().uuidString.lowercased()
                progressDisplay = id
                publish("display_data", display(["text/plain": .string(text)], id: id), .emptyObject, parent)
            }
        case .plot(let script, let image, _):
            guard let image, let bytes = try? host.read(image) else {
                for line in event.transcriptLines { show(.text(line)) }
                return
            }
            let fallback = JSONValue.string("plot \(image) (script \(script))")
            let bundle: JSONValue =
                image.hasSuffix(".svg")
                ? .object(["image/svg+xml": .string(String(decoding: bytes, as: UTF8.self)), "text/plain": fallback])
                : .object(["image/png": .string(Data(bytes).base64EncodedString()), "text/plain": fallback])
            publish(
                "display_data", .object(["data": bundle, "metadata": .emptyObject, "transient": .emptyObject]),
                .emptyObject, parent)
        }
    }

    private func display(_ data: KeyValuePairs<String, JSONValue>, id: String) -> JSONValue {
        .object([
            "data": .object(data), "metadata": .emptyObject,
            "transient": .object(["display_id": .string(id)]),
        ])
    }
}
