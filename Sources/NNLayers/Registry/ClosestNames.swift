/// "Did you mean" suggestions by edit distance, case-insensitively.
public enum ClosestNames {
    /// Up to `limit` candidates within a distance that grows with the name's length, closest first.
    public static func suggestions(for name: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let target = Array(name.lowercased())
        let threshold = Swift.max(2, target.count / 3)
        let scored = candidates.compactMap { candidate -> (String, Int)? in
            let lowered = Array(candidate.lowercased())
            if lowered == target { return (candidate, 0) }
            let distance = editDistance(target, lowered)
            let isPrefix = target.count >= 3 && (lowered.starts(with: target) || target.starts(with: lowered))
            return distance <= threshold || isPrefix ? (candidate, isPrefix ? Swift.min(distance, threshold) : distance) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    /// Levenshtein distance.
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
