public import Foundation

/// A DAG file that failed to load, as stored for the API and UI.
public struct ImportErrorRecord: Sendable, Equatable {
    public var id: Int64
    public var filename: String
    public var timestamp: Date
    public var message: String
}
