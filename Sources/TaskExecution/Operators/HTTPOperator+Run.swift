import Fetching
import Foundation
import JSON
public import Workflow

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension HTTPOperator: TaskOperator {
    public static func run(_ context: TaskRunContext) async throws -> TaskOutcome {
        guard let urlText = context.string("url"), let url = URL(string: urlText), url.scheme == "http" || url.scheme == "https" else {
            throw TaskFailure("url '\(context.string("url") ?? "")' is not an http(s) URL")
        }
        var request = URLRequest(url: url)
        let method = (context.string("method") ?? "GET").uppercased()
        guard methods.contains(method) else { throw TaskFailure("method '\(method)' is not one of \(methods.joined(separator: ", "))") }
        request.httpMethod = method
        request.timeoutInterval = try context.string("timeout").map { try DurationText.parse($0).seconds } ?? 60
        if case .object(let headers)? = context.settings["headers"] {
            for (name, value) in headers {
                let text: String = if case .string(let text) = value { text } else { value.jsonText }
                guard !(name + text).unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw TaskFailure("header '\(name)' holds a control character (a line break would start another header)")
                }
                request.setValue(text, forHTTPHeaderField: name)
            }
        }
        if let json = context.settings["json"] {
            request.httpBody = Data(json.jsonText.utf8)
            if request.value(forHTTPHeaderField: "Content-Type") == nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        } else if let body = context.string("body") {
            request.httpBody = Data(body.utf8)
        }
        context.log.write("\(request.httpMethod ?? "GET") \(url.absoluteString)")
        let answer: HTTPAnswer
        do {
            answer = try await HTTPClient(timeout: .milliseconds(Int64(request.timeoutInterval * 1000))).send(request, maximumSize: responseLimit)
        } catch let error as HTTPClientError {
            throw TaskFailure("the request to \(url.absoluteString) failed: \(error.message)")
        }
        let (data, status) = (answer.body, answer.status)
        context.log.write("Answered \(status), \(data.count) bytes")
        guard expected(status, context.settings["expect_status"]) else {
            let excerpt = String(decoding: data.prefix(500), as: UTF8.self)
            throw TaskFailure("the server answered \(status), which the task does not expect: \(excerpt)")
        }
        if let file = context.string("save_to") {
            try context.files.write(data, to: file)
            context.log.write("Saved the response to \(file)")
        }
        guard context.string("xcom") != "none", data.count <= xcomLimit, let value = try? JSONParser.parse(Array(data)) else {
            return .success(xcom: nil)
        }
        return .success(xcom: value)
    }

    private static func expected(_ status: Int, _ expectation: JSONValue?) -> Bool {
        switch expectation {
        case .number(let number)?: return number.exactInteger == status
        case .array(let codes)?: return codes.contains { if case .number(let number) = $0 { number.exactInteger == status } else { false } }
        default: return (200..<300).contains(status)
        }
    }
}
