/// The candidate closest to `word` by edit distance (with transpositions, so
/// `fti` → `fit`), if it is close enough to be a plausible typo.
public func closestMatch(to word: String, among candidates: [String]) -> String? {
    let lowered = word.lowercased()
    let length = lowered.count
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        // The distance is at least the difference in length, and a guess
        // is never more than 3 edits away: a long word costs no table.
        guard abs(candidate.count - length) <= 3 else { continue }
        let distance = editDistance(lowered, candidate.lowercased())
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    // A prefix of a longer name counts too (`pred` → `predict`).
    if length >= 2, let prefixed = candidates.first(where: { $0.hasPrefix(lowered) }) {
        if let best, best.distance <= 1 { return best.candidate }
        return prefixed
    }
    guard let best else { return nil }
    let allowed = length <= 3 ? 1 : (length <= 6 ? 2 : 3)
    return best.distance <= allowed ? best.candidate : nil
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours each cost 1.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, table[i - 2][j - 2] + 1)
            }
            table[i][j] = value
        }
    }
    return table[a.count][b.count]
}
