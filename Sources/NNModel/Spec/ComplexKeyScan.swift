/// Finds complex mapping keys in YAML text before it is composed: an explicit key (`? …`) or an alias used as a
/// key (`*a : …`). Model files never need them, and composing one whose alias expands to a huge structure makes
/// Yams hash all of it while checking for duplicate keys, before any budget of ours applies.
///
/// The scan is lexical: it skips quoted scalars, comments and block scalars (`|`, `>`), and looks for `?` or an
/// alias at the start of a token in key position.
enum ComplexKeyScan {
    /// The 1-based line and column of the first complex key, if any.
    static func firstComplexKey(in text: String) -> (line: Int, column: Int, explicit: Bool)? {
        var blockScalarIndent: Int?
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let characters = Array(line.unicodeScalars)
            let indent = characters.prefix { $0 == " " }.count
            if let scalarIndent = blockScalarIndent {
                if characters.allSatisfy({ $0 == " " || $0 == "\r" }) || indent > scalarIndent { continue }
                blockScalarIndent = nil
            }
            var index = 0
            var tokenStart = true
            var lastSignificant: Unicode.Scalar?
            while index < characters.count {
                let character = characters[index]
                switch character {
                case " ", "\t", "\r":
                    index += 1
                    continue
                case "#" where tokenStart || index == 0 || characters[index - 1] == " ":
                    index = characters.count
                    continue
                case "\"", "'":
                    index += 1
                    while index < characters.count {
                        if character == "\"", characters[index] == "\\" { index += 2; continue }
                        if characters[index] == character {
                            if character == "'", index + 1 < characters.count, characters[index + 1] == "'" { index += 2; continue }
                            break
                        }
                        index += 1
                    }
                    index += 1
                    tokenStart = false
                    lastSignificant = character
                    continue
                case "?" where tokenStart && (index + 1 == characters.count || characters[index + 1] == " " || characters[index + 1] == "\t"):
                    return (lineIndex + 1, index + 1, true)
                case "*" where tokenStart:
                    var end = index + 1
                    while end < characters.count, !" ,[]{}:".unicodeScalars.contains(characters[end]) { end += 1 }
                    var after = end
                    while after < characters.count, characters[after] == " " { after += 1 }
                    if after < characters.count, characters[after] == ":" { return (lineIndex + 1, index + 1, false) }
                    index = end
                    tokenStart = false
                    continue
                case "{", "[", ",":
                    tokenStart = true
                case "-" where tokenStart && (index + 1 == characters.count || characters[index + 1] == " "):
                    tokenStart = true
                case ":" where index + 1 == characters.count || characters[index + 1] == " ":
                    tokenStart = true
                case "|", ">" where lastSignificant == ":" || lastSignificant == "-":
                    blockScalarIndent = indent
                    index = characters.count
                    continue
                default:
                    tokenStart = false
                }
                lastSignificant = character
                index += 1
            }
        }
        return nil
    }
}
