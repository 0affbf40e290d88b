import GRDB
import GRDBSQLite

/// A hit as kept in the index's `hit` table, for `GET /v1/hits`: its JSON object exactly as the
/// sinks got it, with the columns it is looked up by.
public struct StoredHit: Sendable, Equatable {
    /// The hit's `id` (file id and line offset; retro hits have their own), so a hit written
    /// twice (after a crash, or a backfill of the same file) is stored once.
    public var id: String
    public var timeMillis: Int64
    public var list: String
    public var retro: Bool
    /// One JSON object, no newline.
    public var json: String

    public init(id: String, timeMillis: Int64, list: String, retro: Bool, json: String) {
        (self.id, self.timeMillis, self.list, self.retro, self.json) = (id, timeMillis, list, retro, json)
    }
}

extension VisitIndex {
    /// Stores hits in one transaction; a hit whose id is already stored is left as it was.
    public func record(hits: [StoredHit]) throws {
        guard !hits.isEmpty else { return }
        try write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO hit (id, time, list, retro, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
            let raw = insert.sqliteStatement
            // Bound through SQLite's C API: GRDB boxes every argument, and every line can be a hit.
            for var hit in hits {
                hit.id.withUTF8 { Self.bind(UnsafeRawBufferPointer($0), at: 1, to: raw) }
                sqlite3_bind_int64(raw, 2, hit.timeMillis)
                hit.list.withUTF8 { Self.bind(UnsafeRawBufferPointer($0), at: 3, to: raw) }
                sqlite3_bind_int64(raw, 4, hit.retro ? 1 : 0)
                hit.json.withUTF8 { Self.bind(UnsafeRawBufferPointer($0), at: 5, to: raw) }
                let code = sqlite3_step(raw)
                sqlite3_reset(raw)
                guard code == SQLITE_DONE else { throw Self.error(code, db) }
            }
        }
    }

    /// The newest hits from `sinceMillis` on (by the hit's time), of one list when `list` is
    /// given, at most `limit`, newest first.
    public func hits(sinceMillis: Int64, list: String? = nil, limit: Int) throws -> [StoredHit] {
        try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, time, list, retro, json FROM hit
                    WHERE time >= ? AND (? IS NULL OR list = ?)
                    ORDER BY time DESC, id DESC LIMIT ?
                    """,
                arguments: [sinceMillis, list, list, limit]
            ).map { row in
                StoredHit(id: row["id"], timeMillis: row["time"], list: row["list"], retro: row["retro"], json: row["json"])
            }
        }
    }

    /// Deletes hits older than `millis` (retention, with the visits).
    func pruneHits(beforeMillis millis: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM hit WHERE time < ?", arguments: [millis])
    }
}
