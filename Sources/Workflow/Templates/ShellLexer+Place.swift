extension ShellLexer {
    /// Where a value cannot go. Each description follows the value (`{{ x }} is inside …`).
    enum Place: Error, Hashable, CustomStringConvertible {
        case nested(String)
        case adjacent
        case hereDocument
        case reevaluated(String)
        case commandName
        case wrapped(String)
        case script(String)
        case evaluated(String)
        case conditional
        case arraySubscript

        var description: String {
            switch self {
            case .nested(let what): "is inside \(what), where a value cannot be quoted"
            case .adjacent: "is right after a '\\' or '$', which would change how the value is read"
            case .hereDocument: "is after a here-document (<<), where a value cannot be quoted"
            case .reevaluated(let command): "is text that '\(command)' runs again as shell code"
            case .commandName:
                "would name the command that runs; a command comes from the DAG file or a Variable ({{ var.name }}), never from the run"
            case .wrapped(let command):
                "is in the command line of '\(command)', which runs a command its arguments name: a value there could name the command that runs"
            case .script(let shell): "is an option or the script of '\(shell)', which would choose the code it runs"
            case .evaluated(let command):
                "is an argument of '\(command)', which bash reads as a variable name or code (it evaluates an array subscript such as a[$(…)] even in quoted text)"
            case .conditional: "is inside [[ … ]], where bash evaluates an array subscript such as a[$(…)] in quoted text (-eq, -v …)"
            case .arraySubscript: "is in an array subscript [ … ]=, which bash evaluates as arithmetic"
            }
        }
    }
}
