import Foundation

/// Creating folders on the hot path of every task try.
enum Folders {
    /// Creates `url` and its parents unless it is already a folder (FileManager's create with
    /// intermediate folders costs far more than this check, once per try).
    /// - Parameter permissions: the mode of `url` when this creates it (its parents get the default).
    static func ensure(_ url: URL, permissions: Int? = nil) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue { return }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if let permissions { try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: url.path) }
    }
}
