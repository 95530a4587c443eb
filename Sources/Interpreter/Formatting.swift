import Plotting

/// The shapes of numbers dnb prints (all through `NumberFormat`), so outputs stay diffable.
enum Formatting {
    /// 101770 → "101,770".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }

    /// Fixed decimals, e.g. fixed(0.97531, 4) → "0.9753".
    static func fixed(_ value: Double, _ decimals: Int) -> String { NumberFormat.fixed(value, decimals) }

    /// Seconds for humans: "0.31s", "12.4s", "2m05s".
    static func seconds(_ value: Double) -> String {
        if value < 10 { return fixed(value, 2) + "s" }
        if value < 60 { return fixed(value, 1) + "s" }
        let whole = Int(value.rounded())
        return "\(whole / 60)m" + (whole % 60 < 10 ? "0" : "") + "\(whole % 60)s"
    }

    /// 406080 → "396.56 KB" (Keras's summary uses 1024-based units).
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KB", "MB", "GB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return fixed(amount, 2) + " " + units[unit]
    }

    /// Left-aligned columns separated by two spaces; numbers right-aligned.
    static func table(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
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
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
