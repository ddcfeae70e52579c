import AccessTokens
import Postgres

/// The signing key idm generated and stored on its first start, used when `IDM_SIGNING_KEY` is
/// not configured (replicas agree on one through a transaction-scoped advisory lock).
enum SigningKeyStore {
    static func loadOrCreate(in database: PostgresClient) async throws -> SigningKey {
        let candidate = try SigningKey.generate()
        let pem = try await database.transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('signing_keys'))")
            if let row = try connection.query(
                "SELECT private_key_pem FROM signing_keys ORDER BY created_at DESC LIMIT 1").first
            {
                return try row.required("private_key_pem", row.string)
            }
            try connection.execute(
                "INSERT INTO signing_keys (kid, private_key_pem) VALUES ($1, $2)",
                [.string(candidate.kid), .string(candidate.pemRepresentation)])
            return candidate.pemRepresentation
        }
        return try SigningKey(pem: pem)
    }
}
