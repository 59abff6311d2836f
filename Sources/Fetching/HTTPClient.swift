public import Foundation
import Synchronization

#if canImport(FoundationNetworking)
public import FoundationNetworking
#endif

/// The one way Flowline's clients send an HTTP request: the tracking client, the REST client of
/// the commands, the samples commands, and the `http` operator and sensor. Each call has a
/// timeout, an optional cap on the answer's size (never read whole past it), and one error type
/// that says what went wrong in words.
public struct HTTPClient: Sendable {
    /// The session's settings (proxies, TLS) for the calls that need a session of their own.
    public var session: URLSession
    /// How long a call may wait for the server before it fails.
    public var timeout: Duration

    public init(session: URLSession = .shared, timeout: Duration = .seconds(60)) {
        self.session = session
        self.timeout = timeout
    }

    /// Sends `request` and returns the answer, whatever its status.
    /// - Parameter maximumSize: refuse an answer larger than this many bytes, by its
    ///   `Content-Length` before reading, else as soon as more have come.
    /// - Throws: ``HTTPClientError`` when the server cannot be reached, does not answer in time,
    ///   or answers too much; `CancellationError` when the calling task is cancelled.
    public func send(_ request: URLRequest, maximumSize: Int? = nil) async throws -> HTTPAnswer {
        var request = request
        request.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let target = request.url?.absoluteString ?? "?"
        let data: Data
        let response: URLResponse
        do {
            if let maximumSize {
                (data, response) = try await CappedDownload.fetch(request, maximumSize: maximumSize, configuration: session.configuration)
            } else {
                (data, response) = try await Self.shielded(request, session: session)
            }
        } catch is CappedDownload.TooLarge {
            throw HTTPClientError(
                url: target,
                reason: .tooLarge(maximumSize ?? 0),
                message: "the answer of \(target) is larger than \(maximumSize ?? 0) bytes"
            )
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as URLError where error.code == .timedOut {
            throw HTTPClientError(url: target, reason: .timedOut, message: "\(target) did not answer within \(timeout)")
        } catch {
            throw HTTPClientError(url: target, reason: .unreachable, message: "cannot reach \(target): \(error.localizedDescription)")
        }
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
        }
        return HTTPAnswer(status: http?.statusCode ?? 0, headers: headers, body: data)
    }

    /// `session.data(for:)`, without ever cancelling its URLSession task: on Linux, cancelling one
    /// races inside FoundationNetworking and can crash the process ("Trying to access a behaviour
    /// for a task that in not in the registry", seen when a stack shut down mid-request). A
    /// cancelled caller stops waiting at once; the request ends on its own, within its timeout.
    private static func shielded(_ request: URLRequest, session: URLSession) async throws -> (Data, URLResponse) {
        let waiting = Waiter()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.slot.withLock { $0 = continuation }
                if Task.isCancelled {
                    waiting.slot.withLock { $0.take() }?.resume(throwing: CancellationError())
                    return
                }
                Task.detached {
                    let result: Result<(Data, URLResponse), any Error>
                    do {
                        result = .success(try await session.data(for: request))
                    } catch {
                        result = .failure(error)
                    }
                    waiting.slot.withLock { $0.take() }?.resume(with: result)
                }
            }
        } onCancel: {
            waiting.slot.withLock { $0.take() }?.resume(throwing: CancellationError())
        }
    }
}

/// What a server answered.
public struct HTTPAnswer: Sendable, Equatable {
    public var status: Int
    /// Header fields, names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The start of the body as text, for error messages.
    public func excerpt(_ length: Int = 300) -> String {
        String(decoding: body.prefix(length), as: UTF8.self)
    }
}

/// A request that got no usable answer.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unreachable
        case timedOut
        /// The answer was larger than the cap (bytes).
        case tooLarge(Int)
    }

    /// The URL called.
    public var url: String
    public var reason: Reason
    public var message: String

    public var description: String { message }
}

/// Who waits for a shielded request: resumed once, by its end or by cancellation.
private final class Waiter: Sendable {
    let slot = Mutex<CheckedContinuation<(Data, URLResponse), any Error>?>(nil)
}
