import Foundation
import Workflow
import Yams

/// An `MLproject` file (MLflow Projects): entry points with typed parameters and a command in
/// which `{name}` stands for a parameter's value.
struct MLProject {
    struct Parameter {
        var name: String
        /// `string`, `float`, `path` or `uri` (MLflow's types); `int` is accepted too.
        var type: String
        var defaultValue: String?
    }

    struct EntryPoint {
        var name: String
        var parameters: [Parameter]
        var command: String
    }

    static let fileName = "MLproject"
    static let types: Set<String> = ["string", "float", "path", "uri", "int"]

    var name: String?
    var entryPoints: [String: EntryPoint]

    /// Reads `MLproject` in `directory`.
    static func load(from directory: URL) throws -> MLProject {
        let url = directory.appendingPathComponent(fileName)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw TaskFailure("the repository has no \(fileName) file at this commit")
        }
        do {
            return try parse(text)
        } catch let problem as DAGFileError.Problem {
            let position = problem.line.map { " (line \($0))" } ?? ""
            throw TaskFailure("\(fileName)\(position): \(problem.message)")
        } catch {
            throw TaskFailure("\(fileName) is not valid YAML: \(error)")
        }
    }

    static func parse(_ text: String) throws -> MLProject {
        guard let root = try Yams.compose(yaml: text) else { throw TaskFailure("\(fileName) is empty") }
        var project = MLProject(name: nil, entryPoints: [:])
        for (key, _, value) in try YAMLNode(node: root).mapping(fileName) {
            switch key {
            case "name": project.name = try value.string("name")
            case "entry_points":
                for (name, _, entry) in try value.mapping("entry_points") {
                    project.entryPoints[name] = try entryPoint(name, entry)
                }
            default: continue  // python_env, conda_env, docker_env: the task runs in the worker's environment
            }
        }
        return project
    }

    private static func entryPoint(_ name: String, _ node: YAMLNode) throws -> EntryPoint {
        var command: String?
        var parameters: [Parameter] = []
        for (key, _, value) in try node.mapping("entry point '\(name)'") {
            switch key {
            case "command": command = try value.string("the command of entry point '\(name)'")
            case "parameters":
                for (parameter, _, spec) in try value.mapping("the parameters of entry point '\(name)'") {
                    parameters.append(try Self.parameter(parameter, spec))
                }
            default: throw value.problem("entry point '\(name)' has an unknown setting '\(key)' (command, parameters)")
            }
        }
        guard let command else { throw node.problem("entry point '\(name)' has no command") }
        return EntryPoint(name: name, parameters: parameters, command: command)
    }

    private static func parameter(_ name: String, _ node: YAMLNode) throws -> Parameter {
        // `name: float` or `name: {type: float, default: 1}`.
        if case .scalar = node.node {
            let type = try node.string("the type of parameter '\(name)'")
            guard types.contains(type) else { throw node.problem("parameter '\(name)' has unknown type '\(type)' (string, float, path, uri)") }
            return Parameter(name: name, type: type, defaultValue: nil)
        }
        var parameter = Parameter(name: name, type: "string", defaultValue: nil)
        for (key, _, value) in try node.mapping("parameter '\(name)'") {
            switch key {
            case "type":
                parameter.type = try value.string("the type of parameter '\(name)'")
                guard types.contains(parameter.type) else {
                    throw value.problem("parameter '\(name)' has unknown type '\(parameter.type)' (string, float, path, uri)")
                }
            case "default": parameter.defaultValue = value.isNull ? nil : try value.string("the default of parameter '\(name)'")
            default: throw value.problem("parameter '\(name)' has an unknown setting '\(key)' (type, default)")
            }
        }
        return parameter
    }
}

extension MLProject.EntryPoint {
    /// The command with every `{name}` replaced by its parameter's value, shell-quoted; parameters
    /// the entry point does not declare are appended as `--name value`, as `mlflow run` does.
    /// - Parameters:
    ///   - given: the task's parameters, as text.
    ///   - directory: where relative `path` and `uri` values start (the run's workspace).
    /// - Returns: the command and every parameter's value.
    func command(with given: [String: String], relativeTo directory: URL) throws -> (command: String, values: [(String, String)]) {
        var values: [String: String] = [:]
        var ordered: [(String, String)] = []
        for parameter in parameters {
            guard let raw = given[parameter.name] ?? parameter.defaultValue else {
                throw TaskFailure("parameter '\(parameter.name)' of entry point '\(name)' has no default and was not given")
            }
            let value = try Self.check(raw, as: parameter, entryPoint: name, directory: directory)
            values[parameter.name] = value
            ordered.append((parameter.name, value))
        }
        var command = try substitute(values)
        for (key, value) in given.sorted(by: { $0.key < $1.key }) where values[key] == nil {
            command += " --\(ShellQuote.quote(key)) \(ShellQuote.quote(value))"
            ordered.append((key, value))
        }
        return (command, ordered)
    }

    private static func check(_ value: String, as parameter: MLProject.Parameter, entryPoint: String, directory: URL) throws -> String {
        switch parameter.type {
        case "float":
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                throw TaskFailure("parameter '\(parameter.name)' of entry point '\(entryPoint)' must be a float, not '\(value)'")
            }
            return value
        case "int":
            guard Int(value.trimmingCharacters(in: .whitespaces)) != nil else {
                throw TaskFailure("parameter '\(parameter.name)' of entry point '\(entryPoint)' must be an integer, not '\(value)'")
            }
            return value
        case "path":
            if value.contains("://") { return value }
            // A run may choose the value: a path stays inside the run's workspace.
            guard let location = try? WorkspacePath.resolve(value, in: directory) else {
                throw TaskFailure(
                    "parameter '\(parameter.name)' of entry point '\(entryPoint)' must be a path inside the run's workspace, not '\(value)'"
                )
            }
            return location.standardizedFileURL.path
        case "uri":
            if value.contains(":") || value.hasPrefix("/") { return value }
            return directory.appendingPathComponent(value).standardizedFileURL.path
        default:
            return value
        }
    }

    /// Python's `str.format` on the command: `{name}` is a value, `{{` and `}}` are braces.
    private func substitute(_ values: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(command)
        while let index = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            result += rest[..<index]
            let brace = rest[index]
            let after = rest.index(after: index)
            if after < rest.endIndex, rest[after] == brace {
                result.append(brace)
                rest = rest[rest.index(after: after)...]
                continue
            }
            guard brace == "{", let close = rest[after...].firstIndex(of: "}") else {
                throw TaskFailure("the command of entry point '\(name)' has an unmatched '\(brace)'")
            }
            let key = String(rest[after..<close])
            guard let value = values[key] else {
                throw TaskFailure("the command of entry point '\(name)' uses {\(key)}, which is not one of its parameters")
            }
            result += ShellQuote.quote(value)
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
