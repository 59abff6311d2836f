import Testing
import Tracking

@Suite("Search filter parser")
struct FilterParserTests {
    typealias Clause = SearchFilter.Clause
    typealias Identifier = SearchFilter.Identifier

    static func clause(_ entity: String, _ key: String, _ comparator: SearchFilter.Comparator, _ value: SearchFilter.Value) -> Clause {
        Clause(Identifier(entity: entity, key: key), comparator, value)
    }

    @Test(
        "Valid filters",
        arguments: [
            ("", []),
            ("   ", []),
            ("metrics.rmse < 0.5", [clause("metrics", "rmse", .less, .number(0.5, literal: "0.5"))]),
            ("metrics.acc >= -1e-3", [clause("metrics", "acc", .greaterOrEqual, .number(-0.001, literal: "-1e-3"))]),
            ("params.lr = '0.01'", [clause("params", "lr", .equal, .string("0.01"))]),
            (#"params.model = "linear""#, [clause("params", "model", .equal, .string("linear"))]),
            ("tags.mlflow.runName != 'x'", [clause("tags", "mlflow.runName", .notEqual, .string("x"))]),
            ("metrics.`val-loss` > 1", [clause("metrics", "val-loss", .greater, .number(1, literal: "1"))]),
            (#"tags."mlflow.source.name" LIKE '%train%'"#, [clause("tags", "mlflow.source.name", .like, .string("%train%"))]),
            ("attributes.status = 'FINISHED'", [clause("attributes", "status", .equal, .string("FINISHED"))]),
            ("status = 'RUNNING'", [clause("", "status", .equal, .string("RUNNING"))]),
            ("run_name ilike 'A%'", [clause("", "run_name", .ilike, .string("A%"))]),
            ("attributes.run_id IN ('a', 'b')", [clause("attributes", "run_id", .in, .list(["a", "b"]))]),
            ("run_id not in ('a')", [clause("", "run_id", .notIn, .list(["a"]))]),
            ("tags.team IS NULL", [clause("tags", "team", .isNull, .none)]),
            ("params.x is not null", [clause("params", "x", .isNotNull, .none)]),
            ("params.q = 'it''s'", [clause("params", "q", .equal, .string("it's"))]),
            ("`run name` = 'a b'", [clause("", "run name", .equal, .string("a b"))]),
            (
                "metrics.a > 1 AND params.b = '2' and tags.c != '3'",
                [
                    clause("metrics", "a", .greater, .number(1, literal: "1")),
                    clause("params", "b", .equal, .string("2")),
                    clause("tags", "c", .notEqual, .string("3")),
                ]
            ),
        ]
    )
    func valid(text: String, clauses: [Clause]) throws {
        #expect(try FilterParser.parse(text) == SearchFilter(clauses: clauses))
    }

    @Test(
        "Invalid filters are INVALID_PARAMETER_VALUE with a message that says why",
        arguments: [
            ("metrics.a > 1 OR metrics.b > 2", "Invalid clause(s) in filter string: 'OR'"),
            ("metrics.a >> 1", "Invalid comparator '>>'"),
            ("metrics.a <> 1", "Invalid comparator '<>'"),
            ("metrics.a", "expected a comparator"),
            ("metrics.a >", "expected a value"),
            ("params.a = unquoted", "Expected a quoted string value"),
            ("params.a = 'open", "unterminated ' quote"),
            ("run_id IN ()", "non-empty list"),
            ("run_id IN 'a'", "expected a non-empty list"),
            ("run_id IN ('a' 'b')", "expected ',' or ')'"),
            ("run_id IN ('a', 1)", "expected string value"),
            ("metrics.a > 1 metrics.b > 2", "expected AND"),
            ("(metrics.a > 1)", "expected an identifier"),
            ("metrics.a > 1 AND", "expected an identifier"),
            ("metrics. > 1", "expected a key"),
            ("tags.a IS 'x'", "expected NULL"),
            ("params.a NOT LIKE 'x'", "expected IN after NOT"),
            ("metrics.a = 1; DROP TABLE runs", "unexpected character ';'"),
            ("metrics.a = 1e999", "is not a number"),
        ]
    )
    func invalid(text: String, message: String) {
        let error = #expect(throws: TrackingError.self) { try FilterParser.parse(text) }
        #expect(error?.code == .invalidParameterValue)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("Arbitrary text never crashes the parser")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "metrics.", "params.a", "tags.`b`", " = ", " != ", " < ", "'x'", "\"y\"", "1.5", "-2", " AND ", " OR ",
            " IN ", "(", ")", ",", " IS ", " NOT ", " NULL", "LIKE", "`", "'", "\"", "\\", ";", "ü",
        ]
        for _ in 0..<3_000 {
            let text = (0..<Int.random(in: 0..<10, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            _ = try? FilterParser.parse(text)
        }
    }
}
