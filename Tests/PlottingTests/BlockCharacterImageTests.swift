import Testing

@testable import Plotting

@Suite struct BlockCharacterImageTests {
    /// Sets the listed pixels of an empty 28x28 image.
    private func image(_ ink: [(row: Int, column: Int, value: Float)]) -> [Float] {
        var pixels = [Float](repeating: 0, count: 784)
        for pixel in ink { pixels[pixel.row * 28 + pixel.column] = pixel.value }
        return pixels
    }

    @Test func eachCharacterCoversTwoPixelRows() throws {
        let pixels = image([
            (0, 0, 1), (1, 0, 1),  // both rows inked: full block
            (0, 1, 0.5),  // upper only (0.5 counts as ink): upper half
            (1, 2, 0.9),  // lower only: lower half
            (0, 3, 0.3),  // faint: shade
            (1, 4, 0.19),  // too faint: space
            (26, 27, 1), (27, 27, 0.2),  // last line, last column
        ])
        let expected = "█▀▄░\n" + String(repeating: "\n", count: 12) + String(repeating: " ", count: 27) + "▀\n"
        #expect(try blockCharacterImage(pixels) == expected)
    }

    @Test func notANumberCountsAsPaper() throws {
        var pixels = image([(0, 1, 1)])
        pixels[0] = .nan
        #expect(try blockCharacterImage(pixels).hasPrefix(" ▀\n"))
    }

    @Test func digitsSitSideBySideWithCentredCaptions() throws {
        let dot = image([(0, 0, 1), (1, 0, 1)])
        let images = [
            DigitImage(pixels: dot, caption: "7 (true 7)"),
            DigitImage(pixels: dot, caption: "a caption far too long to fit under one digit", isMistake: true),
            DigitImage(pixels: dot, caption: "x"),
        ]
        // 62 columns hold two digits (28 + 2 + 28); the third starts a new row.
        let text = try blockCharacterImage(images, width: 62)
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.count == 15 + 1 + 15 + 1)
        #expect(rows[0] == "█" + String(repeating: " ", count: 29) + "█")
        // Captions are cut to the 28 columns of their digit.
        #expect(rows[14] == "         7 (true 7)           a caption far too long to fi")
        #expect(rows[15] == "")
        #expect(rows[16] == "█")
        #expect(rows[30] == "             x")
        #expect(rows[31] == "")
    }

    @Test func narrowWidthsStillShowOneDigitPerRow() throws {
        let text = try blockCharacterImage([DigitImage(pixels: Fixtures.one, caption: "1")], width: 5)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 16)
    }
}
