import Foundation

/// Creating folders on the hot path of every task try.
enum Folders {
    /// Creates `url` and its parents unless it is already a folder (FileManager's create with
    /// intermediate folders costs far more than this check, once per try).
    static func ensure(_ url: URL) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue { return }
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
}
