/// The candidate closest to `word` by edit distance (with transpositions, so
/// `fti` → `fit`), if it is close enough to be a plausible typo.
public func closestMatch(to word: String, among candidates: [String]) -> String? {
    let lowered = word.lowercased()
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best else { return nil }
    // A prefix of a longer name counts too (`pred` → `predict`).
    if candidates.contains(where: { $0.hasPrefix(lowered) && lowered.count >= 2 }),
        let prefixed = candidates.first(where: { $0.hasPrefix(lowered) })
    {
        return best.distance <= 1 ? best.candidate : prefixed
    }
    let allowed = lowered.count <= 3 ? 1 : (lowered.count <= 6 ? 2 : 3)
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
