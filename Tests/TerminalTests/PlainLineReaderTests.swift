import Glibc
import Testing

@testable import Terminal

@Suite struct PlainLineReaderTests {
    /// Reads everything `text` holds through a pipe.
    func readAll(_ text: String) -> [LineInput] {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else {
            Issue.record("pipe() failed")
            return []
        }
        Console.write(text, to: descriptors[1])
        close(descriptors[1])
        defer { close(descriptors[0]) }
        let reader = PlainLineReader(descriptor: descriptors[0])
        var inputs: [LineInput] = []
        while inputs.last != .end { inputs.append(reader.read(prompt: "dnb> ")) }
        return inputs
    }

    @Test func linesWithoutTheirBreaksThenTheEnd() {
        #expect(
            readAll("help\r\nfit epochs=1\n\nlast") == [.line("help"), .line("fit epochs=1"), .line(""), .line("last"), .end])
        #expect(readAll("") == [.end])
        #expect(readAll(String(repeating: "x", count: 10_000) + "\n") == [.line(String(repeating: "x", count: 10_000)), .end])
    }
}
