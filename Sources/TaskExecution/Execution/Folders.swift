import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Creating folders on the hot path of every task try.
enum Folders {
    /// Creates `url` and its parents unless it is already a folder. Usually the parent exists (a
    /// run's folder for its tasks): one mkdir(2) then, instead of FileManager's walk of every
    /// parent.
    /// - Parameter permissions: the mode of `url` when this creates it (its parents get the default).
    static func ensure(_ url: URL, permissions: Int? = nil) throws {
        let path = url.path
        if mkdir(path, mode_t(permissions ?? 0o777)) == 0 {
            // mkdir's mode is masked by the umask; the asked permissions are set exactly.
            if let permissions { try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path) }
            return
        }
        var isFolder: ObjCBool = false
        if errno == EEXIST, FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { return }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if let permissions { try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path) }
    }
}
