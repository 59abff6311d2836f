import Foundation
import HTTPSupport
import Hummingbird
import JSON
import OrchestratorDatabase
import Workflow

/// `variables…`: ops read them (they may hold secrets, so viewers do not); admins change them.
struct VariablesController {
    let store: OrchestratorStore

    func addRoutes(to router: Router<OrchestratorRequestContext>) {
        let store = store
        router.get("/api/v2/variables") { request, context -> Response in
            _ = try context.require(Role.variableReader)
            var variables = try await store.variables()
            if let pattern = try APIQuery.pattern(request.uri.queryParameters, "variable_key_pattern") {
                variables = variables.filter { pattern.matches($0.key) }
            }
            let page = try Paging(request.uri.queryParameters)
            return .json(AirflowJSON.collection("variables", page.slice(variables).map(AirflowJSON.variable), total: variables.count))
        }
        router.get("/api/v2/variables/{variable_key}") { _, context -> Response in
            _ = try context.require(Role.variableReader)
            return .json(AirflowJSON.variable(try await store.variable(try context.parameters.decoded("variable_key"))).jsonText)
        }
        router.post("/api/v2/variables") { request, context -> Response in
            _ = try context.require(.admin)
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "VariableBody")
            // The schema checked that key and value are there, and the key's characters.
            let key = APIRequest.string(body, "key") ?? ""
            let value = try Self.value(body)
            try await store.setVariable(key, value: value, description: APIRequest.string(body, "description"), onlyIfNew: true)
            return Response(
                status: .created,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: .init(string: AirflowJSON.variable(try await store.variable(key)).jsonText))
            )
        }
        router.patch("/api/v2/variables/{variable_key}") { request, context -> Response in
            _ = try context.require(.admin)
            let key = try context.parameters.decoded("variable_key")
            let body = try await APIRequest.jsonObject(request)
            try BodySchema.check(body, as: "VariablePatchBody")
            let existing = try await store.variable(key)
            if let bodyKey = APIRequest.string(body, "key"), bodyKey != key {
                throw OrchestratorError.invalid("Invalid body key `\(bodyKey)`; it must match the path's `\(key)`")
            }
            let value = body["value"] == nil ? existing.value : try Self.value(body)
            let description = body["description"] == nil ? existing.description : APIRequest.string(body, "description")
            try await store.setVariable(key, value: value, description: description)
            return .json(AirflowJSON.variable(try await store.variable(key)).jsonText)
        }
        router.delete("/api/v2/variables/{variable_key}") { _, context -> Response in
            _ = try context.require(.admin)
            try await store.deleteVariable(try context.parameters.decoded("variable_key"))
            return Response(status: .noContent)
        }
    }

    /// A variable's value: a string as it is; other JSON as its text (Airflow stores text).
    static func value(_ body: [String: JSONValue]) throws -> String {
        switch body["value"] {
        case nil: throw FastAPIError.validation(type: "missing", location: ["body", "value"], message: "Field required", input: .object(body))
        case .string(let text)?: return try APIRequest.storable(text, field: "value")
        case let other?: return other.jsonText
        }
    }
}
