/// Left-aligned columns separated by two spaces; the `rightAligned` ones (numbers) right-aligned.
func textTable(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
        for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    return rows.map { row in
        row.enumerated().map { index, cell in
            let padding = String(repeating: " ", count: widths[index] - cell.count)
            return rightAligned.contains(index) ? padding + cell : cell + padding
        }.joined(separator: "  ").trimmingTrailingSpaces()
    }.joined(separator: "\n")
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
