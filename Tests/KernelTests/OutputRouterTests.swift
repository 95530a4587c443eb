import Engine
import Foundation
import JSON
import Testing

@testable import Kernel

/// How the interpreter's output events become iopub messages.
@Suite struct OutputRouterTests {
    final class Sent {
        var messages: [(type: String, content: JSONValue)] = []
    }

    func router() -> (OutputRouter, Sent) {
        let router = OutputRouter()
        let sent = Sent()
        router.publish = { type, content, _, _ in sent.messages.append((type, content)) }
        router.begin(parent: .object(["msg_id": .string("request")]), executionCount: 7)
        return (router, sent)
    }

    @Test func textIsStdoutAndAResultIsTheCellsValue() {
        let (router, sent) = router()
        router.show(.text("built 784 → 10 softmax"))
        router.show(.result("test: loss 0.0800 - accuracy 0.9775"))
        #expect(sent.messages.map(\.type) == ["stream", "execute_result"])
        #expect(sent.messages[0].content["name"]?.string == "stdout")
        #expect(sent.messages[0].content["text"]?.string == "built 784 → 10 softmax\n")
        #expect(sent.messages[1].content["execution_count"]?.integer == 7)
        #expect(sent.messages[1].content["data"]?["text/plain"]?.string == "test: loss 0.0800 - accuracy 0.9775")
        #expect(router.results == ["test: loss 0.0800 - accuracy 0.9775"])
    }

    /// The texts the display `id` showed, in order.
    func texts(_ sent: Sent, display id: String) -> [String] {
        sent.messages.filter { $0.content["transient"]?["display_id"]?.string == id }
            .compactMap { $0.content["data"]?["text/plain"]?.string }
    }

    /// Training is one display: the bar, then each finished epoch's line in
    /// the bar's place with the next bar drawn below it. Nothing is sent at
    /// the end: the last update carried the finished lines.
    @Test func finishedEpochsStayAboveTheBarInOneDisplay() throws {
        let (router, sent) = router()
        router.show(.text("built 784 → 10 softmax"))
        router.show(.progress("Epoch 1/2  1/1500"))
        router.show(.progress("Epoch 1/2  750/1500"))
        router.show(.text("Epoch 1/2 - 1500/1500 - loss: 0.2847"))
        router.show(.progress("Epoch 2/2  1/1500"))
        router.show(.text("Epoch 2/2 - 1500/1500 - loss: 0.1400"))
        router.end()
        #expect(
            sent.messages.map(\.type) == [
                "stream", "display_data", "update_display_data", "update_display_data", "update_display_data",
                "update_display_data",
            ])
        let id = try #require(sent.messages[1].content["transient"]?["display_id"]?.string)
        #expect(
            texts(sent, display: id) == [
                "Epoch 1/2  1/1500", "Epoch 1/2  750/1500", "Epoch 1/2 - 1500/1500 - loss: 0.2847",
                "Epoch 1/2 - 1500/1500 - loss: 0.2847\nEpoch 2/2  1/1500",
                "Epoch 1/2 - 1500/1500 - loss: 0.2847\nEpoch 2/2 - 1500/1500 - loss: 0.1400",
            ])
    }

    /// Text that does not follow a bar is a stream again, below the display;
    /// an interrupted fit leaves its bar where it stopped, never an empty display.
    @Test func textAfterTheFitIsStreamedAndAStoppedBarStays() throws {
        let (router, sent) = router()
        router.show(.progress("Epoch 1/1  1/2"))
        router.show(.text("Epoch 1/1 - 2/2 - loss: 0.2847"))
        router.show(.text("plots go to plots/"))
        router.show(.progress("Epoch 1/5  3/1500"))
        router.end()
        #expect(
            sent.messages.map(\.type) == ["display_data", "update_display_data", "stream", "display_data"])
        #expect(sent.messages[2].content["text"]?.string == "plots go to plots/\n")
        #expect(sent.messages[3].content["data"]?["text/plain"]?.string == "Epoch 1/5  3/1500")
        #expect(!sent.messages.contains { $0.content["data"]?["text/plain"]?.string == "" })
    }

    /// A display holds at most `linesPerDisplay` finished lines, so an
    /// update stays small however many epochs a fit runs.
    @Test func aLongFitGoesOnInANewDisplay() throws {
        let (router, sent) = router()
        for epoch in 1...(OutputRouter.linesPerDisplay + 1) {
            router.show(.progress("Epoch \(epoch)  1/2"))
            router.show(.text("Epoch \(epoch) - 2/2"))
        }
        let shown = sent.messages.filter { $0.type == "display_data" }
        #expect(shown.count == 2)
        let second = try #require(shown.last?.content["transient"]?["display_id"]?.string)
        #expect(texts(sent, display: second).last == "Epoch \(OutputRouter.linesPerDisplay + 1) - 2/2")
        let first = try #require(shown.first?.content["transient"]?["display_id"]?.string)
        #expect(texts(sent, display: first).last?.split(separator: "\n").count == OutputRouter.linesPerDisplay)
    }

    @Test func plotsAreImagesWithATextFallback() throws {
        let folder = NSTemporaryDirectory() + "dnb-router-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        try Data(png).write(to: URL(fileURLWithPath: folder + "/loss.png"))
        try Data("<svg/>".utf8).write(to: URL(fileURLWithPath: folder + "/loss.svg"))

        let (router, sent) = router()
        router.show(.plot(script: folder + "/loss.gp", image: folder + "/loss.png", preview: "ascii"))
        router.show(.plot(script: folder + "/loss.gp", image: folder + "/loss.svg", preview: nil))
        router.show(.plot(script: folder + "/loss.gp", image: nil, preview: nil))
        #expect(sent.messages.map(\.type) == ["display_data", "display_data", "stream"])
        let pngData = try #require(sent.messages[0].content["data"])
        #expect(pngData["image/png"]?.string == Data(png).base64EncodedString())
        #expect(pngData["text/plain"]?.string == "plot \(folder)/loss.png (script \(folder)/loss.gp)")
        #expect(sent.messages[1].content["data"]?["image/svg+xml"]?.string == "<svg/>")
        #expect(sent.messages[2].content["text"]?.string?.contains("gnuplot is not installed") == true)
    }
}
