/// Airflow's `*_pattern` filters (`dag_id_pattern`, `filename_pattern`, `variable_key_pattern`):
/// SQL `ILIKE '%pattern%'` — a case-insensitive substring match where `%` stands for any run of
/// characters and `_` for one, `\%`, `\_` and `\\` for the characters themselves — and `|` between
/// alternatives.
///
/// Matching never backtracks: each `%`-separated piece is found at its leftmost place after the
/// previous one, so a match costs at most (value length × pattern length), and patterns are capped
/// at ``maximumLength`` characters.
public struct LikePattern: Sendable, Equatable {
    /// The longest pattern accepted.
    public static let maximumLength = 200

    enum Atom: Equatable {
        case character(Character)
        case any
    }

    /// Per alternative, its pieces between `%`s.
    let alternatives: [[[Atom]]]

    /// Parses `pattern`; `nil` when it is longer than ``maximumLength``.
    public init?(_ pattern: String) {
        guard pattern.count <= Self.maximumLength else { return nil }
        var alternatives: [[[Atom]]] = []
        var pieces: [[Atom]] = []
        var piece: [Atom] = []
        var escaped = false
        for character in pattern {
            if escaped {
                piece.append(.character(Self.folded(character)))
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "%":
                pieces.append(piece)
                piece = []
            case "_": piece.append(.any)
            case "|":
                pieces.append(piece)
                alternatives.append(pieces.filter { !$0.isEmpty })
                pieces = []
                piece = []
            default: piece.append(.character(Self.folded(character)))
            }
        }
        if escaped { piece.append(.character("\\")) }
        pieces.append(piece)
        alternatives.append(pieces.filter { !$0.isEmpty })
        self.alternatives = alternatives
    }

    /// Whether `value` matches one of the alternatives.
    public func matches(_ value: String) -> Bool {
        let text = value.map(Self.folded)
        return alternatives.contains { pieces in
            var position = 0
            for piece in pieces {
                guard let start = Self.firstMatch(of: piece, in: text, from: position) else { return false }
                position = start + piece.count
            }
            return true
        }
    }

    /// Where `piece` first matches in `text` at or after `from`.
    private static func firstMatch(of piece: [Atom], in text: [Character], from: Int) -> Int? {
        guard text.count - from >= piece.count else { return nil }
        for start in from...(text.count - piece.count) {
            var matched = true
            for (offset, atom) in piece.enumerated() {
                if case .character(let character) = atom, text[start + offset] != character {
                    matched = false
                    break
                }
            }
            if matched { return start }
        }
        return nil
    }

    private static func folded(_ character: Character) -> Character {
        Character(String(character).lowercased())
    }
}
