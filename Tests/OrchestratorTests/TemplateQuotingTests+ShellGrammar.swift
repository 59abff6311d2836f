import ExampleProjects
import Foundation
import JSON
import TestSupport
import Testing

@testable import Workflow

/// The parts of bash's grammar that decide where a value lands: reserved words, wrappers,
/// builtins that evaluate their arguments, `{% %}` blocks and the characters after a `)`.
extension TemplateQuotingTests {
    /// Shell commands with one value in each place it may stand, beyond ``places``.
    static let grammarPlaces: [(command: String, prefix: String, suffix: String)] = [
        // After a subshell's `)`, `#` starts a comment; after `$( … )` or `NAME=( … )` the word goes on.
        ("(true)#\"\nprintf '%s' {{ params.v }} #\"", "", ""),
        ("printf '%s' $(printf x)#\"{{ params.v }}\"", "x#", ""),
        ("a=(x)#\"{{ params.v }}\"; printf '%s' \"$a\"", "(x)#", ""),
        ("if true; then printf '%s' {{ params.v }}; fi", "", ""),
        ("true && printf '%s' {{ params.v }}", "", ""),
        ("test -e /nonexistent/{{ params.v }} || printf '%s' {{ params.v }}", "", ""),
        ("export X={{ params.v }}; printf '%s' \"$X\"", "", ""),
        ("printf '%s' {% for x in params.list %}{{ params.v }}{% endfor %}", "", ""),
    ]

    @Test("Hostile values stay data after reserved words, subshells, && and export", arguments: grammarPlaces.indices)
    func hostileValuesStayDataInGrammar(place: Int) async throws {
        let (command, prefix, suffix) = Self.grammarPlaces[place]
        for value in Self.hostile {
            let renderer = TemplateRenderer(context: ["params": .object(["v": .string(value), "list": .array([.integer(1)])])])
            let rendered = try renderer.render(.string(command), at: "command", embedding: .shell)
            guard case .string(let text) = rendered else { throw TestFailure("not text") }
            let output = try await Self.bash(text)
            #expect(output == prefix + value + suffix, "value \(value.debugDescription) in \(command): bash ran \(text.debugDescription)")
        }
    }

    @Test(
        "Places bash evaluates, names the command in, or reads differently are refused",
        arguments: [
            // Whitespace trimming moves word boundaries after the quoting was chosen.
            ("echo a {%- if params.v %}b{% endif %} {{ params.v }}", "trim the whitespace"),
            ("echo {% if params.v -%} b {% endif %}{{ params.v }}", "trim the whitespace"),
            ("echo {{- params.v }}", "trim the whitespace"),
            ("echo {{ params.v -}}", "trim the whitespace"),
            // Every way through the blocks is followed, the word being read included.
            ("{% if params.a %}echo{% else %}bash{% endif %} -c {{ params.v }}", "'bash -c'"),
            ("{% if params.a %}echo{% endif %} {{ params.v }}", "name the command"),
            ("{% for x in params.l %}({% endfor %}echo {{ params.v }}", "balanced"),
            // Builtins and contexts that read text as names, arithmetic or code.
            ("let x={{ params.v }}", "'let'"),
            ("(( {{ params.v }} ))", "arithmetic"),
            ("[[ {{ params.v }} -eq 1 ]]", "[[ … ]]"),
            ("[[ -n \"{{ params.v }}\" ]] && echo", "[[ … ]]"),
            ("trap {{ params.v }} EXIT", "'trap'"),
            ("declare x={{ params.v }}", "'declare'"),
            ("typeset {{ params.v }}", "'typeset'"),
            ("f() { local x={{ params.v }}; }", "'local'"),
            ("export {{ params.v }}", "'export'"),
            ("readonly {{ params.v }}=1", "'readonly'"),
            ("read {{ params.v }} </dev/null", "'read'"),
            ("unset {{ params.v }}", "'unset'"),
            ("mapfile -t {{ params.v }} </dev/null", "'mapfile'"),
            ("readarray {{ params.v }}", "'readarray'"),
            ("printf -v {{ params.v }} x", "'printf -v'"),
            ("printf -v{{ params.v }} x", "'printf -v'"),
            ("test -v {{ params.v }}", "'test -v'"),
            ("[ -v \"{{ params.v }}\" ]", "'[ -v'"),
            ("a[{{ params.v }}]=1", "array subscript"),
            ("a=([{{ params.v }}]=1)", "array subscript"),
            ("declare -a a=({{ params.v }})", "'declare'"),
            // Reserved words keep the next word in command position.
            ("if true; then {{ params.v }}; fi", "name the command"),
            ("if false; then :; else {{ params.v }}; fi", "name the command"),
            ("if false; then :; elif {{ params.v }}; then :; fi", "name the command"),
            ("while {{ params.v }}; do :; done", "name the command"),
            ("until {{ params.v }}; do :; done", "name the command"),
            ("for i in 1; do {{ params.v }}; done", "name the command"),
            ("{ {{ params.v }}; }", "name the command"),
            ("! {{ params.v }}", "name the command"),
            ("time {{ params.v }}", "name the command"),
            ("if {{ params.v }}; then :; fi", "name the command"),
            ("true && {{ params.v }}", "name the command"),
            ("true & {{ params.v }}", "name the command"),
            // Wrappers run a command their arguments name.
            ("timeout 5s {{ params.v }}", "'timeout'"),
            ("sudo -u root {{ params.v }}", "'sudo'"),
            ("env A=1 {{ params.v }}", "'env'"),
            ("xargs {{ params.v }}", "'xargs'"),
            ("nice -n 5 {{ params.v }}", "'nice'"),
            ("nohup {{ params.v }} &", "'nohup'"),
            // Shells choose their script, or run their -c argument.
            ("bash {{ params.v }}", "script of 'bash'"),
            ("docker exec c sh -c {{ params.v }}", "'sh -c'"),
            // A loop variable may not hide a trusted name.
            ("{% for var in params.l %}{{ var }} {% endfor %}", "hide the trusted {{ var }}"),
            ("echo {% for i, dag in params.l %}{{ dag }}{% endfor %}", "hide the trusted {{ dag }}"),
            // After a subshell's `)`, `#` starts a comment.
            ("(true)#{{ params.v }}", "comment"),
        ]
    )
    func refusedGrammar(command: String, reason: String) {
        let problem = TemplateEmbedding.shell.problem(in: .string(command), setting: "command")
        #expect(problem?.contains(reason) == true, "\(command.debugDescription): \(problem ?? "accepted")")
    }

    @Test("Ordinary commands, options and Variables in command position still load")
    func allowedGrammar() {
        for command in [
            "test -f {{ params.v }} && cat {{ params.v }}", "[ -n \"{{ params.v }}\" ] && echo ok", "printf '%s\\n' {{ params.v }} {{ params.v }}",
            "export OUT={{ params.v }}; readonly IN=\"{{ params.v }}\"", "if true; then {{ var.tool }} {{ params.v }}; fi",
            "sudo -u root {{ var.tool }}", "bash {{ var.script }} {{ params.v }}", "bash ./train.sh --lr {{ params.v }}",
            "find . -name {{ params.v }}", "cat <(grep {{ params.v }} f) > {{ params.v }}.out 2>&1",
            "echo {% for x in params.list %}{{ x }},{% endfor %} done", "a=({{ params.v }} \"{{ params.v }}\")",
            "{% if params.a %}echo a{% else %}echo b{% endif %} {{ params.v }}", "echo x{% if params.a %}y{% endif %} {{ params.v }}",
        ] {
            let problem = TemplateEmbedding.shell.problem(in: .string(command), setting: "command")
            #expect(problem == nil, "\(command): \(problem ?? "")")
        }
    }

    @Test("A loop variable may not hide a trusted name in a URL either")
    func urlLoopShadowing() {
        let template = "http://x/{% for var in params.hosts %}{{ var }}{% endfor %}"
        #expect(TemplateEmbedding.url.problem(in: .string(template), setting: "url")?.contains("hide the trusted {{ var }}") == true)
        let renderer = TemplateRenderer(context: ["params": .object(["hosts": .array([.string("evil/x?")])])])
        #expect(throws: TemplateError.self) { try renderer.render(.string(template), at: "url", embedding: .url) }
    }

    @Test("Templates and MLproject commands quote with one escaper; the bash operator and the lexer know the same shells")
    func oneRule() {
        #expect(ShellTemplate.Quoting.bare.quote("a'b") == ShellQuote.quote("a'b"))
        for shell in ShellQuote.posixShells {
            #expect(BashOperator.shellProblem("/bin/\(shell)") == nil)
            #expect(TemplateEmbedding.shell.problem(in: .string("\(shell) -c {{ params.v }}"), setting: "command")?.contains("'\(shell) -c'") == true)
        }
    }

    @Test("The example DAGs load")
    func exampleDAGs() throws {
        let substitutions = ["INSTALL_DATE": "2026-01-01", "MODEL_COMMIT": String(repeating: "a", count: 40), "MODEL_COMMITS": "a (first)"]
        for (name, text) in try ExampleDAGs.files() where name.hasSuffix(".yaml") {
            var text = text
            for (key, value) in substitutions { text = text.replacingOccurrences(of: "${\(key)}", with: value) }
            if case .failure(let error) = DAGFileParser.parse(text, file: name) { Issue.record("\(name): \(error)") }
        }
    }
}
