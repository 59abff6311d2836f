public import Foundation

/// Runs `executable arguments…` to completion without holding a thread of Swift's concurrency pool:
/// the output goes to a file (a pipe could be inherited by a process another test starts at the
/// same moment, and reading it to its end would then wait for that process), and the end is awaited
/// through `terminationHandler`, never `waitUntilExit`.
/// - Parameters:
///   - environment: the whole environment of the program (this process's when `nil`).
///   - errorsToo: whether standard error goes into the output as well (else it is dropped).
/// - Returns: the exit status and what the program wrote.
public func runProgram(
    _ executable: String,
    _ arguments: [String],
    environment: [String: String]? = nil,
    in directory: URL? = nil,
    errorsToo: Bool = false
) async throws -> (status: Int32, output: String) {
    let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("flowline-program-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: outputFile.path, contents: nil) else { throw TestFailure("cannot create \(outputFile.path)") }
    defer { try? FileManager.default.removeItem(at: outputFile) }
    let output = try FileHandle(forWritingTo: outputFile)
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    if let directory { process.currentDirectoryURL = directory }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = output
    process.standardError = errorsToo ? output : FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { ended in continuation.resume(returning: ended.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    return (status, String(decoding: try Data(contentsOf: outputFile), as: UTF8.self))
}
