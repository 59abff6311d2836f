// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Flowline's parsers; run them with `scripts/fuzz.sh` (see its header).
//
// A package can use only another package's *products*, and Flowline's manifest vends just the
// `flowline` executable, so `.package(path: "..")` cannot reach `Orchestrator`, `Tracking` or
// `HTTPSupport`. Instead `Sources/<Module>` here are symbolic links to `../../Sources/<Module>`,
// declared below with the same dependencies and settings as in ../Package.swift: the fuzz targets
// compile exactly the project's sources, and only the modules they need (the main manifest, its
// build and its `.build` stay untouched). Keep the dependency lists below in step with
// ../Package.swift when a module's imports change.

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "flowline-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
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
    ],
    targets: [
        // MARK: Fuzz targets: each defines LLVMFuzzerTestOneInput and a main that runs libFuzzer on it
        .executableTarget(name: "fuzz-dag-loader", dependencies: ["FuzzDriver", "Orchestrator"]),
        .executableTarget(name: "fuzz-search-filter", dependencies: ["FuzzDriver", "Tracking"]),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzDriver", "HTTPSupport"]),
        .executableTarget(name: "fuzz-template", dependencies: ["FuzzDriver", "Orchestrator", "HTTPSupport"]),
        .executableTarget(name: "fuzz-like-pattern", dependencies: ["FuzzDriver", "Orchestrator"]),
        /// Declares libFuzzer's LLVMFuzzerRunDriver (see include/FuzzDriver.h).
        .target(name: "FuzzDriver"),

        // MARK: Flowline's modules (symbolic links to ../Sources), as declared in ../Package.swift
        .target(
            name: "HTTPSupport",
            dependencies: [
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
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TrackingClient",
            dependencies: ["HTTPSupport"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Tracking",
            dependencies: [
                "HTTPSupport",
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
            name: "Orchestrator",
            dependencies: [
                "HTTPSupport",
                "Storage",
                "TrackingClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Stencil", package: "Stencil"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
