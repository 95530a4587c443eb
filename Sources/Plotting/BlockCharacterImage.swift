/// A 28x28 digit as text for a terminal: 14 lines of 28 characters, each
/// character covering two pixel rows (a terminal cell is about twice as
/// tall as wide, so the digit keeps its shape).
///
/// With `on` meaning ink >= 0.5: both rows on `█`, only the upper `▀`,
/// only the lower `▄`; neither on but one >= 0.2 `░`; otherwise a space.
/// Trailing spaces are dropped; lines end in `\n`.
public func blockCharacterImage(_ pixels: [Float]) throws(PlottingError) -> String {
    try blockCharacterImage([DigitImage(pixels: pixels, caption: "")], width: digitSide)
}

/// Several digits side by side, two spaces apart, each with its caption
/// centred (and cut to 28 characters) on the line below; as many per row
/// as fit in `width` columns (at least one), rows separated by a blank
/// line. The characters are those of the single-digit form. An
/// all-empty caption line is left out.
public func blockCharacterImage(_ images: [DigitImage], width: Int = 80) throws(PlottingError) -> String {
    guard !images.isEmpty else { throw .noImages }
    for (index, image) in images.enumerated() where image.pixels.count != digitSide * digitSide {
        throw .wrongImageSize(index: index, pixelCount: image.pixels.count, width: digitSide, height: digitSide)
    }
    let gap = 2
    let perRow = max(1, (width + gap) / (digitSide + gap))
    var blocks: [String] = []
    var start = 0
    while start < images.count {
        let row = images[start..<min(start + perRow, images.count)]
        var lines: [String] = []
        for line in 0..<(digitSide / 2) {
            lines.append(row.map { blockLine($0.pixels, line: line) }.joined(separator: String(repeating: " ", count: gap)))
        }
        if row.contains(where: { !$0.caption.isEmpty }) {
            lines.append(
                row.map { centred(printable($0.caption), in: digitSide) }.joined(separator: String(repeating: " ", count: gap)))
        }
        blocks.append(lines.map(trimmingTrailingSpaces).joined(separator: "\n") + "\n")
        start += perRow
    }
    return blocks.joined(separator: "\n")
}

/// Characters for pixel rows `2 * line` and `2 * line + 1` of a 28x28 image.
private func blockLine(_ pixels: [Float], line: Int) -> String {
    var text = ""
    for column in 0..<digitSide {
        let upper = pixels[(2 * line) * digitSide + column]
        let lower = pixels[(2 * line + 1) * digitSide + column]
        // NaN compares false everywhere, so it counts as paper.
        switch (upper >= 0.5, lower >= 0.5) {
        case (true, true): text += "█"
        case (true, false): text += "▀"
        case (false, true): text += "▄"
        case (false, false): text += (upper >= 0.2 || lower >= 0.2) ? "░" : " "
        }
    }
    return text
}

/// `text` cut to `width` characters and padded with spaces on both sides.
private func centred(_ text: String, in width: Int) -> String {
    let cut = String(text.prefix(width))
    let left = (width - cut.count) / 2
    return String(repeating: " ", count: left) + cut + String(repeating: " ", count: width - cut.count - left)
}

private func trimmingTrailingSpaces(_ line: String) -> String {
    var line = Substring(line)
    while line.last == " " { line = line.dropLast() }
    return String(line)
}
