import Foundation
import JSON
import TestSupport
import Testing

@testable import Workflow

/// Values of a run (conf, params, run id, XComs) never become code: quoted into shell commands,
/// encoded into URLs, refused where code is chosen.
@Suite("Template quoting")
struct TemplateQuotingTests {
    /// Values an attacker would put in a run's conf.
    static let hostile: [String] = [
        "$(id)", "`id`", "'; id; '", "\"; id; \"", "\\", "\\'", "\\\"", "a\nb; id", "$HOME", "*", "~root", "a b  c", "",
        "'", "\"", "${IFS}id", "!!", "&& id", "| id", "; id", "# id", "$'\\x27'", "{a,b}", "-n", "%s", "x\u{1}y", "ünï ☃",
        "\"$(id)\"", "'$(id)'", "$((1+1))", "\\$(id)",
    ]

    /// Shell commands with one value in each place it may stand: `prefix` and `suffix` are what
    /// the shell prints around the value.
    static let places: [(command: String, prefix: String, suffix: String)] = [
        ("printf '%s' {{ params.v }}", "", ""),
        ("printf '%s' \"{{ params.v }}\"", "", ""),
        ("printf '%s' 'a{{ params.v }}b'", "a", "b"),
        ("printf '%s' pre{{ params.v }}post", "pre", "post"),
        ("printf '%s' \"$(printf 'x') {{ params.v }}\"", "x ", ""),
        ("X={{ params.v }}; printf '%s' \"$X\"", "", ""),
        ("( printf '%s' {{ params.v }} )", "", ""),
        ("case {{ params.v }} in *) printf '%s' {{ params.v }};; esac", "", ""),
        ("{% if params.v %}printf '%s' \"{{ params.v }}\"{% else %}printf ''{% endif %}", "", ""),
        ("printf '%s' {% for x in params.list %}{{ params.v }} {% endfor %}", "", ""),
        ("printf '%s' {{ params.v }}{{ params.v }}", "", ""),
    ]

    @Test("Every hostile value in every allowed place reaches the command as exactly its text", arguments: places.indices)
    func hostileValuesStayData(place: Int) async throws {
        let (command, prefix, suffix) = Self.places[place]
        for value in Self.hostile {
            let renderer = TemplateRenderer(context: ["params": .object(["v": .string(value), "list": .array([.integer(1)])])])
            let rendered = try renderer.render(.string(command), at: "command", embedding: .shell)
            guard case .string(let text) = rendered else { throw TestFailure("not text") }
            let output = try await Self.bash(text)
            let expected = command.contains("{{ params.v }}{{ params.v }}") ? value + value : value
            if command.hasPrefix("{% if"), value.isEmpty {
                #expect(output == "", "value \(value.debugDescription) in \(command)")
            } else {
                #expect(output == prefix + expected + suffix, "value \(value.debugDescription) in \(command): bash ran \(text.debugDescription)")
            }
        }
    }

    /// Runs `command` with bash; returns its standard output.
    static func bash(_ command: String) async throws -> String {
        try await runProgram("/bin/bash", ["-c", command], environment: ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent"]).output
    }

    @Test("A NUL in a value fails the try instead of cutting the command short")
    func nul() {
        let renderer = TemplateRenderer(context: ["params": .object(["v": .string("a\u{0}b")])])
        #expect(throws: TemplateError.self) { try renderer.render(.string("echo {{ params.v }}"), at: "command", embedding: .shell) }
    }

    @Test(
        "Places where a value cannot be quoted are refused when the DAG loads",
        arguments: [
            ("echo $(cat {{ params.v }})", "command substitution"),
            ("echo \"$(cat {{ params.v }})\"", "command substitution"),
            ("echo `{{ params.v }}`", "backticks"),
            ("echo ${X:-{{ params.v }}}", "parameter expansion"),
            ("echo $(( {{ params.v }} + 1 ))", "arithmetic"),
            ("echo $'{{ params.v }}'", "$'…'"),
            ("echo hi # {{ params.v }}", "comment"),
            ("cat <<EOF\n{{ params.v }}\nEOF", "here-document"),
            ("eval echo {{ params.v }}", "'eval'"),
            ("bash -c \"echo {{ params.v }}\"", "'bash -c'"),
            ("sh -ec 'echo {{ params.v }}'", "'sh -c'"),
            ("{{ params.v }} --flag", "name the command"),
            ("env A=1 timeout 5 {{ params.v }}", "name the command"),
            ("echo x; {{ dag_run.conf.tool }}", "name the command"),
            ("/usr/bin/{{ params.v }} --x", "name the command"),
            ("\"{{ params.v }}\" --x", "name the command"),
            ("echo \\{{ params.v }}", "right after"),
            ("echo ${{ params.v }}", "right after"),
            ("{% if params.v %}\"{% endif %}echo {{ params.v }}", "balanced"),
            ("{% if params.v %}echo{% endif %} {{ params.v }}", "name the command"),
            ("{% for x in params.l %}\"{% endfor %}echo {{ params.v }}", "balanced"),
            ("{% filter upper %}echo {{ params.v }}{% endfilter %}", "cannot be used"),
            ("echo {{ params.v", "never closed"),
        ]
    )
    func refused(command: String, reason: String) {
        let problem = TemplateEmbedding.shell.problem(in: .string(command), setting: "command")
        #expect(problem?.contains(reason) == true, "\(command.debugDescription): \(problem ?? "accepted")")
        #expect(problem?.contains("env:") == true)
    }

    @Test("Values from Variables may name the command; blocks and comments are free")
    func allowed() {
        for command in [
            "{{ var.tool }} --input {{ params.v }}", "echo \"$(date) {{ params.v }}\"", "{# a note #}echo {{ params.v }}",
            "echo {% for x in params.list %}{{ x }} {% endfor %}", "A={{ params.v }} printf '%s' \"$A\"",
        ] {
            #expect(TemplateEmbedding.shell.problem(in: .string(command), setting: "command") == nil, "\(command)")
        }
    }

    @Test("Settings that choose code take only Variables and the DAG's names")
    func trusted() {
        #expect(TemplateEmbedding.trusted.problem(in: .string("{{ var.model_repo }}"), setting: "repo") == nil)
        #expect(TemplateEmbedding.trusted.problem(in: .string("https://git.example/{{ dag.dag_id }}.git"), setting: "repo") == nil)
        for template in [
            "{{ params.model_repo }}", "{{ dag_run.conf.repo }}", "{{ var.x|default:params.y }}", "{% if params.a %}x{% endif %}", "{{ xcom.t }}",
            "{{ run_id }}",
        ] {
            let problem = TemplateEmbedding.trusted.problem(in: .string(template), setting: "repo")
            #expect(problem?.contains("chooses the code that runs") == true, "\(template)")
        }
    }

    @Test("Values in URLs are encoded as one component; Variables stay as they are")
    func urls() throws {
        let renderer = TemplateRenderer(context: [
            "var": .object(["base": .string("http://127.0.0.1:6780")]),
            "params": .object(["path": .string("../admin"), "q": .string("a&b=c#d /é"), "dots": .string("..")]),
        ])
        let rendered = try renderer.render(
            .string("{{ var.base }}/items/{{ params.path }}?q={{ params.q }}&d={{ params.dots }}"),
            at: "url",
            embedding: .url
        )
        #expect(rendered == .string("http://127.0.0.1:6780/items/..%2Fadmin?q=a%26b%3Dc%23d%20%2F%C3%A9&d=%2E%2E"))
        let whole = try renderer.render(.string("{{ params.path }}"), at: "url", embedding: .url)
        #expect(whole == .string("..%2Fadmin"))
    }

    @Test(
        "The DAG loader refuses code chosen by the run, with the setting and what to write instead",
        arguments: [
            ("bash", "command: echo $(cat {{ params.file }})", "env:"),
            ("bash", "command: echo hi\n    shell: \"{{ params.shell }}\"", "chooses the code"),
            ("bash", "command: echo hi\n    shell: python3", "POSIX shell"),
            ("python", "code: \"print('{{ params.who }}')\"", "chooses the code"),
            ("python", "script: \"{{ params.script }}\"", "chooses the code"),
            ("python", "script: x.py\n    python: \"{{ dag_run.conf.python }}\"", "chooses the code"),
            ("http", "url: http://x/\n    body: '{\"a\": \"{{ params.who }}\"}'", "chooses the code"),
            ("project", "repo: \"{{ params.model_repo }}\"\n    tracking_uri: http://x", "chooses the code"),
            ("project", "repo: /r\n    tracking_uri: \"{{ params.uri }}\"", "chooses the code"),
        ]
    )
    func loaderRefuses(operatorName: String, settings: String, expected: String) {
        let text = "dag_id: d\nparams: {who: x}\ntasks:\n  - id: t\n    operator: \(operatorName)\n    \(settings)\n"
        guard case .failure(let error) = DAGFileParser.parse(text, file: "d.yaml") else {
            Issue.record("loaded: \(settings)")
            return
        }
        #expect(error.message.contains(expected), "\(error)")
        #expect(error.message.contains("task 't'"))
    }

    @Test("The loader accepts what the examples and docs write")
    func loaderAccepts() {
        let text = """
            dag_id: d
            params: {who: x, n: 3}
            tasks:
              - id: say
                operator: bash
                env: {WHO: "{{ params.who }}"}
                command: echo "$WHO {{ params.who }} on {{ ds }}" --count {{ params.n }}
              - id: fetch
                operator: http
                url: "{{ var.samples_url }}/get-samples?n={{ params.n }}"
                json: {n_samples: "{{ params.n }}", who: "{{ params.who }}"}
              - id: train
                operator: project
                repo: "{{ var.model_repo }}"
                version: "{{ params.commit }}"
                tracking_uri: "{{ var.tracking_uri }}"
                parameters: {alpha: "{{ params.n }}"}
            """
        if case .failure(let error) = DAGFileParser.parse(text, file: "d.yaml") { Issue.record("\(error)") }
    }
}
