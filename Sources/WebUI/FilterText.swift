import Foundation

/// Text as a quoted string of MLflow's search filter syntax: `it's` becomes `'it\'s'`, and a
/// backslash is doubled.
enum FilterText {
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
