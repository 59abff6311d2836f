// swift-tools-version: 6.1
import PackageDescription

/// Settings every Flowline target shares: Swift 6 language mode is the package default;
/// these upcoming features keep imports and existentials explicit.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "flowline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flowline", targets: ["flowline"]),
        // The samples benchmark's ceilings: a bare Hummingbird server and the JSON formatting alone.
        .executable(name: "flowline-ceiling", targets: ["flowline-ceiling"]),
        // The parsers' modules, for the fuzz targets of Fuzz/Package.swift.
        .library(name: "HTTPSupport", targets: ["HTTPSupport"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "Workflow", targets: ["Workflow"]),
        .library(name: "OrchestratorAPI", targets: ["OrchestratorAPI"]),
        .library(name: "Tracking", targets: ["Tracking"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/stencilproject/Stencil.git", from: "0.15.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.2"),
    ],
    targets: [
        // MARK: Domain modules
        .target(
            name: "Samples",
            dependencies: [
                "JSON",
                "HTTPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Tracking",
            dependencies: [
                "JSON",
                "HTTPSupport",
                "ObjectStorage",
                "Storage",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ExampleProjects",
            path: "examples",
            sources: ["ExampleProjects.swift", "ExampleDAGs.swift", "ExampleModelRepository.swift"],
            resources: [.copy("dags"), .copy("line-model")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Training",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TrackingClient",
            dependencies: ["Fetching", "JSON", "ObjectStorage", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "WebUI",
            dependencies: [
                "Lineage", "JSON",
                "HTTPSupport",
                "Tracking",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                "OrchestratorAPI", "OrchestratorDatabase", "TaskExecution", "Workflow",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Serving",
            dependencies: [
                "JSON",
                "HTTPSupport",
                "Training",
                "TrackingClient",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        /// The names orchestrator, tasks, trainer and tracking agree on (environment, XCom keys, tags).
        .target(name: "Lineage", swiftSettings: strictSettings),

        // MARK: The orchestrator, in layers (docs/ARCHITECTURE.md)
        /// The vocabulary: DAGs, states and their transitions, trigger rules, retries, schedules,
        /// templates, operator declarations, runs and task instances. No I/O.
        .target(
            name: "Workflow",
            dependencies: [
                "JSON",
                "RunStorage",
                .product(name: "Stencil", package: "Stencil"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        /// What runs one try, given a ``TaskWorkload``: operators, git checkouts, child processes,
        /// task logs. No database, no scheduler: `flowline worker` runs it on other machines.
        .target(
            name: "TaskExecution",
            dependencies: [
                "Fetching",
                "JSON",
                "Lineage",
                "RunStorage",
                "TrackingClient",
                "Workflow",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        /// The orchestrator's database: DAG records, runs, task instances, XCom, variables, users.
        .target(
            name: "OrchestratorDatabase",
            dependencies: [
                "Lineage",
                "JSON",
                "Storage",
                "Workflow",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strictSettings
        ),
        /// The scheduler: loads DAGs, creates and schedules runs, hands tries to the task side.
        .target(
            name: "Scheduling",
            dependencies: [
                "Lineage",
                "JSON",
                "OrchestratorDatabase",
                "RunStorage",
                "Storage",
                "TaskExecution",
                "Workflow",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        /// Airflow's REST API over the scheduler and the store.
        .target(
            name: "OrchestratorAPI",
            dependencies: [
                "HTTPSupport",
                "JSON",
                "ObjectStorage",
                "OrchestratorDatabase",
                "RunStorage",
                "Scheduling",
                "Storage",
                "TaskExecution",
                "Workflow",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        /// `flowline worker`: pulls tries from the servers' worker API and runs them here.
        .target(
            name: "WorkerAgent",
            dependencies: [
                "JSON",
                "Lineage",
                "RunStorage",
                "TaskExecution",
                "Workflow",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        /// Where tasks' outputs are kept between tries on different machines: the ``RunStorage``
        /// protocol and its folder implementation.
        .target(
            name: "RunStorage",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        /// S3-compatible object storage: AWS Signature Version 4 (swift-crypto's HMAC-SHA256).
        .target(
            name: "ObjectStorage",
            dependencies: [
                "RunStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "XMLCoder", package: "XMLCoder"),
            ],
            swiftSettings: strictSettings
        ),
        /// The one HTTP client helper of the tracking client, the commands and the operators.
        .target(name: "Fetching", swiftSettings: strictSettings),
        /// JSON values, parsing and writing: vocabulary for every layer, with no HTTP server.
        .target(
            name: "JSON",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HTTPSupport",
            dependencies: [
                "JSON",
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "FlowlineStack",
            dependencies: [
                "ObjectStorage",
                "ExampleProjects",
                "WebUI",
                "HTTPSupport",
                "Serving",
                "TrackingClient",
                "OrchestratorAPI", "Scheduling", "OrchestratorDatabase", "TaskExecution", "Workflow", "WorkerAgent",
                "Samples",
                "Storage",
                "Tracking",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: The executable
        /// prctl, which Swift cannot call (it is variadic).
        .target(name: "ProcessControl"),
        .executableTarget(
            name: "flowline-ceiling",
            dependencies: [
                "Samples", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "benchmarks/ceiling",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "flowline",
            dependencies: [
                "ObjectStorage",
                "Fetching",
                "Lineage", "JSON",
                "FlowlineStack",
                "ProcessControl",
                "Serving",
                "TrackingClient",
                "Training",
                "OrchestratorAPI", "Scheduling", "OrchestratorDatabase", "TaskExecution", "Workflow", "WorkerAgent",
                "Samples",
                "Storage",
                "Tracking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"), "HTTPSupport",
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "ObjectStorage",
                "Storage",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SamplesTests",
            dependencies: [
                "HTTPSupport",
                "Samples",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), "JSON", .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HTTPSupportTests",
            dependencies: [
                "JSON",
                "HTTPSupport",
                "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TrackingTests",
            dependencies: [
                .product(name: "SQLKit", package: "sql-kit"),
                "Tracking",
                "HTTPSupport",
                "Storage",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage",
                "TestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FlowlineStackTests",
            dependencies: [
                "FlowlineStack",
                "OrchestratorAPI", "Samples", "Serving",
                "Storage", "TaskExecution", "Tracking",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: [
                "JSON",
                "ExampleProjects",
                "Lineage",
                "RunStorage",
                "OrchestratorAPI", "Scheduling", "OrchestratorDatabase", "TaskExecution", "Workflow", "WorkerAgent",
                "Storage",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TrackingClientTests",
            dependencies: [
                "JSON",
                "TrackingClient",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebUITests",
            dependencies: ["JSON", "WebUI", "Workflow"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ObjectStorageTests",
            dependencies: [
                "ObjectStorage",
                "RunStorage",
                "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RunStorageTests",
            dependencies: ["RunStorage", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TrainingTests",
            dependencies: ["Training"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ServingTests",
            dependencies: [
                "Serving", "TestSupport",
                .product(name: "Yams", package: "Yams"),
                "TrackingClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "flowline", "FlowlineStack", "TestSupport", "Storage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
