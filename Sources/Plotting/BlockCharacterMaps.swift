/// A small grey picture of any size for a terminal preview: a filter or a
/// feature map, values in [0, 1] with 1 drawn as ink.
public struct MapImage: Sendable, Equatable {
    /// `width * height` values, row-major from the top-left.
    public var pixels: [Float]
    public var width: Int
    public var height: Int
    /// Text below the picture (cut to its width).
    public var caption: String

    public init(pixels: [Float], width: Int, height: Int, caption: String = "") {
        self.pixels = pixels
        self.width = width
        self.height = height
        self.caption = caption
    }

    /// Each pixel repeated `factor` times across and down (nearest
    /// neighbour), so that a 3x3 filter is more than two characters.
    public func scaled(by factor: Int) -> MapImage {
        guard factor > 1 else { return self }
        var out: [Float] = []
        out.reserveCapacity(pixels.count * factor * factor)
        for y in 0..<(height * factor) {
            for x in 0..<(width * factor) { out.append(pixels[(y / factor) * width + x / factor]) }
        }
        return MapImage(pixels: out, width: width * factor, height: height * factor, caption: caption)
    }
}

/// `values` mapped linearly onto [0, 1]: `low` to 0, `high` to 1, clamped
/// (all 0 when `high <= low`; NaN stays NaN, which previews draw as paper).
public func unitInterval(_ values: [Float], low: Float, high: Float) -> [Float] {
    guard high > low else { return [Float](repeating: 0, count: values.count) }
    return values.map { min(max(($0 - low) / (high - low), 0), 1) }
}

/// Pictures of any size side by side, two spaces apart, one character per
/// pixel column and two pixel rows per line (the characters of
/// ``blockCharacterImage(_:)``: `█ ▀ ▄` for ink >= 0.5, `░` for >= 0.2),
/// captions centred on the line below; as many per row as fit in `width`
/// columns (at least one), rows separated by a blank line.
public func blockCharacterMaps(_ images: [MapImage], width: Int = 80) throws(PlottingError) -> String {
    guard !images.isEmpty else { throw .noImages }
    for (index, image) in images.enumerated()
    where image.width <= 0 || image.height <= 0 || image.pixels.count != image.width * image.height {
        throw .wrongImageSize(index: index, pixelCount: image.pixels.count, width: image.width, height: image.height)
    }
    let gap = String(repeating: " ", count: 2)
    var blocks: [String] = []
    var start = 0
    while start < images.count {
        var end = start + 1
        var used = images[start].width
        while end < images.count, used + 2 + images[end].width <= width {
            used += 2 + images[end].width
            end += 1
        }
        let row = images[start..<end]
        let lines = row.map { ($0.height + 1) / 2 }.max() ?? 0
        var text: [String] = []
        for line in 0..<lines {
            text.append(row.map { mapLine($0, line: line) }.joined(separator: gap))
        }
        if row.contains(where: { !$0.caption.isEmpty }) {
            text.append(
                row.map { image in
                    let cut = String(printable(image.caption).prefix(image.width))
                    let left = (image.width - cut.count) / 2
                    return String(repeating: " ", count: left) + cut
                        + String(repeating: " ", count: image.width - cut.count - left)
                }.joined(separator: gap))
        }
        blocks.append(text.map(trimmedRight).joined(separator: "\n") + "\n")
        start = end
    }
    return blocks.joined(separator: "\n")
}

/// Characters for pixel rows `2 * line` and `2 * line + 1` of `image`
/// (spaces below its last row).
private func mapLine(_ image: MapImage, line: Int) -> String {
    var text = ""
    for column in 0..<image.width {
        let upperRow = 2 * line, lowerRow = 2 * line + 1
        let upper = upperRow < image.height ? image.pixels[upperRow * image.width + column] : 0
        let lower = lowerRow < image.height ? image.pixels[lowerRow * image.width + column] : 0
        switch (upper >= 0.5, lower >= 0.5) {
        case (true, true): text += "█"
        case (true, false): text += "▀"
        case (false, true): text += "▄"
        case (false, false): text += (upper >= 0.2 || lower >= 0.2) ? "░" : " "
        }
    }
    return text
}

private func trimmedRight(_ line: String) -> String {
    var line = Substring(line)
    while line.last == " " { line = line.dropLast() }
    return String(line)
}
