// swift-tools-version: 6.1
import Foundation
import PackageDescription

// libFuzzer targets for Flowline's parsers; run them with `scripts/fuzz.sh` (see its header).
// They use the modules Flowline's manifest (../Package.swift) vends as libraries, so they compile
// exactly the project's sources; the main package's own build and `.build` stay untouched.

/// A path dependency's identity is its folder's name, which is whatever the clone is called.
let flowline = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "flowline-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "..")
    ],
    targets: [
        // Each defines LLVMFuzzerTestOneInput and a main that runs libFuzzer on it.
        .executableTarget(name: "fuzz-dag-loader", dependencies: ["FuzzDriver", .product(name: "Workflow", package: flowline)]),
        .executableTarget(name: "fuzz-search-filter", dependencies: ["FuzzDriver", .product(name: "Tracking", package: flowline)]),
        .executableTarget(name: "fuzz-json", dependencies: ["FuzzDriver", .product(name: "JSON", package: flowline)]),
        .executableTarget(
            name: "fuzz-template",
            dependencies: ["FuzzDriver", .product(name: "Workflow", package: flowline), .product(name: "JSON", package: flowline)]
        ),
        .executableTarget(name: "fuzz-like-pattern", dependencies: ["FuzzDriver", .product(name: "OrchestratorAPI", package: flowline)]),
        /// Declares libFuzzer's LLVMFuzzerRunDriver (see include/FuzzDriver.h).
        .target(name: "FuzzDriver"),
    ]
)
