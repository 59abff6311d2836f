import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One GET whose body may not exceed a size: refused by its `Content-Length` before any byte is
/// read, or stopped as soon as more bytes than allowed have come. Memory never holds more than the
/// cap (plus one chunk). Cancelling the calling task cancels the download.
final class CappedDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Unchecked: every property but `maximumSize` is touched only on the session's serial
    // delegate queue (`queue`): by the delegate methods, and by the operations `fetch` adds.
    private let maximumSize: Int
    private var received = Data()
    private var response: URLResponse?
    private var tooLarge = false
    private var cancelled = false
    private var task: URLSessionDataTask?
    private var continuation: CheckedContinuation<(Data, URLResponse), any Error>?

    /// The download was larger than allowed.
    struct TooLarge: Error {}

    private init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    /// Fetches `request` with a session of `configuration` (the client's); throws ``TooLarge``
    /// past `maximumSize` bytes, and `CancellationError` when the task is cancelled first.
    static func fetch(_ request: URLRequest, maximumSize: Int, configuration: URLSessionConfiguration) async throws -> (Data, URLResponse) {
        let download = CappedDownload(maximumSize: maximumSize)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.addOperation {
                    guard !download.cancelled else { return continuation.resume(throwing: CancellationError()) }
                    download.continuation = continuation
                    let task = session.dataTask(with: request)
                    download.task = task
                    task.resume()
                }
            }
        } onCancel: {
            queue.addOperation {
                download.cancelled = true
                download.task?.cancel()
            }
        }
    }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        self.response = response
        let ok = ((response as? HTTPURLResponse)?.statusCode).map { (200..<300).contains($0) } ?? false
        if ok, response.expectedContentLength > Int64(maximumSize) {
            tooLarge = true
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        received.append(data)
        if received.count > maximumSize {
            tooLarge = true
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let continuation else { return }
        self.continuation = nil
        if tooLarge {
            continuation.resume(throwing: TooLarge())
        } else if cancelled {
            continuation.resume(throwing: CancellationError())
        } else if let error {
            continuation.resume(throwing: error)
        } else if let response {
            continuation.resume(returning: (received, response))
        } else {
            continuation.resume(throwing: URLError(.badServerResponse))
        }
    }
}
