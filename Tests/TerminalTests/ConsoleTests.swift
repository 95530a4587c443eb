import Testing

@testable import Terminal

@Suite struct ConsoleTests {
    static let erase = "\r\u{1B}[2K"

    @Test func progressIsRedrawnInPlaceAndErasedBeforeTheEpochLine() {
        let output = CapturedOutput()
        let console = output.console(isTerminal: true, columns: 120)
        console.show(.progress("Epoch 1/2  10/100 [==>...]"))
        console.show(.progress("Epoch 1/2 100/100 [======]"))
        console.show(.text("Epoch 1/2 - 100/100 - 0.1s - loss: 0.5000"))
        #expect(
            output.standardOutput
                == Self.erase + "Epoch 1/2  10/100 [==>...]" + Self.erase + "Epoch 1/2 100/100 [======]" + Self.erase
                + "Epoch 1/2 - 100/100 - 0.1s - loss: 0.5000\n")
    }

    /// `ESC[2K` erases one screen row: a progress line that wrapped would leave its first row behind.
    @Test(arguments: [(80, 77), (40, 37), (200, 100), (2, 1)])
    func progressFitsOneRowWithRoomForAnEchoedCtrlC(columns: Int, visible: Int) {
        let output = CapturedOutput()
        let console = output.console(isTerminal: true, columns: columns)
        console.show(.progress(String(repeating: "=", count: 100)))
        #expect(output.standardOutput == Self.erase + String(repeating: "=", count: visible))
    }

    @Test func withoutATerminalProgressIsDroppedAndNoEscapeCodesAppear() {
        let output = CapturedOutput()
        let console = output.console(isTerminal: false)
        console.show(.progress("Epoch 1/1 [==>...]"))
        console.show(.text("Epoch 1/1 - done"))
        console.error("oops")
        console.endCommand()
        #expect(output.standardOutput == "Epoch 1/1 - done\n")
        #expect(output.standardError == "oops\n")
        #expect(!output.all.contains("\u{1B}") && !output.all.contains("\r"))
    }

    @Test func aCommandThatEndsOnAProgressLineLeavesAClearLine() {
        let output = CapturedOutput()
        let console = output.console(isTerminal: true, columns: 80)
        console.endCommand()
        #expect(output.all.isEmpty)
        console.show(.progress("downloading 10%"))
        console.endCommand()
        console.endCommand()
        #expect(output.all == Self.erase + "downloading 10%" + Self.erase)
    }

    @Test func errorsEraseTheProgressLineFirst() {
        let output = CapturedOutput()
        let console = output.console(isTerminal: true, columns: 80)
        console.show(.progress("Epoch 1/1 [=>..]"))
        console.error("error: interrupted")
        #expect(output.writes.map(\.descriptor) == [1, 1, 2])
        #expect(output.writes.last?.text == "error: interrupted\n")
        #expect(output.writes[1].text == Self.erase)
    }
}
