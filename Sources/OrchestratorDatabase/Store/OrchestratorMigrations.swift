import SQLKit
public import Storage

/// The orchestrator's schema, as append-only migrations. Times are microseconds since the epoch
/// (BIGINT), the same on SQLite and PostgreSQL.
public enum OrchestratorMigrations {
    public static let all: [Migration] = [core, users, sessions, credentials, runParams, workers, schedulerLease, signingKey]

    /// Workers on other hosts: who they are and their tokens (stored as SHA-256 hashes), and on
    /// each task instance the queue it waits in, the worker holding its try and the try's lease.
    static let workers = Migration(
        "orchestrator-006-workers",
        statements: [
            "ALTER TABLE task_instances ADD COLUMN queue TEXT NOT NULL DEFAULT 'default'",
            "ALTER TABLE task_instances ADD COLUMN worker TEXT",
            "ALTER TABLE task_instances ADD COLUMN lease TEXT",
            "CREATE INDEX task_instances_claimable ON task_instances (queue, queued_at) WHERE state = 'queued' AND worker IS NULL",
            "CREATE INDEX task_instances_by_worker ON task_instances (worker) WHERE state = 'running'",
            """
            CREATE TABLE workers (
                name TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                hostname TEXT NOT NULL,
                queues TEXT NOT NULL,
                concurrency BIGINT NOT NULL,
                state TEXT NOT NULL,
                maintenance BOOLEAN NOT NULL,
                maintenance_comment TEXT,
                version TEXT NOT NULL,
                token_name TEXT,
                registered_at BIGINT NOT NULL,
                last_heartbeat BIGINT NOT NULL,
                succeeded BIGINT NOT NULL,
                failed BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE worker_tokens (
                name TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                created_by TEXT,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
        ]
    )

    /// Named leases with an expiry (`scheduler`: which server schedules), see
    /// `OrchestratorStore+Leases.swift`.
    /// The key that signs login and task tokens, shared by every server on the database (a token
    /// one server issued is good on the others, and on the tracking server) and kept across
    /// restarts; whoever can read the database can read it, as they can the users' hashes.
    static let signingKey = Migration(
        "orchestrator-008-signing-key",
        statements: [
            """
            CREATE TABLE signing_keys (
                name TEXT PRIMARY KEY,
                secret TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """
        ]
    )

    static let schedulerLease = Migration(
        "orchestrator-007-scheduler-lease",
        statements: [
            """
            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """
        ]
    )

    /// A run's effective params (defaults applied), stored when it is created.
    static let runParams = Migration(
        "orchestrator-005-run-params",
        statements: [
            "ALTER TABLE dag_runs ADD COLUMN params TEXT"
        ]
    )

    /// Passwords that change end older tokens (`credentials_version`); session ids are kept only
    /// as SHA-256 hashes, so the database never holds a usable session cookie.
    static let credentials = Migration("orchestrator-004-credentials-version-hashed-sessions") { database in
        try await database.raw("ALTER TABLE users ADD COLUMN credentials_version BIGINT NOT NULL DEFAULT 0").run()
        for row in try await database.select().column("id").from("ui_sessions").all() {
            let id = try row.decode(column: "id", as: String.self)
            try await database.update("ui_sessions").set("id", to: SQLBind(OrchestratorStore.sessionKey(id))).where("id", .equal, SQLBind(id)).run()
        }
    }

    /// Web UI login sessions: kept in the database, so they survive a restart.
    static let sessions = Migration(
        "orchestrator-003-ui-sessions",
        statements: [
            """
            CREATE TABLE ui_sessions (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                csrf_token TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """
        ]
    )

    static let users = Migration(
        "orchestrator-002-users",
        statements: [
            """
            CREATE TABLE users (
                username TEXT PRIMARY KEY,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """
        ]
    )

    static let core = Migration("orchestrator-001-dags-runs-tasks") { database in
        let sqlite = database.dialect.name == "sqlite"
        let identity = sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        let statements = [
            """
            CREATE TABLE dags (
                dag_id TEXT PRIMARY KEY,
                fileloc TEXT NOT NULL,
                description TEXT,
                schedule TEXT,
                is_paused BOOLEAN NOT NULL,
                is_active BOOLEAN NOT NULL,
                tags TEXT NOT NULL,
                owners TEXT NOT NULL,
                max_active_runs BIGINT NOT NULL,
                max_active_tasks BIGINT NOT NULL,
                has_import_errors BOOLEAN NOT NULL,
                last_parsed_time BIGINT NOT NULL,
                next_dagrun BIGINT,
                next_dagrun_data_interval_start BIGINT,
                next_dagrun_data_interval_end BIGINT,
                source TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE dag_runs (
                id \(identity),
                dag_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                run_type TEXT NOT NULL,
                state TEXT NOT NULL,
                logical_date BIGINT,
                data_interval_start BIGINT,
                data_interval_end BIGINT,
                run_after BIGINT NOT NULL,
                queued_at BIGINT,
                start_date BIGINT,
                end_date BIGINT,
                conf TEXT NOT NULL,
                triggered_by TEXT NOT NULL,
                triggering_user TEXT,
                note TEXT,
                updated_at BIGINT NOT NULL,
                UNIQUE (dag_id, run_id)
            )
            """,
            "CREATE INDEX dag_runs_by_state ON dag_runs (state, dag_id)",
            "CREATE INDEX dag_runs_by_dag ON dag_runs (dag_id, run_after)",
            """
            CREATE TABLE task_instances (
                id \(identity),
                dag_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                task_id TEXT NOT NULL,
                state TEXT,
                try_number BIGINT NOT NULL,
                max_tries BIGINT NOT NULL,
                operator TEXT NOT NULL,
                start_date BIGINT,
                end_date BIGINT,
                scheduled_at BIGINT,
                queued_at BIGINT,
                next_retry_at BIGINT,
                hostname TEXT NOT NULL,
                pid BIGINT,
                message TEXT,
                note TEXT,
                updated_at BIGINT NOT NULL,
                UNIQUE (dag_id, run_id, task_id)
            )
            """,
            "CREATE INDEX task_instances_by_state ON task_instances (state)",
            """
            CREATE TABLE task_instance_history (
                dag_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                task_id TEXT NOT NULL,
                try_number BIGINT NOT NULL,
                state TEXT NOT NULL,
                operator TEXT NOT NULL,
                start_date BIGINT,
                end_date BIGINT,
                hostname TEXT NOT NULL,
                pid BIGINT,
                message TEXT,
                PRIMARY KEY (dag_id, run_id, task_id, try_number)
            )
            """,
            """
            CREATE TABLE xcom (
                dag_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                task_id TEXT NOT NULL,
                key TEXT NOT NULL,
                value TEXT NOT NULL,
                timestamp BIGINT NOT NULL,
                PRIMARY KEY (dag_id, run_id, task_id, key)
            )
            """,
            """
            CREATE TABLE variables (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,
                description TEXT,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE import_errors (
                id \(identity),
                filename TEXT NOT NULL UNIQUE,
                timestamp BIGINT NOT NULL,
                stack_trace TEXT NOT NULL
            )
            """,
        ]
        for statement in statements {
            try await database.raw(SQLQueryString(statement)).run()
        }
    }
}
