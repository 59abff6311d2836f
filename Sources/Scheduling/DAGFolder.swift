public import Foundation
public import Workflow

#if canImport(Glibc)
import Glibc
#endif

/// The DAGs folder: every `*.yaml` and `*.yml` file in it (and its subfolders), parsed.
public struct DAGFolder: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    /// What a scan found: the DAGs that loaded, with their files' text, and the files that did not.
    public struct Contents: Sendable {
        public var dags: [String: (dag: DAG, source: String)] = [:]
        public var errors: [DAGFileError] = []
    }

    /// A cheap fingerprint of the folder (names, sizes, modification times), to notice changes.
    public func fingerprint() -> [String: String] {
        var result: [String: String] = [:]
        let base = url.path
        for file in files() {
            var status = stat()
            guard stat(base + "/" + file, &status) == 0 else {
                result[file] = "missing"
                continue
            }
            result[file] = "\(status.st_size)-\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)-\(status.st_ino)"
        }
        return result
    }

    /// Parses every DAG file. Two files defining the same dag_id: the second is an import error.
    public func scan() -> Contents {
        var contents = Contents()
        for file in files() {
            let path = url.appendingPathComponent(file)
            guard let data = try? Data(contentsOf: path) else {
                contents.errors.append(DAGFileError(file: file, message: "the file cannot be read"))
                continue
            }
            guard data.count <= DAGFileParser.maximumFileSize else {
                contents.errors.append(DAGFileError(file: file, message: "the file is larger than \(DAGFileParser.maximumFileSize / 1024) KiB"))
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                contents.errors.append(DAGFileError(file: file, message: "the file is not UTF-8 text"))
                continue
            }
            switch DAGFileParser.parse(text, file: file) {
            case .success(let dag):
                if let other = contents.dags[dag.dagID] {
                    contents.errors.append(
                        DAGFileError(file: file, line: 1, column: 1, message: "dag_id '\(dag.dagID)' is already defined in \(other.dag.fileLocation)")
                    )
                } else {
                    contents.dags[dag.dagID] = (dag, text)
                }
            case .failure(let error):
                contents.errors.append(error)
            }
        }
        return contents
    }

    /// The DAG files, relative to the folder, sorted.
    public func files() -> [String] {
        guard let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else {
            return []
        }
        let base = url.standardizedFileURL.path
        var files: [String] = []
        for case let file as URL in enumerator where ["yaml", "yml"].contains(file.pathExtension) {
            let path = file.standardizedFileURL.path
            files.append(path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : file.lastPathComponent)
        }
        return files.sorted()
    }
}
