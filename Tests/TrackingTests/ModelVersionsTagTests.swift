import Testing
import Tracking

/// The `mlflow.modelVersions` tag, written as MLflow's server writes it.
@Suite("Model versions tag")
struct ModelVersionsTagTests {
    @Test(
        "A new version is appended as Python's json.dumps would write the list",
        arguments: [
            (nil, "[{\"name\": \"line\", \"version\": 1}]"),
            ("[{\"name\": \"line\", \"version\": \"1\"}]", "[{\"name\": \"line\", \"version\": \"1\"}, {\"name\": \"line\", \"version\": 1}]"),
            ("[{\"name\": \"other\", \"version\": 1}]", "[{\"name\": \"other\", \"version\": 1}, {\"name\": \"line\", \"version\": 1}]"),
            // MLflow's rule: the entry there already makes the list that entry alone.
            ("[{\"name\": \"other\", \"version\": 3}, {\"name\": \"line\", \"version\": 1}]", "[{\"name\": \"line\", \"version\": 1}]"),
            ("[]", "[{\"name\": \"line\", \"version\": 1}]"),
            ("not json", "[{\"name\": \"line\", \"version\": 1}]"),
        ] as [(String?, String)]
    )
    func adding(existing: String?, expected: String) {
        #expect(ModelVersionsTag.adding(name: "line", version: 1, to: existing) == expected)
    }

    @Test("Names are escaped as Python escapes them: quotes, backslashes, control and non-ASCII characters")
    func escaping() {
        #expect(
            ModelVersionsTag.adding(name: "a\"b\\c\nü😀\u{1}", version: 2, to: nil)
                == #"[{"name": "a\"b\\c\n\u00fc\ud83d\ude00\u0001", "version": 2}]"#
        )
    }
}
