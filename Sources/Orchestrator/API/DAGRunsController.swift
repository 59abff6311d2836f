import Foundation
import HTTPSupport
import Hummingbird
import NIOCore

/// `dags/{dag_id}/dagRuns…`: triggering runs and reading them with their task instances.
struct DAGRunsController {
    let scheduler: Scheduler

    func addRoutes(to router: Router<BasicRequestContext>) {
        let scheduler = scheduler
        let store = scheduler.store
        router.post("/api/v2/dags/{dag_id}/dagRuns") { request, context -> Response in
            let dagID = try context.parameters.require("dag_id")
            let body = try await APIRequest.jsonObject(request)
            try APIRequest.rejectUnknown(body, allowed: ["dag_run_id", "logical_date", "data_interval_start", "data_interval_end", "run_after", "conf", "note", "partition_key"])
            guard let logical = body["logical_date"] else {
                throw APIError.validation(type: "missing", location: ["body", "logical_date"], message: "Field required", input: .object(body))
            }
            let logicalDate = try APIRequest.date(logical, field: "logical_date")
            var conf: [String: JSONValue] = [:]
            switch body["conf"] {
            case .object(let members)?: conf = members
            case nil, .null?: break
            case let other?: throw APIError.validation(type: "dict_type", location: ["body", "conf"], message: "Input should be a valid dictionary", input: other)
            }
            let runID: String? = if case .string(let id)? = body["dag_run_id"] { id } else { nil }
            let note: String? = if case .string(let text)? = body["note"] { text } else { nil }
            let start = try body["data_interval_start"].flatMap { try APIRequest.date($0, field: "data_interval_start") }
            let end = try body["data_interval_end"].flatMap { try APIRequest.date($0, field: "data_interval_end") }
            guard (start == nil) == (end == nil) else {
                throw OrchestratorError.invalid("Either both data_interval_start and data_interval_end must be provided or both must be None")
            }
            let interval = start.flatMap { start in end.map { DataInterval(start: start, end: $0) } }
            let triggeredBy = request.headers[.referer] == nil ? "rest_api" : "ui"
            let run = try await scheduler.trigger(dagID, runID: runID, conf: conf, logicalDate: logicalDate, dataInterval: interval, triggeredBy: triggeredBy, note: note)
            return .json(AirflowJSON.dagRun(run).jsonText)
        }
        router.get("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}") { _, context -> Response in
            let run = try await store.run(dagID: try context.parameters.require("dag_id"), runID: try context.parameters.require("dag_run_id"))
            return .json(AirflowJSON.dagRun(run).jsonText)
        }
        router.get("/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances") { _, context -> Response in
            let run = try await store.run(dagID: try context.parameters.require("dag_id"), runID: try context.parameters.require("dag_run_id"))
            let instances = try await store.taskInstances(dagID: run.dagID, runID: run.runID)
            return .json(JSONValue.object([
                "task_instances": .array(instances.map { AirflowJSON.taskInstance($0, run: run) }),
                "total_entries": .integer(instances.count),
            ]).jsonText)
        }
    }
}

/// Reading Airflow-style request bodies.
enum APIRequest {
    static let maximumBodySize = 1 << 20

    static func jsonObject(_ request: Request) async throws -> [String: JSONValue] {
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        guard buffer.readableBytes > 0 else {
            throw APIError.validation(type: "missing", location: ["body"], message: "Field required", input: .null)
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError.validation(type: "json_invalid", location: ["body", .integer(0)], message: "JSON decode error", input: .object([:]), context: ["error": .string("\(error)")])
        }
        guard case .object(let members) = value else {
            throw APIError.validation(type: "model_attributes_type", location: ["body"], message: "Input should be a valid dictionary or object to extract fields from", input: value)
        }
        return members
    }

    /// Strict bodies (`additionalProperties: false`) refuse unknown fields.
    static func rejectUnknown(_ body: [String: JSONValue], allowed: Set<String>) throws {
        for key in body.keys.sorted() where !allowed.contains(key) {
            throw APIError.validation(type: "extra_forbidden", location: ["body", .string(key)], message: "Extra inputs are not permitted", input: body[key] ?? .null)
        }
    }

    static func date(_ value: JSONValue, field: String) throws -> Date? {
        switch value {
        case .null: return nil
        case .string(let text):
            guard let date = DateText.parse(text) else {
                throw APIError.validation(type: "datetime_from_date_parsing", location: ["body", .string(field)], message: "Input should be a valid datetime", input: value)
            }
            return date
        default:
            throw APIError.validation(type: "datetime_type", location: ["body", .string(field)], message: "Input should be a valid datetime", input: value)
        }
    }
}

/// A request the API refuses in FastAPI's validation shape (422).
struct APIError: Error {
    var status: HTTPResponse.Status
    var body: JSONValue

    static func validation(type: String, location: [JSONValue], message: String, input: JSONValue, context: [String: JSONValue] = [:]) -> APIError {
        var issue: [String: JSONValue] = ["type": .string(type), "loc": .array(location), "msg": .string(message), "input": input]
        if !context.isEmpty { issue["ctx"] = .object(context) }
        return APIError(status: .unprocessableContent, body: .object(["detail": .array([.object(issue)])]))
    }
}
