import SQLKit
import Storage

extension TrackingStore {
    /// The columns of `model_versions`, in the order versions are written and read.
    static let modelVersionColumns = [
        "name", "version", "creation_time", "last_updated_time", "description", "user_id", "current_stage", "source", "storage_location",
        "run_id", "run_link", "model_id", "status",
    ]

    // MARK: Registered models

    /// Registers a model name.
    /// - Throws: ``TrackingError`` RESOURCE_ALREADY_EXISTS when the name is taken.
    public func createRegisteredModel(name: String, description: String = "", tags: [Tag] = []) async throws -> RegisteredModel {
        try Self.validateModelName(name)
        for tag in tags { try TrackingValidation.key(tag.key, kind: "tag") }
        let time = now()
        return try await database.write { sql in
            if try await sql.select().column("name").from("registered_models").where("name", .equal, SQLBind(name)).first() != nil {
                throw TrackingError.alreadyExists("Registered Model (name=\(name)) already exists.")
            }
            try await sql.insert(into: "registered_models").columns("name", "creation_time", "last_updated_time", "description")
                .values(SQLBind(name), SQLBind(time), SQLBind(time), SQLBind(description)).run()
            try await Self.upsertNamedTags(sql, table: "registered_model_tags", owner: ["name": SQLBind(name)], tags)
            return try await Self.requireRegisteredModel(sql, name)
        }
    }

    /// The registered model named `name`.
    public func registeredModel(name: String) async throws -> RegisteredModel {
        try await database.read { sql in try await Self.requireRegisteredModel(sql, name) }
    }

    /// Renames a registered model; its versions, tags and aliases follow.
    public func renameRegisteredModel(name: String, to newName: String) async throws -> RegisteredModel {
        try Self.validateModelName(newName)
        let time = now()
        let renamed = try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            if newName != name, try await sql.select().column("name").from("registered_models").where("name", .equal, SQLBind(newName)).first() != nil
            {
                throw TrackingError.alreadyExists("Registered Model (name=\(newName)) already exists.")
            }
            try await sql.update("registered_models").set("name", to: SQLBind(newName)).set("last_updated_time", to: SQLBind(time))
                .where("name", .equal, SQLBind(name)).run()
            return try await Self.requireRegisteredModel(sql, newName)
        }
        aliasesMoved(name)
        aliasesMoved(newName)
        return renamed
    }

    /// Changes a registered model's description.
    public func updateRegisteredModel(name: String, description: String) async throws -> RegisteredModel {
        let time = now()
        return try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            try await sql.update("registered_models").set("description", to: SQLBind(description)).set("last_updated_time", to: SQLBind(time))
                .where("name", .equal, SQLBind(name)).run()
            return try await Self.requireRegisteredModel(sql, name)
        }
    }

    /// Deletes a registered model with its versions, tags and aliases.
    public func deleteRegisteredModel(name: String) async throws {
        try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            for table in ["registered_model_aliases", "model_version_tags", "model_versions", "registered_model_tags", "registered_models"] {
                try await sql.delete(from: table).where("name", .equal, SQLBind(name)).run()
            }
        }
        aliasesMoved(name)
    }

    /// Sets (or replaces) a tag of a registered model.
    public func setRegisteredModelTag(name: String, _ tag: Tag) async throws {
        try TrackingValidation.key(tag.key, kind: "tag")
        try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            try await Self.upsertNamedTags(sql, table: "registered_model_tags", owner: ["name": SQLBind(name)], [tag])
        }
    }

    /// Deletes a tag of a registered model.
    public func deleteRegisteredModelTag(name: String, key: String) async throws {
        try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            try await sql.delete(from: "registered_model_tags").where("name", .equal, SQLBind(name)).where("key", .equal, SQLBind(key)).run()
        }
    }

    /// The newest version of `name` in each of `stages` (all stages when empty).
    public func latestVersions(name: String, stages: [String]) async throws -> [ModelVersion] {
        let wanted = try Set(stages.map { stage throws(TrackingError) in try ModelStage.canonical(stage) })
        return try await database.read { sql in
            let model = try await Self.requireRegisteredModel(sql, name)
            return model.latestVersions.filter { wanted.isEmpty || wanted.contains($0.currentStage) }
        }
    }

    // MARK: Aliases

    /// Points `alias` of `name` at `version` (moving it when it pointed elsewhere).
    public func setAlias(name: String, alias: String, version: String) async throws {
        try Self.validateAlias(alias)
        let number = try Self.versionNumber(version)
        try await database.write { sql in
            _ = try await Self.requireModelVersion(sql, name, number)
            try await sql.insert(into: "registered_model_aliases").columns("name", "alias", "version")
                .values(SQLBind(name), SQLBind(alias), SQLBind(number))
                .onConflict(with: ["name", "alias"]) { $0.set(excludedValueOf: "version") }.run()
        }
        aliasesMoved(name)
    }

    /// Removes `alias` of `name`.
    public func deleteAlias(name: String, alias: String) async throws {
        try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            try await sql.delete(from: "registered_model_aliases").where("name", .equal, SQLBind(name)).where("alias", .equal, SQLBind(alias)).run()
        }
        aliasesMoved(name)
    }

    /// The version `alias` of `name` points at; `latest` (in any case) is the newest version.
    /// - Throws: ``TrackingError`` RESOURCE_DOES_NOT_EXIST (404) when there is no such registered
    ///   model, or for `latest` no version; INVALID_PARAMETER_VALUE (400) when the model has no such
    ///   alias or the alias is not a valid name, as MLflow answers.
    public func modelVersion(name: String, alias: String) async throws -> ModelVersion {
        try Self.validateAliasName(alias)
        return try await database.read { sql in
            let model = try await Self.requireRegisteredModel(sql, name)
            if alias.lowercased() == "latest" {
                guard
                    let newest = try await sql.select().column(SQLFunction("MAX", args: SQLColumn("version")), as: "newest").from("model_versions")
                        .where("name", .equal, SQLBind(name)).first()?.decode(column: "newest", as: Int64?.self)
                else {
                    throw TrackingError.notFound("Latest version not found for model \(name).")
                }
                return try await Self.requireModelVersion(sql, name, newest)
            }
            guard let version = model.aliases.first(where: { $0.alias == alias })?.version, let number = Int64(version) else {
                throw TrackingError.invalid("Registered model alias \(alias) not found.")
            }
            return try await Self.requireModelVersion(sql, name, number)
        }
    }

    // MARK: Versions

    /// Registers a new version of `name` (numbered after the last one), ready at once, in stage "None".
    ///
    /// As in MLflow, a version of a logged model (`models:/<model id>` as its source, or a
    /// `modelID`) takes the model's source run as its run when no `runID` is given, and a
    /// `models:/<model id>` source has its files where the logged model has them (the version's
    /// download URI).
    /// - Throws: ``TrackingError`` when the registered model does not exist, or the source does not
    ///   match the run or the logged model (INVALID_PARAMETER_VALUE, as MLflow words it).
    public func createModelVersion(
        name: String,
        source: String,
        runID: String?,
        tags: [Tag],
        runLink: String?,
        description: String?,
        modelID: String?
    ) async throws -> ModelVersion {
        let runID = runID.flatMap { $0.isEmpty ? nil : $0 }
        let modelID = modelID.flatMap { $0.isEmpty ? nil : $0 }
        try Self.validateSource(source, runID: runID, modelID: modelID)
        for tag in tags { try TrackingValidation.key(tag.key, kind: "tag") }
        let time = now()
        return try await database.write { sql in
            _ = try await Self.requireRegisteredModel(sql, name)
            // Replicas on one PostgreSQL database: the model's row is locked until the version is
            // in, so two servers never give out the same number (SQLite has one writer anyway).
            if sql.dialect.name != "sqlite" {
                try await sql.raw("SELECT name FROM registered_models WHERE name = \(bind: name) FOR UPDATE").run()
            }
            var runID = runID
            var storageLocation: String?
            var loggedModel: LoggedModel?
            if let modelID {
                let model: LoggedModel
                do {
                    model = try await Self.requireLoggedModel(sql, modelID)
                } catch let error as TrackingError where error.code == .resourceDoesNotExist {
                    throw Self.invalidSource(source, "model_id")
                }
                if Self.loggedModelID(inSource: source) != nil { storageLocation = model.artifactURI }
                runID = runID ?? model.sourceRunID
                loggedModel = model
            }
            let last =
                try await sql.select().column(SQLFunction("MAX", args: SQLColumn("version")), as: "last").from("model_versions")
                .where("name", .equal, SQLBind(name)).first()?.decode(column: "last", as: Int64?.self) ?? 0
            let version = last + 1
            try await sql.insert(into: "model_versions")
                .columns(Self.modelVersionColumns)
                .values(
                    SQLBind(name),
                    SQLBind(version),
                    SQLBind(time),
                    SQLBind(time),
                    SQLBind(description ?? ""),
                    SQLBind(""),
                    SQLBind("None"),
                    SQLBind(source),
                    SQLBind(storageLocation),
                    SQLBind(runID),
                    SQLBind(runLink),
                    SQLBind(modelID),
                    SQLBind("READY")
                )
                .run()
            try await sql.update("registered_models").set("last_updated_time", to: SQLBind(time)).where("name", .equal, SQLBind(name)).run()
            try await Self.upsertNamedTags(sql, table: "model_version_tags", owner: ["name": SQLBind(name), "version": SQLBind(version)], tags)
            // The logged model lists the versions made from it (not for prompts, as in MLflow).
            let isPrompt = tags.last { $0.key == "mlflow.prompt.is_prompt" }?.value.lowercased() == "true"
            if let loggedModel, !isPrompt {
                let existing = loggedModel.tags.first { $0.key == ModelVersionsTag.key }?.value
                let value = ModelVersionsTag.adding(name: name, version: version, to: existing)
                try await Self.upsert(sql, table: "logged_model_tags", modelID: loggedModel.id, [Tag(key: ModelVersionsTag.key, value: value)])
            }
            return try await Self.requireModelVersion(sql, name, version)
        }
    }

    /// Version `version` of `name`.
    public func modelVersion(name: String, version: String) async throws -> ModelVersion {
        let number = try Self.versionNumber(version)
        return try await database.read { sql in try await Self.requireModelVersion(sql, name, number) }
    }

    /// Changes a version's description.
    public func updateModelVersion(name: String, version: String, description: String) async throws -> ModelVersion {
        let number = try Self.versionNumber(version)
        let time = now()
        return try await database.write { sql in
            _ = try await Self.requireModelVersion(sql, name, number)
            try await sql.update("model_versions").set("description", to: SQLBind(description)).set("last_updated_time", to: SQLBind(time))
                .where("name", .equal, SQLBind(name)).where("version", .equal, SQLBind(number)).run()
            return try await Self.requireModelVersion(sql, name, number)
        }
    }

    /// Deletes a version, its tags and the aliases that pointed at it.
    public func deleteModelVersion(name: String, version: String) async throws {
        let number = try Self.versionNumber(version)
        try await database.write { sql in
            _ = try await Self.requireModelVersion(sql, name, number)
            for table in ["registered_model_aliases", "model_version_tags", "model_versions"] {
                try await sql.delete(from: table).where("name", .equal, SQLBind(name)).where("version", .equal, SQLBind(number)).run()
            }
        }
        aliasesMoved(name)
    }

    /// Moves a version to `stage`; with `archiveExisting`, the other versions in that stage move to Archived.
    public func transitionStage(name: String, version: String, stage: String, archiveExisting: Bool) async throws -> ModelVersion {
        let number = try Self.versionNumber(version)
        let stage = try ModelStage.canonical(stage)
        let time = now()
        return try await database.write { sql in
            _ = try await Self.requireModelVersion(sql, name, number)
            if archiveExisting, ["Staging", "Production"].contains(stage) {
                try await sql.update("model_versions").set("current_stage", to: SQLBind("Archived")).set("last_updated_time", to: SQLBind(time))
                    .where("name", .equal, SQLBind(name)).where("current_stage", .equal, SQLBind(stage)).where("version", .notEqual, SQLBind(number))
                    .run()
            }
            try await sql.update("model_versions").set("current_stage", to: SQLBind(stage)).set("last_updated_time", to: SQLBind(time))
                .where("name", .equal, SQLBind(name)).where("version", .equal, SQLBind(number)).run()
            return try await Self.requireModelVersion(sql, name, number)
        }
    }

    /// Sets (or replaces) a tag of a version.
    public func setModelVersionTag(name: String, version: String, _ tag: Tag) async throws {
        try TrackingValidation.key(tag.key, kind: "tag")
        let number = try Self.versionNumber(version)
        try await database.write { sql in
            _ = try await Self.requireModelVersion(sql, name, number)
            try await Self.upsertNamedTags(sql, table: "model_version_tags", owner: ["name": SQLBind(name), "version": SQLBind(number)], [tag])
        }
    }

    /// Deletes a tag of a version.
    public func deleteModelVersionTag(name: String, version: String, key: String) async throws {
        let number = try Self.versionNumber(version)
        try await database.write { sql in
            _ = try await Self.requireModelVersion(sql, name, number)
            try await sql.delete(from: "model_version_tags").where("name", .equal, SQLBind(name)).where("version", .equal, SQLBind(number))
                .where("key", .equal, SQLBind(key)).run()
        }
    }

    // MARK: Rules and loading

    static func validateModelName(_ name: String) throws(TrackingError) {
        guard !name.isEmpty else { throw .invalid("Registered model name cannot be empty.") }
        guard name.count <= 256 else { throw .invalid("Registered model name '\(name.prefix(32))…' is longer than 256 characters.") }
        try TrackingValidation.printable(name, what: "Registered model name")
    }

    /// MLflow's rules for an alias name, read or set: not empty, word characters and dashes only,
    /// at most 255 characters; in MLflow's words.
    static func validateAliasName(_ alias: String) throws(TrackingError) {
        guard !alias.isEmpty else { throw .invalid("Registered model alias name cannot be empty.") }
        guard alias.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "_" || $0 == "-" }) else {
            throw .invalid("Invalid alias name: '\(alias)'. Names may only contain alphanumerics, underscores (_), and dashes (-).")
        }
        guard alias.unicodeScalars.count <= 255 else {
            throw .invalid("'Registered model alias name' exceeds the maximum length of 255 characters")
        }
    }

    /// The rules for an alias that is set: a valid name (``validateAliasName(_:)``) that is not
    /// reserved: `latest` in any case, `v` or `V` and digits (which name versions).
    static func validateAlias(_ alias: String) throws(TrackingError) {
        try validateAliasName(alias)
        if alias.lowercased() == "latest" {
            throw .invalid("'latest' alias name (case insensitive) is reserved.")
        }
        let scalars = alias.unicodeScalars
        if let first = scalars.first, first == "v" || first == "V", scalars.count > 1,
            scalars.dropFirst().allSatisfy({ $0.properties.numericType == .decimal })
        {
            throw .invalid("Version alias name '\(alias)' is reserved.")
        }
    }

    static func versionNumber(_ version: String) throws(TrackingError) -> Int64 {
        guard let number = Int64(version), number > 0 else {
            throw .invalid("Parameter 'version' must be an integer, got '\(version)'.")
        }
        return number
    }

    /// MLflow's source checks (the logged model's existence is checked in the transaction): with a
    /// `model_id`, a `models:/<model id>` source must name that model and a `runs:/` source is
    /// refused; without one, a `runs:/<id>/…` source needs `run_id` = `<id>` and a
    /// `models:/<model id>` source is refused. No source may climb out with `..`.
    static func validateSource(_ source: String, runID: String?, modelID: String?) throws(TrackingError) {
        guard !source.isEmpty else { throw TrackingError.missingParameter("source") }
        if source.split(separator: "/").contains("..") {
            throw .invalid("Invalid model version source: '\(source)'. It must not contain '..' segments.")
        }
        let sourceModelID = loggedModelID(inSource: source)
        if let modelID {
            if source.hasPrefix("runs:") || sourceModelID.map({ $0 != modelID }) ?? false {
                throw invalidSource(source, "model_id")
            }
            return
        }
        if source.hasPrefix("runs:/") {
            let id = source.dropFirst("runs:/".count).split(separator: "/").first.map(String.init)
            guard let id, id == runID else { throw invalidSource(source, "run_id") }
        }
        if sourceModelID != nil { throw invalidSource(source, "model_id") }
    }

    /// The logged model a `models:/<model id>` source names; `nil` for other sources, among them
    /// registered versions (`models:/<name>/<version>`) and aliases (`models:/<name>@<alias>`).
    static func loggedModelID(inSource source: String) -> String? {
        guard source.hasPrefix("models:/"), !source.hasPrefix("models://") else { return nil }
        let path = source.dropFirst("models:/".count)
        guard !path.isEmpty, !path.contains("/"), !path.contains("@") else { return nil }
        return String(path)
    }

    /// MLflow's refusal of a source that `field` (`run_id` or `model_id`) does not account for.
    static func invalidSource(_ source: String, _ field: String) -> TrackingError {
        .invalid("Invalid model version source: '\(source)'. The \(field) request parameter must identify the resource that contains the source.")
    }

    static func requireRegisteredModel(_ sql: any SQLDatabase, _ name: String) async throws -> RegisteredModel {
        guard let model = try await loadRegisteredModels(sql, names: [name]).first else {
            throw TrackingError.notFound("Registered Model with name=\(name) not found")
        }
        return model
    }

    static func loadRegisteredModels(_ sql: any SQLDatabase, names: [String]) async throws -> [RegisteredModel] {
        guard !names.isEmpty else { return [] }
        var models: [String: RegisteredModel] = [:]
        for row in try await sql.select().columns("name", "creation_time", "last_updated_time", "description").from("registered_models")
            .where("name", .in, SQLBind.group(names)).all()
        {
            let name = try row.string("name")
            models[name] = RegisteredModel(
                name: name,
                creationTime: try row.int64("creation_time"),
                lastUpdatedTime: try row.int64("last_updated_time"),
                description: try row.string("description"),
                latestVersions: [],
                tags: [],
                aliases: []
            )
        }
        for row in try await sql.select().columns("name", "key", "value").from("registered_model_tags").where("name", .in, SQLBind.group(names))
            .orderBy("key").all()
        {
            models[try row.string("name")]?.tags.append(Tag(key: try row.string("key"), value: try row.string("value")))
        }
        for row in try await sql.select().columns("name", "alias", "version").from("registered_model_aliases").where(
            "name",
            .in,
            SQLBind.group(names)
        ).orderBy("alias").all() {
            models[try row.string("name")]?.aliases.append((try row.string("alias"), String(try row.int64("version"))))
        }
        for name in models.keys {
            let versions = try await loadModelVersions(
                sql,
                where: SQLBinaryExpression(SQLColumn("name"), .equal, SQLBind(name)),
                order: [],
                includeAliases: false
            )
            var latest: [String: ModelVersion] = [:]
            for version in versions where (latest[version.currentStage].map { Int($0.version) ?? 0 < Int(version.version) ?? 0 } ?? true) {
                latest[version.currentStage] = version
            }
            models[name]?.latestVersions = ModelStage.all.compactMap { latest[$0] }
        }
        return names.compactMap { models[$0] }
    }

    static func requireModelVersion(_ sql: any SQLDatabase, _ name: String, _ version: Int64) async throws -> ModelVersion {
        let condition = SQLList(
            [
                SQLBinaryExpression(SQLColumn("name"), .equal, SQLBind(name)), SQLBinaryExpression(SQLColumn("version"), .equal, SQLBind(version)),
            ],
            separator: SQLRaw(" AND ")
        )
        guard let found = try await loadModelVersions(sql, where: condition, order: [], includeAliases: true).first else {
            throw TrackingError.notFound("Model Version (name=\(name), version=\(version)) not found")
        }
        return found
    }

    static func loadModelVersions(
        _ sql: any SQLDatabase,
        where condition: any SQLExpression,
        order: [any SQLExpression],
        limit: Int? = nil,
        offset: Int? = nil,
        includeAliases: Bool
    ) async throws -> [ModelVersion] {
        var query = sql.select()
            .columns(Self.modelVersionColumns)
            .from("model_versions").where(condition)
        for expression in order { query = query.orderBy(expression) }
        if order.isEmpty { query = query.orderBy("name").orderBy("version", .descending) }
        if let limit { query = query.limit(limit) }
        if let offset { query = query.offset(offset) }
        var versions = try await query.all().map { row in
            ModelVersion(
                name: try row.string("name"),
                version: String(try row.int64("version")),
                creationTime: try row.int64("creation_time"),
                lastUpdatedTime: try row.int64("last_updated_time"),
                userID: try row.string("user_id"),
                currentStage: try row.string("current_stage"),
                description: try row.string("description"),
                source: try row.string("source"),
                storageLocation: try row.decode(column: "storage_location", as: String?.self),
                runID: try row.decode(column: "run_id", as: String?.self),
                runLink: try row.decode(column: "run_link", as: String?.self),
                modelID: try row.decode(column: "model_id", as: String?.self),
                status: try row.string("status"),
                tags: [],
                aliases: []
            )
        }
        guard !versions.isEmpty else { return [] }
        let names = Array(Set(versions.map(\.name)))
        var tags: [String: [Tag]] = [:]
        for row in try await sql.select().columns("name", "version", "key", "value").from("model_version_tags").where(
            "name",
            .in,
            SQLBind.group(names)
        ).orderBy("key").all() {
            tags["\(try row.string("name"))\u{0}\(try row.int64("version"))", default: []].append(
                Tag(key: try row.string("key"), value: try row.string("value"))
            )
        }
        var aliases: [String: [String]] = [:]
        if includeAliases {
            for row in try await sql.select().columns("name", "version", "alias").from("registered_model_aliases").where(
                "name",
                .in,
                SQLBind.group(names)
            ).orderBy("alias").all() {
                aliases["\(try row.string("name"))\u{0}\(try row.int64("version"))", default: []].append(try row.string("alias"))
            }
        }
        for index in versions.indices {
            let key = "\(versions[index].name)\u{0}\(versions[index].version)"
            versions[index].tags = tags[key] ?? []
            versions[index].aliases = aliases[key] ?? []
        }
        return versions
    }

    static func upsertNamedTags(_ sql: any SQLDatabase, table: String, owner: KeyValuePairs<String, SQLBind>, _ tags: [Tag]) async throws {
        guard !tags.isEmpty else { return }
        var latest: [String: String] = [:]
        for tag in tags { latest[tag.key] = tag.value }
        let ownerColumns = owner.map(\.key)
        var insert = sql.insert(into: table).columns(ownerColumns + ["key", "value"])
        for (key, value) in latest.sorted(by: { $0.key < $1.key }) {
            insert = insert.values(owner.map(\.value) + [SQLBind(key), SQLBind(value)])
        }
        try await insert.onConflict(with: ownerColumns + ["key"]) { $0.set(excludedValueOf: "value") }.run()
    }
}
