import Foundation
import Lineage

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A task's process: started in a process group of its own, so that stopping it stops everything
/// it started; stdout and stderr are read line by line as they come.
package struct ChildProcess {
    /// How long a process gets between SIGTERM and SIGKILL.
    static let gracePeriod: Duration = .seconds(5)

    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var workingDirectory: URL
    /// A file given to the process as its standard input, if any.
    var standardInput: URL?
    /// The OS user the process runs as, if not this process's own (``TaskUser``).
    var user: TaskUser?

    /// Whether process `pid` is still the one a try of this task started: its environment names
    /// the task (every task process gets `FLOWLINE_DAG_ID`, `FLOWLINE_RUN_ID`, `FLOWLINE_TASK_ID`).
    /// A process id reused by anything else does not.
    package static func belongsToTask(pid: Int, dagID: String, runID: String, taskID: String) -> Bool {
        environment(of: pid).map { taskEntries(dagID: dagID, runID: runID, taskID: taskID).isSubset(of: $0) } ?? false
    }

    /// The process groups that processes of a try of this task are in, found by their environment
    /// (``belongsToTask(pid:dagID:runID:taskID:)``): also when the try's process id was never
    /// recorded (the server died just after starting it) or its first process has exited and left
    /// children. Never this process's own group.
    package static func taskProcessGroups(dagID: String, runID: String, taskID: String) -> Set<Int32> {
        processGroups(withEnvironment: taskEntries(dagID: dagID, runID: runID, taskID: taskID))
    }

    /// The process groups of every process whose environment holds all of `entries`
    /// (`NAME=value`), other than this process's own group.
    package static func processGroups(withEnvironment entries: Set<String>) -> Set<Int32> {
        let own = getpgrp()
        var groups: Set<Int32> = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int(entry), pid > 1, let environment = environment(of: pid), entries.isSubset(of: environment),
                let stat = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
                let group = processGroup(stat: String(decoding: stat, as: UTF8.self)),
                group > 1, group != own
            else { continue }
            groups.insert(group)
        }
        return groups
    }

    private static func taskEntries(dagID: String, runID: String, taskID: String) -> Set<String> {
        ["\(Lineage.Environment.dagID)=\(dagID)", "\(Lineage.Environment.runID)=\(runID)", "\(Lineage.Environment.taskID)=\(taskID)"]
    }

    /// The environment process `pid` started with, as `NAME=value` entries; `nil` when it is gone
    /// or not readable.
    private static func environment(of pid: Int) -> Set<String>? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        return Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }

    /// The process group field of a `/proc/<pid>/stat` line (the fifth, after the command name in
    /// parentheses, which may itself hold spaces and parentheses).
    package static func processGroup(stat: String) -> Int32? {
        guard let end = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        // state, ppid, pgrp
        guard fields.count > 2 else { return nil }
        return Int32(fields[2])
    }

    /// One line of output: stdout's or stderr's, and whether it is a piece of a longer line that
    /// goes on in the next (``LineSplitter``).
    struct Line: Sendable {
        var text: String
        var isStdout: Bool
        var continues: Bool
    }

    /// How the process ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Runs the process to its end, handing each output line to `onLine`.
    /// When the calling task is cancelled (a timeout, a cancelled run, shutdown), the whole process
    /// group gets SIGTERM and, after ``gracePeriod``, SIGKILL unless the process was reaped by then
    /// (its id may then be another process group's); this returns once the process is gone.
    /// - Parameter onStart: told the process id (which is also its process group's) once started.
    func run(onStart: @Sendable (Int) async -> Void = { _ in }, onLine: @escaping @Sendable (Line) -> Void) async throws -> Termination {
        let started = try spawn()
        let stopper = ProcessStopper(pid: started)
        await onStart(Int(started.pid))
        let termination = try await withTaskCancellationHandler {
            try await Self.collect(pid: started.pid, stdout: started.stdout, stderr: started.stderr, onLine: onLine)
        } onCancel: {
            Task { await stopper.stop() }
        }
        await stopper.reaped()
        return termination
    }

    /// Spawns the process with its output on two pipes; returns its pid. The pipes' read ends are
    /// kept in ``ProcessStopper``.
    private func spawn() throws -> ProcessStopper.Started {
        var stdoutPipe: [Int32] = [0, 0]
        var stderrPipe: [Int32] = [0, 0]
        guard pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0 else { throw TaskFailure("cannot create pipes: \(String(cString: strerror(errno)))") }
        // Close-on-exec at once, so a task spawned meanwhile does not inherit this one's pipes.
        for descriptor in stdoutPipe + stderrPipe { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        defer {
            close(stdoutPipe[1])
            close(stderrPipe[1])
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let standardInput {
            posix_spawn_file_actions_addopen(&actions, 0, standardInput.path, O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        for descriptor in stdoutPipe + stderrPipe { posix_spawn_file_actions_addclose(&actions, descriptor) }
        let spawnExtensions = SpawnExtensions.shared
        if let closeFrom = spawnExtensions.closeFrom {
            _ = closeFrom(&actions, 3)
        } else {
            Self.closeInheritedDescriptorsOnExec()
        }
        var changedDirectory = false
        if let changeDirectory = spawnExtensions.changeDirectory {
            changedDirectory = workingDirectory.path.withCString { changeDirectory(&actions, $0) } == 0
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // Without posix_spawn_file_actions_addchdir_np, coreutils' `env -C` changes the directory
        // and execs the program.
        let program = user?.command(executable, arguments) ?? [executable] + arguments
        let command = changedDirectory ? program : ["env", "-C", workingDirectory.path, "--"] + program
        let argv = command.map { strdup($0) } + [nil]
        let entries = user?.launcherEnvironment(environment) ?? environment.map { "\($0.key)=\($0.value)" }
        let envp = entries.map { strdup($0) } + [nil]
        defer {
            for argument in argv { free(argument) }
            for entry in envp { free(entry) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, command[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(stdoutPipe[0])
            close(stderrPipe[0])
            throw TaskFailure("cannot start '\(executable)': \(String(cString: strerror(status)))")
        }
        return ProcessStopper.Started(pid: pid, stdout: stdoutPipe[0], stderr: stderrPipe[0])
    }

    /// glibc's spawn file actions that Swift's Glibc module does not declare (they need
    /// `_GNU_SOURCE`), looked up once at run time: `addchdir_np` (glibc 2.29) and `addclosefrom_np`
    /// (glibc 2.34).
    struct SpawnExtensions: Sendable {
        typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

        let changeDirectory: ChangeDirectory?
        let closeFrom: CloseFrom?

        static let shared = SpawnExtensions()

        private init() {
            let handle = dlopen(nil, RTLD_NOW)
            changeDirectory = dlsym(handle, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: ChangeDirectory.self) }
            closeFrom = dlsym(handle, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }
        }
    }

    /// Marks every descriptor of this process above stderr close-on-exec, so a task inherits none
    /// of them (database files, sockets, a parent's pipes that would stay open while a task runs).
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` is not visible to Swift.
    private static func closeInheritedDescriptorsOnExec() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for entry in entries {
            guard let descriptor = Int32(entry), descriptor > 2 else { continue }
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Reads both pipes until the process has exited and its output is drained, on a thread of its
    /// own (the reads block); then reaps the process.
    private static func collect(pid: pid_t, stdout: Int32, stderr: Int32, onLine: @escaping @Sendable (Line) -> Void) async throws -> Termination {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: OutputPump(stdout: stdout, stderr: stderr, pid: pid, onLine: onLine).run())
            }
            thread.name = "flowline-task-\(pid)"
            thread.start()
        }
    }
}

/// Stops a process group, once: SIGTERM, then SIGKILL after the grace period.
actor ProcessStopper {
    struct Started {
        var pid: pid_t
        var stdout: Int32
        var stderr: Int32
    }

    let pid: pid_t
    private var stopping = false
    /// The process was reaped: its id, and its group's once the group is empty, may belong to
    /// another process, which must not get a signal meant for this one.
    private var isReaped = false

    init(pid started: Started) {
        pid = started.pid
    }

    func stop() {
        guard !stopping, !isReaped else { return }
        stopping = true
        kill(-pid, SIGTERM)
        Task.detached { [self] in
            try? await Task.sleep(for: ChildProcess.gracePeriod)
            await forceStop()
        }
    }

    /// SIGKILL for the group, unless the process was reaped meanwhile (the group got SIGTERM).
    private func forceStop() {
        if !isReaped { kill(-pid, SIGKILL) }
    }

    /// The process has been reaped: no signal goes to its id from now on.
    func reaped() {
        isReaped = true
    }
}

/// The blocking loop that reads a child's output and reaps it.
private struct OutputPump {
    let stdout: Int32
    let stderr: Int32
    let pid: pid_t
    let onLine: @Sendable (ChildProcess.Line) -> Void

    func run() -> ChildProcess.Termination {
        var splitters: [Int32: LineSplitter] = [stdout: LineSplitter(), stderr: LineSplitter()]
        var open: Set<Int32> = [stdout, stderr]
        var exitStatus: Int32?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty {
            var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), exitStatus == nil ? 200 : 50)
            if ready < 0 && errno != EINTR { break }
            var readSomething = false
            for descriptor in descriptors where descriptor.revents != 0 {
                let count = read(descriptor.fd, &buffer, buffer.count)
                if count > 0 {
                    readSomething = true
                    let isStdout = descriptor.fd == stdout
                    splitters[descriptor.fd, default: LineSplitter()].feed(buffer[0..<count]) {
                        onLine(ChildProcess.Line(text: String(decoding: $0, as: UTF8.self), isStdout: isStdout, continues: $1))
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open.remove(descriptor.fd)
                }
            }
            if exitStatus == nil { exitStatus = reap(blocking: false) }
            // A process that exited but left a background child holding the pipes: stop reading
            // once nothing more comes.
            if exitStatus != nil, !readSomething, ready == 0 { break }
        }
        for descriptor in [stdout, stderr] {
            splitters[descriptor]?.finish {
                onLine(ChildProcess.Line(text: String(decoding: $0, as: UTF8.self), isStdout: descriptor == stdout, continues: $1))
            }
        }
        close(stdout)
        close(stderr)
        let status = exitStatus ?? reap(blocking: true) ?? 0
        if (status & 0x7f) == 0 { return .exited((status >> 8) & 0xff) }
        return .signalled(status & 0x7f)
    }

    private func reap(blocking: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { return status }
            if result == -1 && errno == EINTR { continue }
            return nil
        }
    }
}
