import Crypto
public import Foundation
import SQLKit
import Storage
import Workflow

extension OrchestratorStore {
    /// The token signing key of every server on this database (512 random bits, base64), made by
    /// whichever server asks first; a server racing it reads the winner's.
    public func signingKey() async throws -> Data {
        let name = "tokens"
        if let secret = try await storedSigningKey(name) { return secret }
        let fresh = SymmetricKey(size: .init(bitCount: 512)).withUnsafeBytes { Data($0) }.base64EncodedString()
        try await database.write { sql in
            try await sql.insert(into: "signing_keys").columns("name", "secret", "created_at")
                .values(SQLBind(name), SQLBind(fresh), SQLBind(Date().microseconds))
                .ignoringConflicts(with: ["name"]).run()
        }
        guard let secret = try await storedSigningKey(name) else { throw OrchestratorError.invalid("the token signing key could not be stored") }
        return secret
    }

    private func storedSigningKey(_ name: String) async throws -> Data? {
        try await database.read { sql in
            try await sql.select().column("secret").from("signing_keys").where("name", .equal, SQLBind(name)).first()
                .flatMap { Data(base64Encoded: try $0.string("secret")) }
        }
    }
}
