public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one folder that holds all of Flowline's state (databases, artifacts, logs, DAGs).
///
/// A data directory is marked by a `.flowline` file when Flowline creates it, so that
/// ``reset(force:)`` never deletes a folder Flowline did not make, and it is locked while a
/// `flowline up` uses it, so that two stacks never write the same files and a reset never pulls the
/// floor from under a running one.
public struct DataDirectory: Sendable, Equatable {
    /// The directory's absolute, standardized location.
    public let url: URL

    /// The default location, relative to the working directory.
    public static let defaultPath = "./flowline-data"
    /// The marker file's name.
    public static let markerName = ".flowline"
    /// The lock file's name.
    public static let lockName = ".lock"

    /// A data directory at `path`, relative paths being resolved against `base`.
    public init(path: String, relativeTo base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)) {
        url = URL(fileURLWithPath: Self.absolute(path, relativeTo: base), isDirectory: true)
    }

    /// `path` made absolute and standardized: `~` expanded, a relative path taken from `base` (the
    /// working directory), for settings that name files or folders the servers use later.
    public static func absolute(
        _ path: String,
        relativeTo base: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
    ) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let baseDirectory = URL(fileURLWithPath: base.path, isDirectory: true)
        return URL(fileURLWithPath: expanded, relativeTo: baseDirectory).standardizedFileURL.path
    }

    /// The absolute path, for messages and for services that take paths.
    public var path: String { url.path }

    var markerURL: URL { url.appendingPathComponent(Self.markerName) }
    var lockURL: URL { url.appendingPathComponent(Self.lockName) }

    /// Whether the directory exists.
    public var exists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Whether Flowline created this directory (its marker file is there).
    public var isMarked: Bool {
        FileManager.default.fileExists(atPath: markerURL.path)
    }

    /// Creates the directory and its marker when they are missing, and returns the subdirectory
    /// `component` (created too) when one is named.
    /// - Throws: ``DataDirectoryError`` when the path exists and is not a directory, or cannot be written.
    @discardableResult
    public func prepare(_ component: String? = nil) throws -> URL {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw DataDirectoryError("\(path) exists and is not a directory; choose another --data-dir")
        }
        do {
            if !exists {
                try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            if !isMarked {
                let note = "This directory holds Flowline's state. `flowline reset` deletes it.\n"
                try Data(note.utf8).write(to: markerURL)
            }
            guard let component else { return url }
            let child = url.appendingPathComponent(component, isDirectory: true)
            try manager.createDirectory(at: child, withIntermediateDirectories: true)
            return child
        } catch let error as DataDirectoryError {
            throw error
        } catch {
            throw DataDirectoryError("cannot prepare the data directory \(path): \(error.localizedDescription)")
        }
    }

    /// Makes the directory its owner's alone (0700), so no other local user reads its databases,
    /// logs or artifacts; with `traversable`, others may pass through to the folders they are
    /// given (0711: the task user reaching its workspaces) but still list and read nothing else.
    /// - Throws: ``DataDirectoryError`` when the mode cannot be set.
    public func restrictAccess(traversable: Bool = false) throws {
        guard chmod(path, traversable ? 0o711 : 0o700) == 0 else {
            throw DataDirectoryError("cannot restrict access to the data directory \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Takes the directory's lock for as long as the returned value lives.
    /// - Throws: ``DataDirectoryError`` when another process holds it.
    public func lock() throws -> DataDirectoryLock {
        try DataDirectoryLock(url: lockURL, directory: path)
    }

    /// What ``reset(force:)`` would delete: the top-level entries of the directory.
    public func contents() throws -> [String] {
        guard exists else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    /// Deletes the directory and everything in it.
    ///
    /// - Parameter force: delete even when the directory lacks Flowline's marker file.
    /// - Returns: `false` when there was nothing to delete.
    /// - Throws: ``DataDirectoryError`` when the directory is in use by a running Flowline, is not
    ///   a Flowline data directory (and `force` is false), or cannot be deleted.
    @discardableResult
    public func reset(force: Bool = false) throws -> Bool {
        guard exists else { return false }
        guard force || isMarked else {
            throw DataDirectoryError("\(path) does not look like a Flowline data directory (no \(Self.markerName) file); not deleting it")
        }
        let held = try lock()
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw DataDirectoryError("cannot delete \(path): \(error.localizedDescription)")
        }
        withExtendedLifetime(held) {}
        return true
    }
}

/// An exclusive, advisory lock on a data directory, released when the value is deinitialized or the
/// process ends (an `flock` on the directory's `.lock` file, which records the holder's pid).
public final class DataDirectoryLock: Sendable {
    private let lock: ExclusiveFileLock

    init(url: URL, directory: String) throws {
        do {
            lock = try ExclusiveFileLock(path: url.path)
        } catch {
            switch error {
            case .cannotOpen(let reason):
                throw DataDirectoryError("cannot open \(url.path): \(reason)")
            case .held(let pid):
                throw DataDirectoryError(
                    "the data directory \(directory) is in use by another Flowline process\(pid.map { " (pid \($0))" } ?? ""); stop it first or choose another --data-dir"
                )
            }
        }
    }
}

/// A data directory could not be prepared, locked or reset; the message says why and what to do.
public struct DataDirectoryError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
