import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import JSON
import Lineage
import NIOCore
import OrchestratorAPI
import OrchestratorDatabase
import TaskExecution
import Workflow

extension OrchestratorUI {
    func addRunRoutes(to router: RouterGroup<OrchestratorRequestContext>) {
        let ui = self
        router.get("/dags/{dag_id}/trigger") { _, context in
            _ = try context.require(.op)
            let dag = try await ui.orchestration.dag(try context.parameters.decoded("dag_id"))
            return await ui.triggerPage(dag, context, fields: [:], errors: [:])
        }
        router.post("/dags/{dag_id}/trigger") { request, context in try await ui.trigger(request, context) }
        let run = "/dags/{dag_id}/runs/{run_id}"
        router.get(RouterPath(run)) { _, context in try await ui.runPage(context) }
        router.post(RouterPath(run + "/state")) { request, context in
            _ = try context.require(.op)
            let form = try await FormData.read(request)
            let (dagID, runID) = try Self.runParameters(context)
            guard let state = form["state"].flatMap(DagRunState.init(rawValue:)), [.success, .failed].contains(state) else {
                throw UIError(.badRequest, "state must be success or failed")
            }
            _ = try await ui.orchestration.setRunState(dagID: dagID, runID: runID, to: state)
            return HTML.redirect("/dags/\(HTML.segment(dagID))/runs/\(HTML.segment(runID))")
        }
        router.post(RouterPath(run + "/clear")) { _, context in
            _ = try context.require(.op)
            let (dagID, runID) = try Self.runParameters(context)
            let taskIDs = try await ui.store.taskInstances(dagID: dagID, runID: runID).map(\.taskID)
            _ = try await ui.orchestration.clear(dagID: dagID, runID: runID, taskIDs: taskIDs, includeDownstream: false, onlyFailed: true)
            return HTML.redirect("/dags/\(HTML.segment(dagID))/runs/\(HTML.segment(runID))")
        }
        let task = run + "/tasks/{task_id}"
        router.get(RouterPath(task)) { request, context in try await ui.taskPage(request, context) }
        router.post(RouterPath(task + "/clear")) { request, context in
            _ = try context.require(.op)
            let form = try await FormData.read(request)
            let (dagID, runID) = try Self.runParameters(context)
            let taskID = try context.parameters.decoded("task_id")
            _ = try await ui.orchestration.clear(dagID: dagID, runID: runID, taskIDs: [taskID], includeDownstream: form["downstream"] == "true")
            return HTML.redirect(Self.taskPath(dagID, runID, taskID))
        }
        router.post(RouterPath(task + "/state")) { request, context in
            _ = try context.require(.op)
            let form = try await FormData.read(request)
            let (dagID, runID) = try Self.runParameters(context)
            let taskID = try context.parameters.decoded("task_id")
            guard let state = form["state"].flatMap(TaskState.init(rawValue:)), [.success, .failed].contains(state) else {
                throw UIError(.badRequest, "state must be success or failed")
            }
            _ = try await ui.orchestration.setTaskState(dagID: dagID, runID: runID, taskID: taskID, to: state)
            return HTML.redirect(Self.taskPath(dagID, runID, taskID))
        }
        router.get(RouterPath(task + "/logs/{try_number}/stream")) { request, context in try await ui.logStream(request, context) }
    }

    static func runParameters(_ context: OrchestratorRequestContext) throws -> (String, String) {
        (try context.parameters.decoded("dag_id"), try context.parameters.decoded("run_id"))
    }

    static func taskPath(_ dagID: String, _ runID: String, _ taskID: String) -> String {
        "/dags/\(HTML.segment(dagID))/runs/\(HTML.segment(runID))/tasks/\(HTML.segment(taskID))"
    }

    // MARK: Trigger

    func triggerPage(
        _ dag: DAG,
        _ context: OrchestratorRequestContext,
        fields: [String: String],
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    ) async -> Response {
        var values = await base(context)
        values["dag_id"] = dag.dagID
        values["path_id"] = HTML.segment(dag.dagID)
        values["params"] = dag.params.map { param -> [String: Any] in
            let types = param.schema.allowedTypes
            let type = types.first { $0 != "null" } ?? ""
            let given = fields["param.\(param.name)"]
            var entry: [String: Any] = ["name": param.name]
            if !types.isEmpty { entry["type"] = types.joined(separator: " or ") }
            if let description = param.description, !description.isEmpty { entry["description"] = description }
            if let error = errors[param.name] { entry["error"] = error }
            if case .array(let options)? = param.schema.keywords["enum"] {
                let current = given ?? param.defaultValue.map(Self.fieldText) ?? ""
                entry["is_enum"] = true
                entry["options"] = options.map { option -> [String: Any] in
                    let text = Self.fieldText(option)
                    return ["value": text, "selected": text == current]
                }
            } else if type == "boolean" {
                entry["is_bool"] = true
                entry["checked"] = (given ?? param.defaultValue.map(Self.fieldText)) == "true"
            } else if type == "object" || type == "array" {
                entry["is_json"] = true
                entry["value"] = given ?? param.defaultValue?.jsonText ?? ""
            } else {
                entry["is_input"] = true
                entry["is_number"] = type == "integer" || type == "number"
                entry["input_type"] = type == "integer" || type == "number" ? "number" : "text"
                entry["value"] = given ?? param.defaultValue.map(Self.fieldText) ?? ""
            }
            return entry
        }
        values["conf"] = fields["conf"] ?? ""
        values["note"] = fields["note"] ?? ""
        if let error = errors[""] { values["form_error"] = error }
        if let error = errors["conf"] { values["conf_error"] = error }
        return render("trigger", values, status: status)
    }

    /// A JSON value as a form field shows it: strings bare, the rest as JSON.
    static func fieldText(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return value.jsonText
    }

    func trigger(_ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        let identity = try context.require(.op)
        let dag = try await orchestration.dag(try context.parameters.decoded("dag_id"))
        let form = try await FormData.read(request)
        var errors: [String: String] = [:]
        var conf: [String: JSONValue] = [:]
        let raw = (form["conf"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if !raw.isEmpty {
            switch try? JSONParser.parse(Array(raw.utf8)) {
            case .object(let object)?: conf = object
            case _?: errors["conf"] = "The configuration must be a JSON object, like {\"key\": \"value\"}."
            case nil: errors["conf"] = "The configuration is not valid JSON."
            }
        } else {
            for param in dag.params {
                guard let text = form["param.\(param.name)"] else { continue }
                switch Self.value(text, for: param) {
                case .success(let value?): conf[param.name] = value
                case .success(nil): continue
                case .failure(let error): errors[param.name] = error.message
                }
            }
        }
        if errors.isEmpty {
            for problem in dag.params(for: conf).problems {
                // "param 'n': …" goes next to its field; other problems on top.
                if let name = dag.params.map(\.name).first(where: { problem.hasPrefix("param '\($0)'") }), raw.isEmpty {
                    errors[name] = problem
                } else if raw.isEmpty {
                    errors[""] = (errors[""].map { $0 + "; " } ?? "") + problem
                } else {
                    errors["conf"] = (errors["conf"].map { $0 + "; " } ?? "") + problem
                }
            }
        }
        guard errors.isEmpty else {
            return await triggerPage(dag, context, fields: form.fields, errors: errors, status: .badRequest)
        }
        let note = form["note"].flatMap { $0.isEmpty ? nil : $0 }
        let run = try await orchestration.trigger(dag.dagID, conf: conf, triggeredBy: "ui", user: identity.username, note: note)
        return HTML.redirect("/dags/\(HTML.segment(dag.dagID))/runs/\(HTML.segment(run.runID))")
    }

    /// A form field's text as the param's JSON type; `nil` for an empty optional field.
    static func value(_ text: String, for param: Param) -> Result<JSONValue?, UIFieldError> {
        let types = param.schema.allowedTypes
        let type = types.first { $0 != "null" } ?? "string"
        if text.isEmpty, type != "string" { return .success(types.contains("null") ? .null : nil) }
        switch type {
        case "integer", "number":
            guard let value = try? JSONParser.parse(Array(text.trimmingCharacters(in: .whitespaces).utf8)), case .number = value else {
                return .failure(UIFieldError("'\(text)' is not a number"))
            }
            return .success(value)
        case "boolean":
            return .success(.bool(text == "true"))
        case "object", "array":
            guard let value = try? JSONParser.parse(Array(text.utf8)) else { return .failure(UIFieldError("not valid JSON")) }
            return .success(value)
        default:
            if case .array(let options)? = param.schema.keywords["enum"], let option = options.first(where: { fieldText($0) == text }) {
                return .success(option)
            }
            return .success(.string(text))
        }
    }

    // MARK: Run and task pages

    func runPage(_ context: OrchestratorRequestContext) async throws -> Response {
        let (dagID, runID) = try Self.runParameters(context)
        let run = try await store.run(dagID: dagID, runID: runID)
        let tracking = try await store.trackingRunIDs(dagID: dagID, runID: runID)
        let base = await self.base(context)
        let trackingURL = base["tracking_url"] as? String
        var values = base
        values["dag_id"] = dagID
        values["path_id"] = HTML.segment(dagID)
        values["run_id"] = runID
        values["run_path"] = HTML.segment(runID)
        values["state"] = run.state.rawValue
        values["run_type"] = run.runType.rawValue
        values["start"] = run.startDate.map(Self.date) ?? ""
        values["end"] = run.endDate.map(Self.date) ?? ""
        values["duration"] = Self.duration(run.startDate, run.endDate)
        values["triggered_by"] = [run.triggeredBy, run.triggeringUser].compactMap { $0 }.joined(separator: " · ")
        values["conf"] = JSONValue.object(run.conf).jsonText
        if let note = run.note, !note.isEmpty { values["note"] = note }
        values["can_edit"] = (context.identity?.role ?? .viewer) >= .op
        values["tasks"] = try await store.taskInstances(dagID: dagID, runID: runID).map { instance -> [String: Any] in
            var row: [String: Any] = [
                "task_id": instance.taskID, "task_path": HTML.segment(instance.taskID), "state": instance.state?.rawValue ?? "none",
                "try_number": instance.tryNumber, "start": instance.startDate.map(Self.date) ?? "",
                "duration": Self.duration(instance.startDate, instance.endDate),
                "path_id": HTML.segment(dagID), "run_path": HTML.segment(runID),
            ]
            if let id = tracking[instance.taskID] {
                row["tracking_run_id"] = id
                row["tracking_link"] = Self.trackingLink(trackingURL, runID: id)
            }
            return row
        }
        return render("run", values)
    }

    /// Where a tracking run is shown: its page in the tracking UI.
    static func trackingLink(_ trackingURL: String?, runID: String) -> String {
        "\(trackingURL ?? "")/runs/\(HTML.segment(runID))"
    }

    func taskPage(_ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        let (dagID, runID) = try Self.runParameters(context)
        let taskID = try context.parameters.decoded("task_id")
        let instance = try await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID)
        let tries = try await store.tries(dagID: dagID, runID: runID, taskID: taskID)
        let shown = PageQuery(request)["try"].flatMap { Int($0) } ?? max(instance.tryNumber, 1)
        let base = await self.base(context)
        var values = base
        values["dag_id"] = dagID
        values["path_id"] = HTML.segment(dagID)
        values["run_id"] = runID
        values["run_path"] = HTML.segment(runID)
        values["task_id"] = taskID
        values["task_path"] = HTML.segment(taskID)
        values["state"] = instance.state?.rawValue ?? "none"
        values["operator"] = instance.operatorName
        values["try_number"] = instance.tryNumber
        values["max_tries_plus_one"] = instance.maxTries + 1
        values["start"] = instance.startDate.map(Self.date) ?? ""
        values["duration"] = Self.duration(instance.startDate, instance.endDate)
        if let message = tries.last?.message, !message.isEmpty { values["message"] = message }
        values["can_edit"] = (context.identity?.role ?? .viewer) >= .op
        let xcoms = try await store.xcoms(dagID: dagID, runID: runID)[taskID] ?? [:]
        values["has_xcom"] = !xcoms.isEmpty
        values["xcom"] = xcoms.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": String($0.value.jsonText.prefix(2000))] }
        if let id = xcoms[Lineage.XCom.trackingRunID]?.string {
            values["tracking_run_id"] = id
            values["tracking_link"] = Self.trackingLink(base["tracking_url"] as? String, runID: id)
        }
        values["tries"] = tries.map { attempt -> [String: Any] in
            [
                "number": attempt.tryNumber, "state": attempt.state.rawValue, "current": attempt.tryNumber == shown,
                "start": attempt.startDate.map(Self.date) ?? "", "duration": Self.duration(attempt.startDate, attempt.endDate),
                "host": attempt.hostname, "message": attempt.message ?? "",
            ]
        }
        switch await orchestration.renderedFields(dagID: dagID, runID: runID, taskID: taskID, for: context.identity?.role ?? .viewer) {
        case .success(let fields):
            values["rendered"] = fields.sorted { $0.key < $1.key }.map { field -> [String: String] in
                ["key": field.key, "value": field.value.string ?? field.value.jsonText]
            }
        case .failure(let error):
            values["render_error"] = error.description
        }
        values["shown_try"] = shown
        let url = await folders.readableLog(TaskLog.url(logsFolder: folders.logs, dagID: dagID, runID: runID, taskID: taskID, tryNumber: shown))
        let live = instance.state == .running && shown == instance.tryNumber
        // A live log shows its whole lines; the stream goes on from the byte after the last one.
        let excerpt = Self.logExcerpt(url, wholeLinesOnly: live)
        values["log"] = excerpt?.text ?? (live ? "" : shown > instance.tryNumber ? "No such try." : "No log yet.")
        values["log_end"] = String(excerpt?.end ?? 0)
        values["live"] = live
        return render("task", values)
    }

    /// A log as a page shows it: its text, and the byte offset of the log where the text ends.
    struct LogExcerpt {
        var text: String
        var end: UInt64
    }

    /// The log file's text, the last 2 MiB of a longer one; with `wholeLinesOnly`, up to its last
    /// newline (a line still being written is left to the live stream).
    static func logExcerpt(_ url: URL, wholeLinesOnly: Bool) -> LogExcerpt? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let limit: UInt64 = 2 << 20
        let start = size > limit ? size - limit : 0
        try? handle.seek(toOffset: start)
        // The size again from what was read: the try may have written more since.
        var data = (try? handle.readToEnd()) ?? Data()
        if wholeLinesOnly {
            data = data.lastIndex(of: 0x0A).map { data[...$0] } ?? Data()
        }
        let cut = start > 0 ? "… (earlier lines cut; the whole log is in \(url.path))\n" : ""
        return LogExcerpt(text: cut + String(decoding: data, as: UTF8.self), end: start + UInt64(data.count))
    }

    /// Server-sent events of a try's log lines (`event: line`, each with the byte offset after it
    /// as its `id`), then `event: end` once the try is over and every byte of its log is sent.
    ///
    /// The stream starts at the offset of `Last-Event-ID` (a reconnecting `EventSource`), else of
    /// `?offset=` (where the task page's text ends), else at the log's start; so a follower sees
    /// every line once.
    func logStream(_ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        let (dagID, runID) = try Self.runParameters(context)
        let taskID = try context.parameters.decoded("task_id")
        guard let tryNumber = Int(try context.parameters.require("try_number")) else { throw UIError(.badRequest, "try_number must be a number") }
        let from = HTTPField.Name("Last-Event-ID").flatMap { request.headers[$0] } ?? PageQuery(request)["offset"] ?? "0"
        guard let resumeAt = UInt64(from) else { throw UIError(.badRequest, "the log offset must be a number of bytes") }
        // Only a try that exists has a stream (404 otherwise, from the store).
        let current = try await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID)
        guard tryNumber >= 1, tryNumber <= max(current.tryNumber, 1) else {
            throw UIError(.notFound, "Task \(taskID) of run \(runID) has no try \(tryNumber).")
        }
        let written = TaskLog.url(logsFolder: folders.logs, dagID: dagID, runID: runID, taskID: taskID, tryNumber: tryNumber)
        let store = store
        let folders = folders
        let body = ResponseBody { writer in
            var url = written
            var offset = resumeAt
            // Bytes of an unfinished line; lines are split on bytes, so no character is ever cut.
            var pending: [UInt8] = []
            while !Task.isCancelled {
                // The state first: whatever the try wrote before it ended is in the log by then.
                let instance = try? await store.taskInstance(dagID: dagID, runID: runID, taskID: taskID)
                let running = instance?.state == .running && instance?.tryNumber == tryNumber
                // An ended try's log may be archived already (an object store's run storage).
                if !running { url = await folders.readableLog(written) }
                // Read to the end, 1 MiB at a time; a line longer than 1 MiB goes out in pieces.
                var chunk = Data()
                repeat {
                    chunk = Self.read(url, at: offset, upTo: Self.logChunk)
                    offset += UInt64(chunk.count)
                    pending.append(contentsOf: chunk)
                    // The log's offset of the byte at `index` of `pending`.
                    let logOffset = { [offset, count = pending.count] (index: Int) in offset - UInt64(count - index) }
                    var start = pending.startIndex
                    while let newline = pending[start...].firstIndex(of: 0x0A) {
                        try await writer.write(Self.lineEvent(pending[start..<newline], id: logOffset(newline + 1)))
                        start = newline + 1
                    }
                    if pending.count - start > Self.logChunk {
                        // Cut before the last character, which may not be complete yet.
                        var cut = pending.endIndex - 1
                        while cut > start, pending[cut] & 0xC0 == 0x80 { cut -= 1 }
                        if cut == start { cut = pending.endIndex }
                        try await writer.write(Self.lineEvent(pending[start..<cut], id: logOffset(cut)))
                        start = cut
                    }
                    pending.removeSubrange(..<start)
                } while chunk.count == Self.logChunk && !Task.isCancelled
                if !running { break }
                try await Task.sleep(for: .milliseconds(500))
            }
            if !pending.isEmpty { try await writer.write(Self.lineEvent(pending[...], id: offset)) }
            try await writer.write(ByteBuffer(string: "event: end\ndata: end\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}

extension OrchestratorUI {
    /// The most bytes of a log read at once.
    static let logChunk = 1 << 20

    /// The event of one log line (its carriage returns left out); `id` is the log's offset after
    /// it, where a reconnecting follower goes on.
    static func lineEvent(_ line: ArraySlice<UInt8>, id: UInt64) -> ByteBuffer {
        let text = String(decoding: line, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
        return ByteBuffer(string: "id: \(id)\nevent: line\ndata: \(text)\n\n")
    }

    /// At most `count` bytes of the file at `url` from `offset`; none when it cannot be read.
    static func read(_ url: URL, at offset: UInt64, upTo count: Int) -> Data {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return Data() }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil else { return Data() }
        return (try? handle.read(upToCount: count)) ?? Data()
    }
}

/// Why a form field's text is not a value of its param.
struct UIFieldError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
