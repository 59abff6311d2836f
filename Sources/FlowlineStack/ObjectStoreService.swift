import ObjectStorage
import ServiceLifecycle

/// Keeps the S3 client of a stack open while the stack runs and closes it at graceful shutdown.
/// It comes first among the services, so that it is shut down last, after every server.
struct ObjectStoreService: Service {
    let client: S3Client

    func run() async throws {
        try? await gracefulShutdown()
        await client.shutdown()
    }

    /// A client of `access`, once the `buckets` are checked (they exist, the credentials may list
    /// them, the store answers): a misconfigured store fails the start with what to fix, at once.
    /// - Throws: ``StackError`` saying what is wrong; the client is then closed.
    static func open(_ access: ObjectStoreAccess, buckets: [String]) async throws -> ObjectStoreService {
        let client = access.client()
        do {
            for bucket in buckets { try await client.checkBucket(bucket) }
        } catch {
            await client.shutdown()
            throw StackError("the S3-compatible store cannot be used: \(error)")
        }
        return ObjectStoreService(client: client)
    }
}
