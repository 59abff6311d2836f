import Foundation
import HTTPSupport
import Hummingbird
import OrchestratorAPI
import OrchestratorDatabase
import Workflow

extension OrchestratorUI {
    func addAdminRoutes(to router: RouterGroup<OrchestratorRequestContext>) {
        let ui = self
        router.get("/workers") { _, context in try await ui.workersPage(context) }
        router.post("/workers/{worker_name}/maintenance") { request, context in try await ui.setMaintenance(request, context) }
        router.get("/variables") { _, context in
            _ = try context.require(.admin)
            return try await ui.variablesPage(context)
        }
        router.post("/variables") { request, context in
            _ = try context.require(.admin)
            let form = try await FormData.read(request)
            let key = (form["key"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.count <= 250 else {
                return try await ui.variablesPage(context, error: "A variable needs a key of 1 to 250 characters.", form: form, status: .badRequest)
            }
            let description = form["description"].flatMap { $0.isEmpty ? nil : $0 }
            try await ui.store.setVariable(key, value: form["value"] ?? "", description: description)
            return HTML.redirect("/variables")
        }
        router.post("/variables/delete") { request, context in
            _ = try context.require(.admin)
            try await ui.store.deleteVariable(try await FormData.read(request)["key"] ?? "")
            return HTML.redirect("/variables")
        }
        router.get("/users") { _, context in
            _ = try context.require(.admin)
            return try await ui.usersPage(context)
        }
        router.post("/users") { request, context in
            _ = try context.require(.admin)
            let form = try await FormData.read(request)
            guard let role = form["role"].flatMap(Role.init(name:)) else {
                return try await ui.usersPage(context, error: "role must be admin, op or viewer", status: .badRequest)
            }
            do {
                _ = try await ui.store.createUser(form["username"] ?? "", password: form["password"] ?? "", role: role)
            } catch let error as OrchestratorError {
                return try await ui.usersPage(context, error: error.message, username: form["username"] ?? "", status: error.status)
            }
            return HTML.redirect("/users")
        }
        router.post("/users/password") { request, context in
            _ = try context.require(.admin)
            let form = try await FormData.read(request)
            do {
                try await ui.store.setPassword(form["username"] ?? "", password: form["password"] ?? "")
            } catch let error as OrchestratorError {
                return try await ui.usersPage(context, error: error.message, status: error.status)
            }
            return HTML.redirect("/users")
        }
        router.post("/users/delete") { request, context in
            _ = try context.require(.admin)
            do {
                try await ui.store.deleteUser(try await FormData.read(request)["username"] ?? "")
            } catch let error as OrchestratorError {
                return try await ui.usersPage(context, error: error.message, status: error.status)
            }
            return HTML.redirect("/users")
        }
    }

    func workersPage(_ context: OrchestratorRequestContext, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let now = Date()
        let timeout = orchestration.workerTimeout
        let canEdit = (context.identity?.role ?? .viewer) >= .op
        var values = await base(context)
        values["workers"] = try await store.workers().map { worker -> [String: Any] in
            let state = worker.state(now: now, timeout: timeout)
            return [
                "name": worker.name, "path": HTML.segment(worker.name), "kind": worker.kind.rawValue, "hostname": worker.hostname,
                "queues": worker.queues.joined(separator: ", "), "state": state.rawValue,
                "problem": state == .offline || state == .stopped, "maintenance": worker.maintenance,
                "maintenance_comment": worker.maintenanceComment ?? "", "used": worker.runningTries.count,
                "concurrency": worker.concurrency, "running_tries": worker.runningTries, "succeeded": worker.succeeded,
                "failed": worker.failed, "heartbeat": Self.date(worker.lastHeartbeat), "version": worker.version,
                "can_edit": canEdit, "comment_limit": WorkerRecord.maximumMaintenanceComment,
            ]
        }
        values["active"] = try await store.unfinishedTries().map { instance -> [String: Any] in
            [
                "dag_id": instance.dagID, "dag_path": HTML.segment(instance.dagID), "run_id": instance.runID,
                "run_path": HTML.segment(instance.runID),
                "task_id": instance.taskID, "task_path": HTML.segment(instance.taskID), "state": instance.state?.rawValue ?? "none",
                "try_number": instance.tryNumber, "since": (instance.startDate ?? instance.queuedAt).map(Self.date) ?? "",
                "worker": instance.worker ?? "", "pid": instance.pid.map(String.init) ?? "",
            ]
        }
        if let error { values["error"] = error }
        return render("workers", values, status: status)
    }

    /// `POST /workers/{name}/maintenance` (ops and admins): `maintenance=true` with an optional
    /// `comment` puts the worker in maintenance (it finishes its tries and takes no new ones),
    /// `maintenance=false` lifts it.
    func setMaintenance(_ request: Request, _ context: OrchestratorRequestContext) async throws -> Response {
        _ = try context.require(.op)
        let name = try context.parameters.decoded("worker_name")
        let form = try await FormData.read(request)
        let on = form["maintenance"] == "true"
        let comment = (form["comment"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard comment.count <= WorkerRecord.maximumMaintenanceComment, !comment.utf8.contains(0) else {
            return try await workersPage(
                context,
                error: "A maintenance comment is at most \(WorkerRecord.maximumMaintenanceComment) characters of text.",
                status: .badRequest
            )
        }
        do {
            try await store.setMaintenance(worker: name, on, comment: comment.isEmpty ? nil : comment)
        } catch let error as OrchestratorError {
            return try await workersPage(context, error: error.message, status: error.status)
        }
        return HTML.redirect("/workers")
    }

    func variablesPage(
        _ context: OrchestratorRequestContext,
        error: String? = nil,
        form: FormData? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var values = await base(context)
        values["variables"] = try await store.variables().map {
            ["key": $0.key, "value": String($0.value.prefix(500)), "description": $0.description ?? ""]
        }
        if let error { values["error"] = error }
        values["form_key"] = form?["key"] ?? ""
        values["form_value"] = form?["value"] ?? ""
        values["form_description"] = form?["description"] ?? ""
        return render("variables", values, status: status)
    }

    func usersPage(
        _ context: OrchestratorRequestContext,
        error: String? = nil,
        username: String = "",
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var values = await base(context)
        values["users"] = try await store.users().map { ["username": $0.username, "role": $0.role.rawValue] }
        if let error { values["error"] = error }
        values["form_username"] = username
        return render("users", values, status: status)
    }
}
