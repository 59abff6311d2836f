import ArgumentParser
import FlowlineStack
import ProcessControl
import TaskExecution

/// The `flowline` command: one binary for the whole ML pipeline stack.
@main
struct Flowline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowline",
        abstract: "A self-hosted ML pipeline platform in one binary.",
        discussion: """
            `flowline up` starts the whole stack in one process, with all state in one data directory \
            (default \(Settings.dataDirectory.defaultValue)). Settings come from flags, then FLOWLINE_… \
            environment variables, then defaults; each command's --help shows them.
            """,
        version: FlowlineVersion.current,
        subcommands: [
            Up.self, ServerCommand.self, DagsCommand.self, TasksCommand.self, RunsCommand.self, VariablesCommand.self, UsersCommand.self,
            WorkerCommand.self, WorkersCommand.self,
            SamplesCommand.self, TrackingCommand.self, ModelsCommand.self, FitCommand.self, Reset.self,
        ]
    )

    /// Starts a task as its OS user when the server launched this binary for that (`--task-user`),
    /// else runs the command line in a process that other processes of its user cannot inspect:
    /// tasks run as that user unless `--task-user` is set, and must not read the signing key,
    /// passwords or sessions out of the server's memory or environment.
    static func main() async {
        let arguments = CommandLine.arguments
        if arguments.count > 1, arguments[1] == TaskUser.launcherCommand { TaskUser.launch(arguments) }
        _ = flowline_forbid_inspection()
        CommandLinePasswords.hide()
        // Streamed artifacts and run data pass through megabyte buffers, allocated on one event-loop
        // thread and freed on another; by default glibc keeps them resident (a 1 GB transfer left the
        // server 100–300 MB larger). Memory then stays at what the server holds.
        _ = flowline_return_freed_memory()
        await main(nil)
    }
}
