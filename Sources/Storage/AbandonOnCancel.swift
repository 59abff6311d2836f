import Synchronization

/// Runs `operation` in a task of its own and returns what it returns, unless the calling task is
/// cancelled first: then throws `CancellationError` at once and leaves `operation` to end on its
/// own (whether it then took effect is unknown, as with any cancelled call). A task cancelled
/// before the call does not start `operation`.
///
/// For calls into libraries that do not always end on cancellation: a PostgreSQL query in flight
/// while the connection pool shuts down can wait forever, and a scheduler stopping then never
/// returns.
func abandoningOnCancel<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try Task.checkCancellation()
    let outcome = Outcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            outcome.wait(continuation)
            Task {
                do {
                    outcome.deliver(.success(try await operation()))
                } catch {
                    outcome.deliver(.failure(error))
                }
            }
        }
    } onCancel: {
        outcome.deliver(.failure(CancellationError()))
    }
}

/// The first result delivered, handed to the one waiter whenever it arrives.
private final class Outcome<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T, any Error>)
        case delivered(Result<T, any Error>)
        case done
    }

    private let state = Mutex(State.empty)

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .waiting(continuation)
                return nil
            case .delivered(let result):
                state = .done
                return result
            case .waiting, .done:
                preconditionFailure("one waiter only")
            }
        }
        if let ready { continuation.resume(with: ready) }
    }

    func deliver(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .delivered(result)
                return nil
            case .waiting(let continuation):
                state = .done
                return continuation
            case .delivered, .done:
                return nil
            }
        }
        waiter?.resume(with: result)
    }
}
