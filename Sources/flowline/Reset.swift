import ArgumentParser
import FlowlineStack
import Storage

/// `flowline reset`: delete all state, the original stack's "nuke from orbit".
struct Reset: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete the data directory and all state in it.",
        discussion: """
            Without --yes, lists what would be deleted and asks first. Refuses while a Flowline process \
            uses the directory, and refuses a directory Flowline did not create.
            """
    )

    @Option(Settings.dataDirectory) var dataDir: String?

    @Flag(name: [.customShort("y"), .long], help: "Delete without asking.")
    var yes = false

    func run() throws {
        let directory = DataDirectory(path: try Settings.process.value(Settings.dataDirectory, flag: dataDir))
        guard directory.exists else {
            printNow("Nothing to delete: \(directory.path) does not exist.")
            return
        }
        guard directory.isMarked else {
            throw DataDirectoryError(
                "\(directory.path) does not look like a Flowline data directory (no \(DataDirectory.markerName) file); not deleting it"
            )
        }
        if !yes {
            let entries = try directory.contents().filter { $0 != DataDirectory.markerName && $0 != DataDirectory.lockName }
            printNow("This deletes \(directory.path) and everything in it:")
            printNow(entries.isEmpty ? "  (no data yet)" : entries.map { "  \($0)" }.joined(separator: "\n"))
            print("Delete it? [y/N] ", terminator: "")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                printNow("\nNot deleted. (Pass --yes to delete without asking.)")
                throw ExitCode(1)
            }
        }
        try directory.reset()
        printNow("Deleted \(directory.path).")
    }
}
