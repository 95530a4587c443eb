import Foundation
import HostIO
import Interpreter
import JSON

/// Turns the interpreter's output events into iopub messages for the
/// request being served: text as `stream`, results as `execute_result`,
/// plots as `display_data`, and training as one display updated in place.
///
/// A display keeps the place where it was first shown; Jupyter can update it
/// but neither move nor remove it (only `clear_output`, which empties the
/// whole cell). So the live bar cannot be a display of its own above text
/// streamed after it: it would stay above the finished epochs, and end as
/// an empty leftover. Instead the bar's display holds the lines that take
/// its place, as a terminal does: each line of text that follows the bar
/// (fit's per-epoch line) joins the display's finished lines and the bar is
/// drawn again below them, and the last update carries the finished lines
/// alone. Past `linesPerDisplay` lines the next bar starts a new display, so
/// an update stays small however long the fit.
final class OutputRouter {
    /// Sends an iopub message: type, content, metadata, parent header.
    var publish: (String, JSONValue, JSONValue, JSONValue) -> Void = { _, _, _, _ in }
    /// The header of the `execute_request` being served.
    var parent: JSONValue = .emptyObject
    var executionCount = 0
    /// What `execute_result` sent during this request (for `history` with output).
    private(set) var results: [String] = []
    /// The training display of this request while it takes lines.
    private var training: TrainingDisplay?
    private let host: any HostServices = LocalHost()
    /// The most finished lines one training display holds.
    static let linesPerDisplay = 100

    /// A display of finished lines with the live bar below them.
    private struct TrainingDisplay {
        var id: String
        var lines: [String] = []
        /// The bar as last drawn; nil once a line took its place.
        var bar: String?

        var text: String { (lines + (bar.map { [$0] } ?? [])).joined(separator: "\n") }
    }

    /// A new request starts: no training display yet.
    func begin(parent: JSONValue, executionCount: Int) {
        self.parent = parent
        self.executionCount = executionCount
        results = []
        training = nil
    }

    /// The request ends. A display is left as last drawn: its finished
    /// lines, and below them the bar where an interrupted fit stopped.
    func end() {
        training = nil
    }

    func show(_ event: OutputEvent) {
        switch event {
        case .text(let text):
            // A line after the bar takes the bar's place.
            if var display = training, display.bar != nil {
                display.lines.append(text)
                display.bar = nil
                training = display
                update(display)
                return
            }
            training = nil
            publish("stream", .object(["name": .string("stdout"), "text": .string(text + "\n")]), .emptyObject, parent)
        case .result(let text):
            training = nil
            results.append(text)
            publish(
                "execute_result",
                .object([
                    "execution_count": .number(executionCount), "data": .object(["text/plain": .string(text)]),
                    "metadata": .emptyObject,
                ]), .emptyObject, parent)
        case .progress(let text):
            if var display = training, display.lines.count < Self.linesPerDisplay {
                display.bar = text
                training = display
                update(display)
            } else {
                let display = TrainingDisplay(id: UUID().uuidString.lowercased(), bar: text)
                training = display
                publish("display_data", content(display), .emptyObject, parent)
            }
        case .plot(let script, let image, _):
            training = nil
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

    private func update(_ display: TrainingDisplay) {
        publish("update_display_data", content(display), .emptyObject, parent)
    }

    private func content(_ display: TrainingDisplay) -> JSONValue {
        .object([
            "data": .object(["text/plain": .string(display.text)]), "metadata": .emptyObject,
            "transient": .object(["display_id": .string(display.id)]),
        ])
    }
}
