import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Folders walked through descriptors, never through paths, which a link planted by a task user
/// could redirect: each folder is opened relative to its parent with `O_NOFOLLOW`.
enum OpenFolder {
    private static let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC

    /// The folder at `path` opened, or -1 (with `errno`) when it is not a folder or a link.
    static func open(_ path: String) -> Int32 {
        Glibc.open(path, flags)
    }

    /// The folder `name` of the open folder `parent` opened, or -1 (with `errno`) when it is not a
    /// folder or a link.
    static func open(_ name: String, in parent: Int32) -> Int32 {
        openat(parent, name, flags)
    }

    /// Calls `body` with the open folder `descriptor` and the names in it (`.` and `..` left out),
    /// then closes it.
    /// - Returns: `false` when the folder cannot be read (`descriptor` is closed then too).
    static func visit(_ descriptor: Int32, _ body: (_ folder: Int32, _ names: [String]) throws -> Void) rethrows -> Bool {
        guard let stream = fdopendir(descriptor) else {
            close(descriptor)
            return false
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != ".", name != ".." { names.append(name) }
        }
        try body(dirfd(stream), names)
        return true
    }
}
