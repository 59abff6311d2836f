import Foundation
import TestSupport
import Testing

/// The built binary, run as a user runs it.
@Suite("flowline up, reset and help", .serialized)
struct UpTests {
    @Test("flowline up prints the URLs, serves, and stops cleanly on SIGTERM and on Ctrl-C", arguments: [SIGTERM, SIGINT])
    func upAndStop(signal: Int32) async throws {
        try await withTemporaryDirectory { directory in
            let flowline = try FlowlineProcess(
                ["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--log-level", "warning"],
                in: directory.url
            )
            defer { flowline.terminate() }
            try await flowline.waitForOutput("Press Ctrl-C to stop.")
            let samples = try flowline.url(of: "samples")
            #expect(!samples.hasSuffix(":6780"))
            #expect(flowline.standardOutput.contains(directory.url.appendingPathComponent("flowline-data").path))
            let hello = try await HTTP.request("GET", samples + "/hello")
            #expect(hello.status == 200 && hello.body == #"{"message":"Hello"}"#)
            let draw = try await HTTP.request("POST", samples + "/get-samples", body: #"{"n_samples": 10}"#)
            #expect(draw.status == 200 && draw.body.hasPrefix(#"{"samples":[["#))
            flowline.signal(signal)
            #expect(try await flowline.waitForExit() == 0)
            #expect(flowline.standardOutput.contains("Flowline stopped."))
            #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("flowline-data/.flowline").path))
        }
    }

    @Test("FLOWLINE_DATA_DIR chooses the data directory; a second stack on it is refused")
    func dataDirectoryLock() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("state").path
            let first = try FlowlineProcess(
                ["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0"],
                in: directory.url,
                environment: ["FLOWLINE_DATA_DIR": data]
            )
            defer { first.terminate() }
            try await first.waitForOutput("Press Ctrl-C to stop.")
            #expect(first.standardOutput.contains(data))

            let second = try await FlowlineProcess.run([
                "up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--data-dir", data,
            ])
            #expect(second.status != 0)
            #expect(second.stderr.contains("in use by another Flowline process"))

            let reset = try await FlowlineProcess.run(["reset", "--yes", "--data-dir", data])
            #expect(reset.status != 0)
            #expect(FileManager.default.fileExists(atPath: data))
            first.signal()
            #expect(try await first.waitForExit() == 0)
        }
    }

    @Test("A second server on the same SQLite database is refused, also from another data directory: it names the file, the pid and PostgreSQL")
    func sqliteDatabaseLock() async throws {
        try await withTemporaryDirectory { directory in
            let first = try FlowlineProcess(
                ["server", "--port", "0", "--no-examples", "--data-dir", directory.url.appendingPathComponent("one").path],
                in: directory.url
            )
            defer { first.terminate() }
            try await first.waitForOutput("Press Ctrl-C to stop.")
            let database = directory.url.appendingPathComponent("one/orchestrator.db").path
            let second = try await FlowlineProcess.run([
                "server", "--port", "0", "--no-examples", "--data-dir", directory.url.appendingPathComponent("two").path,
                "--database", "sqlite:///\(database)",
            ])
            #expect(second.status != 0)
            #expect(second.stderr.contains("the SQLite database \(database) is in use by another Flowline server (pid \(first.processIdentifier))"))
            #expect(second.stderr.contains("--database postgresql://"))
            first.signal()
            #expect(try await first.waitForExit() == 0)
        }
    }

    @Test("A port already in use is a clear error, not a crash")
    func portInUse() async throws {
        try await withTemporaryDirectory { directory in
            let first = try FlowlineProcess(["samples", "serve", "--port", "0"], in: directory.url)
            defer { first.terminate() }
            try await first.waitForOutput("Press Ctrl-C to stop.")
            let port = try #require(try first.url(of: "samples").split(separator: ":").last.map(String.init))
            let second = try await FlowlineProcess.run(
                ["up", "--samples-port", port, "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0"],
                in: directory.url
            )
            #expect(second.status != 0)
            #expect(second.stderr.contains("already in use"))
        }
    }

    @Test("flowline reset asks first, and deletes only with yes")
    func reset() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.url.appendingPathComponent("flowline-data")
            let up = try FlowlineProcess(
                ["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0"],
                in: directory.url
            )
            try await up.waitForOutput("Press Ctrl-C to stop.")
            up.signal()
            try await up.waitForExit()

            let declined = try await FlowlineProcess.run(["reset"], in: directory.url, input: "n\n")
            #expect(declined.status != 0)
            #expect(declined.stdout.contains("This deletes \(data.path)"))
            #expect(declined.stdout.contains("Not deleted"))
            #expect(FileManager.default.fileExists(atPath: data.path))

            let confirmed = try await FlowlineProcess.run(["reset"], in: directory.url, input: "y\n")
            #expect(confirmed.status == 0)
            #expect(!FileManager.default.fileExists(atPath: data.path))

            let nothing = try await FlowlineProcess.run(["reset", "--yes"], in: directory.url)
            #expect(nothing.status == 0)
            #expect(nothing.stdout.contains("Nothing to delete"))
        }
    }

    @Test("flowline reset --yes refuses a folder Flowline did not create")
    func resetForeign() async throws {
        try await withTemporaryDirectory { directory in
            let precious = directory.url.appendingPathComponent("notes.txt")
            try Data("keep".utf8).write(to: precious)
            let result = try await FlowlineProcess.run(["reset", "--yes", "--data-dir", directory.path])
            #expect(result.status != 0)
            #expect(result.stderr.contains("does not look like a Flowline data directory"))
            #expect(FileManager.default.fileExists(atPath: precious.path))
        }
    }

    @Test("flowline --help lists the commands; bad flags are explained")
    func help() async throws {
        let help = try await FlowlineProcess.run(["--help"])
        #expect(help.status == 0)
        for command in ["up", "samples", "tracking", "reset"] {
            #expect(help.stdout.contains("  \(command) "))
        }
        let version = try await FlowlineProcess.run(["--version"])
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let badPort = try await FlowlineProcess.run(["up", "--samples-port", "99999"])
        #expect(badPort.status != 0)
        #expect(badPort.stderr.contains("--samples-port"))
        let badLine = try await FlowlineProcess.run(["samples", "serve", "--noise-sigma", "-1"])
        #expect(badLine.status != 0)
        #expect(badLine.stderr.contains("noise sigma must not be negative"))
    }

    @Test("flowline samples serve takes the initial line from its flags")
    func samplesServeFlags() async throws {
        let serve = try FlowlineProcess(["samples", "serve", "--port", "0", "--gradient", "3", "--intercept", "-2", "--noise-sigma", "0"])
        defer { serve.terminate() }
        try await serve.waitForOutput("Press Ctrl-C to stop.")
        let url = try serve.url(of: "samples")
        let line = try await HTTP.request("GET", url + "/line-params")
        #expect(line.body == #"{"gradient":3.0,"intercept":-2.0,"noise_sigma":0.0}"#)
        serve.signal()
        #expect(try await serve.waitForExit() == 0)
    }
}

/// The tracking server inside `flowline up`, and alone.
@Suite("flowline up and tracking serve run the tracking server", .serialized)
struct TrackingEndToEndTests {
    @Test("flowline up serves MLflow's API on the tracking URL, with its database in the data directory")
    func upServesTracking() async throws {
        try await withTemporaryDirectory { directory in
            let flowline = try FlowlineProcess(
                ["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0", "--log-level", "warning"],
                in: directory.url
            )
            defer { flowline.terminate() }
            try await flowline.waitForOutput("Press Ctrl-C to stop.")
            let tracking = try flowline.url(of: "tracking")
            #expect(flowline.standardOutput.contains("MLFLOW_TRACKING_URI=\(tracking)"))
            let created = try await HTTP.request("POST", tracking + "/api/2.0/mlflow/experiments/create", body: #"{"name": "e2e"}"#)
            #expect(created.status == 200 && created.body == #"{"experiment_id":"1"}"#)
            flowline.signal()
            #expect(try await flowline.waitForExit() == 0)
            #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("flowline-data/tracking.db").path))

            // State survives a restart.
            let again = try FlowlineProcess(
                ["up", "--samples-port", "0", "--tracking-port", "0", "--orchestrator-port", "0", "--serving-port", "0"],
                in: directory.url
            )
            defer { again.terminate() }
            try await again.waitForOutput("Press Ctrl-C to stop.")
            let found = try await HTTP.request("GET", try again.url(of: "tracking") + "/api/2.0/mlflow/experiments/get-by-name?experiment_name=e2e")
            #expect(found.status == 200 && found.body.contains(#""experiment_id":"1""#))
            again.signal()
            #expect(try await again.waitForExit() == 0)
        }
    }

    @Test("A bad backend store URI is a clear error")
    func badBackendStore() async throws {
        try await withTemporaryDirectory { directory in
            let result = try await FlowlineProcess.run(
                ["tracking", "serve", "--port", "0", "--backend-store-uri", "mysql://u:secret@h/db"],
                in: directory.url
            )
            #expect(result.status != 0)
            #expect(result.stderr.contains("mysql") && !result.stderr.contains("secret"))
        }
    }
}
