import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One GET whose body may not exceed a size: refused by its `Content-Length` before any byte is
/// read, or stopped as soon as more bytes than allowed have come. Memory never holds more than the
/// cap (plus one chunk).
final class CappedDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Unchecked: `received`, `response` and `continuation` are touched only from the session's
    // serial delegate queue, after `start` handed the continuation over.
    private let maximumSize: Int
    private var received = Data()
    private var response: URLResponse?
    private var tooLarge = false
    private var continuation: CheckedContinuation<(Data, URLResponse), any Error>?

    /// The download was larger than allowed.
    struct TooLarge: Error {}

    private init(maximumSize: Int) {
        self.maximumSize = maximumSize
    }

    /// Fetches `request`; throws ``TooLarge`` past `maximumSize` bytes.
    static func fetch(_ request: URLRequest, maximumSize: Int) async throws -> (Data, URLResponse) {
        let download = CappedDownload(maximumSize: maximumSize)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: .ephemeral, delegate: download, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { continuation in
            queue.addOperation {
                download.continuation = continuation
                session.dataTask(with: request).resume()
            }
        }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
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
        } else if let error {
            continuation.resume(throwing: error)
        } else if let response {
            continuation.resume(returning: (received, response))
        } else {
            continuation.resume(throwing: URLError(.badServerResponse))
        }
    }
}
