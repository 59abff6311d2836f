import Foundation

#if canImport(Glibc)
import Glibc
public import Workflow
#endif

/// The OS user task processes run as (`--task-user`, Airflow's `default_impersonation`), so that
/// what a task runs cannot read the server's files: its databases, data directory and secrets.
///
/// The server must run as root to start processes as another user. Each task process is started
/// through the `flowline` binary itself (``launcherCommand``), which drops to the user's ids and
/// groups and then executes the task's program, so the server never forks a multi-threaded process.
public struct TaskUser: Sendable, Equatable {
    public var name: String
    public var uid: UInt32
    public var gid: UInt32
    /// The user's supplementary groups (the primary group included).
    public var groups: [UInt32]
    public var home: String
    /// The `flowline` binary that starts processes as this user.
    public var launcher: String

    /// The hidden first argument that makes `flowline` a launcher: `flowline __exec-as UID GID
    /// GROUPS -- PROGRAM ARGS…`.
    public static let launcherCommand = "__exec-as"

    /// Looks `name` up in the user database.
    /// - Throws: ``OrchestratorError`` when there is no such user, or when this process cannot
    ///   switch to it (it is not root).
    public static func resolve(_ name: String, launcher: String) throws(OrchestratorError) -> TaskUser {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else {
            throw .invalid("--task-user: there is no user '\(name)' on this machine; create one (useradd --system \(name)) or name another")
        }
        guard geteuid() == 0 else {
            throw .invalid("--task-user needs flowline to run as root, so that it can start tasks as '\(name)'")
        }
        guard entry.pw_uid != 0 else { throw .invalid("--task-user '\(name)' is root; name an unprivileged user") }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, entry.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, entry.pw_gid, &groups, &count)
        }
        return TaskUser(
            name: name,
            uid: entry.pw_uid,
            gid: entry.pw_gid,
            groups: Array(groups.prefix(Int(max(count, 0)))),
            home: String(cString: entry.pw_dir),
            launcher: launcher
        )
    }

    /// The command line that runs `executable arguments…` as this user.
    func command(_ executable: String, _ arguments: [String]) -> [String] {
        [launcher, Self.launcherCommand, String(uid), String(gid), groups.map(String.init).joined(separator: ","), "--", executable] + arguments
    }

    /// The prefix under which a task's environment passes through the launcher. The processes
    /// that run as root before it drops privileges (`env -C`, the launcher) must not act on the
    /// task's variables (`LD_PRELOAD`, `GLIBC_TUNABLES`, …), so they see none of them by name; the
    /// launcher gives them back their names once it runs as the user.
    static let environmentPrefix = "FLOWLINE_TASK_ENVIRONMENT_"

    /// `environment` as the launcher takes it (`NAME=value` entries).
    func launcherEnvironment(_ environment: [String: String]) -> [String] {
        environment.map { "\(Self.environmentPrefix)\($0.key)=\($0.value)" }
    }

    /// The variables that name the user, for its processes' environment.
    package var environment: [String: String] {
        ["HOME": home, "USER": name, "LOGNAME": name]
    }

    /// Gives `url` (and, `recursively`, everything in it) to this user, so its tasks can use what
    /// the server made for them (a workspace, a checkout, a downloaded file). Symbolic links are
    /// given themselves and never followed, at any depth, even if a task swaps a folder for a link
    /// meanwhile: folders are opened relative to their parent with `O_NOFOLLOW`.
    func handOver(_ url: URL, recursively: Bool = true) throws {
        guard lchown(url.path, uid, gid) == 0 else { throw failure(url.path) }
        guard recursively else { return }
        let folder = OpenFolder.open(url.path)
        guard folder >= 0 else {
            if errno == ENOTDIR || errno == ELOOP { return }  // a file or a link: done
            throw failure(url.path)
        }
        try handOverContents(of: folder, path: url.path)
    }

    /// Gives everything in the open folder `descriptor` (closed when done) to this user.
    private func handOverContents(of descriptor: Int32, path: String) throws {
        let read = try OpenFolder.visit(descriptor) { folder, names in
            for name in names {
                guard fchownat(folder, name, uid, gid, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure(path + "/" + name) }
                let child = OpenFolder.open(name, in: folder)
                if child >= 0 { try handOverContents(of: child, path: path + "/" + name) }
            }
        }
        if !read { throw failure(path) }
    }

    private func failure(_ path: String) -> TaskFailure {
        TaskFailure("cannot give \(path) to the task user \(name): \(String(cString: strerror(errno)))")
    }

    /// The launcher itself: `arguments` are this process's, starting with the binary and
    /// ``launcherCommand``. Drops to the user's groups and ids, checks that root cannot be regained,
    /// and executes the program; never returns (exits 126 when it cannot).
    public static func launch(_ arguments: [String]) -> Never {
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("flowline: cannot start the task as its user: \(message)\n".utf8))
            exit(126)
        }
        guard arguments.count >= 7, arguments[1] == launcherCommand, arguments[5] == "--",
            let uid = UInt32(arguments[2]), let gid = UInt32(arguments[3]), uid != 0
        else { fail("usage: flowline \(launcherCommand) UID GID GROUPS -- PROGRAM [ARGUMENTS…]") }
        let groups = arguments[4].split(separator: ",").compactMap { gid_t($0) }
        guard setgroups(groups.count, groups) == 0 else { fail("setgroups: \(String(cString: strerror(errno)))") }
        guard setgid(gid) == 0 else { fail("setgid \(gid): \(String(cString: strerror(errno)))") }
        guard setuid(uid) == 0 else { fail("setuid \(uid): \(String(cString: strerror(errno)))") }
        guard getuid() == uid, geteuid() == uid, setuid(0) != 0 else { fail("the process could still become root") }
        let task = ProcessInfo.processInfo.environment.compactMap { name, value in
            name.hasPrefix(environmentPrefix) ? (String(name.dropFirst(environmentPrefix.count)), value) : nil
        }
        guard clearenv() == 0 else { fail("clearenv: \(String(cString: strerror(errno)))") }
        for (name, value) in task where setenv(name, value, 1) != 0 { fail("cannot set \(name): \(String(cString: strerror(errno)))") }
        let program = Array(arguments[6...])
        let argv = program.map { strdup($0) } + [nil]
        execvp(program[0], argv)
        let failure = errno
        FileHandle.standardError.write(Data("flowline: cannot start '\(program[0])': \(String(cString: strerror(failure)))\n".utf8))
        exit(failure == ENOENT ? 127 : 126)
    }
}
