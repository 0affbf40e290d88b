#if canImport(Glibc)
import Glibc
#endif
import GRDB
import GRDBSQLite
import Synchronization

/// Turns a host as logged into its canonical name in `out`: the name's length, or `nil` when
/// the host is not a valid name (such visits are counted as skipped, not indexed).
public typealias VisitHostNormalizer = (_ raw: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer) -> Int?

extension VisitIndex {
    /// What a write did.
    public struct WriteFigures: Sendable, Equatable {
        /// Lines whose visits were written.
        public var lines = 0
        /// Lines whose host was not a valid name once normalized.
        public var invalidHostLines = 0
        /// Rows upserted in `visit_day`.
        public var rows = 0
        /// Hosts and (client, user) pairs new to this aggregator (looked up or added).
        public var namesLookedUp = 0

        public init() {}
    }

    /// Writes the aggregator's sums in one transaction and empties them: counts add up,
    /// first/last widen.
    ///
    /// Rows go in primary-key order, so the B-tree is walked from left to right. Hosts and
    /// (client, user) pairs the aggregator has not written before are normalized and interned
    /// first; the ids are remembered in the aggregator. On failure the sums are dropped too
    /// (the caller counts them), so a broken disk cannot grow them without bound.
    ///
    /// With `backfill`, the file's fingerprint is recorded in the same transaction, so a file is
    /// either counted whole and marked, or not at all.
    @discardableResult
    public func write(
        _ visits: inout VisitAggregator, normalize: VisitHostNormalizer, backfill: BackfillMark? = nil
    ) throws -> WriteFigures {
        var figures = WriteFigures()
        guard visits.distinctVisits > 0 || backfill != nil else {
            visits.clearVisits()
            return figures
        }
        defer { visits.clearVisits() }
        do {
            try write { db in
                try writeRows(&visits, normalize: normalize, figures: &figures, db)
                if let backfill {
                    try db.execute(
                        sql: "INSERT INTO backfill (fingerprint, path, lines, at) VALUES (?, ?, ?, ?)",
                        arguments: [backfill.fingerprint, backfill.path, backfill.lines, backfill.atMillis])
                }
            }
        } catch {
            // The transaction rolled back: ids interned in it no longer exist.
            idEpoch.withLock { $0 += 1 }
            throw error
        }
        return figures
    }

    private func writeRows(
        _ visits: inout VisitAggregator, normalize: VisitHostNormalizer, figures: inout WriteFigures, _ db: Database
    ) throws {
        let epoch = idEpoch.withLock { $0 }
        if visits.idEpoch != epoch {
            visits.hostRowIDs.removeAll(keepingCapacity: true)
            visits.whoRowIDs.removeAll(keepingCapacity: true)
            visits.idEpoch = epoch
        }
        if visits.hostRowIDs.count < visits.hosts.count {
            visits.hostRowIDs.append(contentsOf: repeatElement(0, count: visits.hosts.count - visits.hostRowIDs.count))
        }
        if visits.whoRowIDs.count < visits.whos.count {
            visits.whoRowIDs.append(contentsOf: repeatElement(0, count: visits.whos.count - visits.whoRowIDs.count))
        }
        // Rows go many to a statement: SQLite's cost per statement run (reset, cursors, halt)
        // measured as much as the row's own work.
        func upsert(_ table: String, _ columns: String, key: String, rows: Int) throws -> Statement {
            let width = columns.split(separator: ",").count
            let row = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
            return try db.cachedStatement(
                sql: """
                    INSERT INTO \(table) (\(columns)) VALUES \(Array(repeating: row, count: rows).joined(separator: ","))
                    ON CONFLICT (\(key)) DO UPDATE SET count = count + excluded.count,
                        first = min(first, excluded.first), last = max(last, excluded.last)
                    """)
        }
        let visitRows = try upsert("visit_day", "day,host,who,count,first,last", key: "day,host,who", rows: Self.rowsPerStatement)
        let visitRow = try upsert("visit_day", "day,host,who,count,first,last", key: "day,host,who", rows: 1)
        let hostDays = try upsert("host_day", "host,day,count,first,last", key: "host,day", rows: Self.rowsPerStatement)
        let hostDay = try upsert("host_day", "host,day,count,first,last", key: "host,day", rows: 1)
        try internNewNames(&visits, normalize: normalize, figures: &figures, db)
        var rows: [VisitRow] = []
        rows.reserveCapacity(visits.distinctVisits)
        do {
            for visit in visits.visits {
                let host = visits.hostRowIDs[Int(visit.host)]
                if host < 0 {
                    figures.invalidHostLines += Int(visit.count)
                    continue
                }
                let who = visits.whoRowIDs[Int(visit.who)]
                rows.append(VisitRow(day: visit.day, host: host, who: who, count: visit.count, first: visit.first, last: visit.last))
                figures.lines += Int(visit.count)
            }
        }
        rows.sort { ($0.day, $0.host, $0.who) < ($1.day, $1.host, $1.who) }
        figures.rows = rows.count
        // One host_day row per run of rows with the same day and host.
        var hostDayRows: [[Int64]] = []
        var index = 0
        while index < rows.count {
            let start = rows[index]
            var total = (count: Int64(0), first: start.first, last: start.last)
            while index < rows.count, rows[index].day == start.day, rows[index].host == start.host {
                total.count += rows[index].count
                total.first = min(total.first, rows[index].first)
                total.last = max(total.last, rows[index].last)
                index += 1
            }
            hostDayRows.append([start.host, Int64(start.day), total.count, total.first, total.last])
        }
        try Self.upsert(rows.count, many: visitRows, one: visitRow, db) { i in
            let row = rows[i]
            return [Int64(row.day), row.host, row.who, row.count, row.first, row.last]
        }
        try Self.upsert(hostDayRows.count, many: hostDays, one: hostDay, db) { hostDayRows[$0] }
    }

    /// Upserts `count` rows, ``rowsPerStatement`` to a run of `many`, the rest one by one.
    /// Values are bound through SQLite's C API: GRDB's `execute(arguments:)` boxes every value,
    /// which measured as most of the cost per row.
    static func upsert(_ count: Int, many: Statement, one: Statement, _ db: Database, row: (Int) -> [Int64]) throws {
        var i = 0
        while i < count {
            let statement = count - i >= rowsPerStatement ? many : one
            let rows = statement === many ? rowsPerStatement : 1
            let raw = statement.sqliteStatement
            var parameter: Int32 = 1
            for r in i..<(i + rows) {
                for value in row(r) {
                    sqlite3_bind_int64(raw, parameter, value)
                    parameter += 1
                }
            }
            let code = sqlite3_step(raw)
            sqlite3_reset(raw)
            guard code == SQLITE_DONE else { throw error(code, db) }
            i += rows
        }
    }

    static let rowsPerStatement = 64

    struct VisitRow {
        var day: Int32
        var host: Int64
        var who: Int64
        var count: Int64
        var first: Int64
        var last: Int64
    }

    /// Room for a canonical name (253 bytes is the longest valid one).
    static let nameCapacity = 1024

    /// `login.evil.com` ⇄ `com.evil.login`, into `out`.
    static func reverseLabels(_ name: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer {
        var written = 0
        var end = name.count
        var i = name.count
        while i >= 0 {
            if i == 0 || name[i - 1] == UInt8(ascii: ".") {
                if written > 0 {
                    out[written] = UInt8(ascii: ".")
                    written += 1
                }
                for j in i..<end {
                    out[written] = name[j]
                    written += 1
                }
                end = i - 1
            }
            i -= 1
        }
        return UnsafeRawBufferPointer(rebasing: out[0..<written])
    }

    /// Gives every host and (client, user) of the batch that the aggregator has no row id for
    /// yet its row id, adding the names the index does not have. New names are inserted in
    /// sorted order, so a flood of new names (a random-subdomain attack in a DNS log) walks the
    /// name index from left to right instead of splitting pages all over it.
    private func internNewNames(
        _ visits: inout VisitAggregator, normalize: VisitHostNormalizer, figures: inout WriteFigures, _ db: Database
    ) throws {
        /// Names to look up: local id, and where their bytes are in `bytes`.
        var hostNames: [(local: UInt32, start: Int, count: Int)] = []
        var whoNames: [(local: UInt32, start: Int, clientCount: Int, userCount: Int)] = []
        var bytes: [UInt8] = []
        let pending: Int64 = -2
        withUnsafeTemporaryAllocation(byteCount: 2 * Self.nameCapacity, alignment: 8) { scratch in
            let canonical = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<Self.nameCapacity])
            let reversed = UnsafeMutableRawBufferPointer(rebasing: scratch[Self.nameCapacity...])
            for visit in visits.visits {
                if visits.hostRowIDs[Int(visit.host)] == 0 {
                    figures.namesLookedUp += 1
                    visits.hostRowIDs[Int(visit.host)] = visits.hosts.withBytes(visit.host) { raw, _ in
                        guard let length = normalize(raw, canonical), length > 0, length <= Self.nameCapacity else { return -1 }
                        let name = Self.reverseLabels(UnsafeRawBufferPointer(rebasing: canonical[0..<length]), into: reversed)
                        hostNames.append((visit.host, bytes.count, name.count))
                        bytes.append(contentsOf: name)
                        return pending
                    }
                }
                if visits.whoRowIDs[Int(visit.who)] == 0 {
                    figures.namesLookedUp += 1
                    visits.whos.withBytes(visit.who) { client, user in
                        whoNames.append((visit.who, bytes.count, client.count, user?.count ?? 0))
                        bytes.append(contentsOf: client)
                        if let user { bytes.append(contentsOf: user) }
                    }
                    visits.whoRowIDs[Int(visit.who)] = pending
                }
            }
        }
        guard !hostNames.isEmpty || !whoNames.isEmpty else { return }
        let insertHost = try db.cachedStatement(sql: "INSERT OR IGNORE INTO host (rname) VALUES (?)")
        let selectHost = try db.cachedStatement(sql: "SELECT id FROM host WHERE rname = ?")
        let insertWho = try db.cachedStatement(sql: "INSERT OR IGNORE INTO who (client, user) VALUES (?, ?)")
        let selectWho = try db.cachedStatement(sql: "SELECT id FROM who WHERE client = ? AND user = ?")
        try bytes.withUnsafeBytes { all in
            func text(_ start: Int, _ count: Int) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: all[start..<(start + count)])
            }
            hostNames.sort { a, b in
                let order = memcmp(all.baseAddress! + a.start, all.baseAddress! + b.start, min(a.count, b.count))
                return order != 0 ? order < 0 : a.count < b.count
            }
            for name in hostNames {
                visits.hostRowIDs[Int(name.local)] = try Self.intern([text(name.start, name.count)], insertHost, selectHost, db)
            }
            for name in whoNames {
                let client = text(name.start, name.clientCount)
                let user = text(name.start + name.clientCount, name.userCount)
                visits.whoRowIDs[Int(name.local)] = try Self.intern([client, user], insertWho, selectWho, db)
            }
        }
    }

    /// The row id of a name: inserted when new (then SQLite gives the id it chose), looked up
    /// when the index has it already. Cheaper than an upsert with `RETURNING`, which SQLite
    /// runs through a temporary table.
    static func intern(_ texts: [UnsafeRawBufferPointer], _ insert: Statement, _ select: Statement, _ db: Database) throws -> Int64 {
        bind(texts, to: insert.sqliteStatement)
        let inserted = sqlite3_step(insert.sqliteStatement)
        sqlite3_reset(insert.sqliteStatement)
        guard inserted == SQLITE_DONE else { throw error(inserted, db) }
        if sqlite3_changes(db.sqliteConnection) > 0 { return sqlite3_last_insert_rowid(db.sqliteConnection) }
        bind(texts, to: select.sqliteStatement)
        defer { sqlite3_reset(select.sqliteStatement) }
        let found = sqlite3_step(select.sqliteStatement)
        guard found == SQLITE_ROW else { throw error(found, db) }
        return sqlite3_column_int64(select.sqliteStatement, 0)
    }

    static func bind(_ texts: [UnsafeRawBufferPointer], to raw: OpaquePointer?) {
        for (i, text) in texts.enumerated() { bind(text, at: Int32(i + 1), to: raw) }
    }

    static func bind(_ text: UnsafeRawBufferPointer, at index: Int32, to raw: OpaquePointer?) {
        // SQLITE_TRANSIENT: SQLite copies the bytes, which live only for this call.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        if let base = text.baseAddress, text.count > 0 {
            sqlite3_bind_text(raw, index, base.assumingMemoryBound(to: CChar.self), Int32(text.count), transient)
        } else {
            sqlite3_bind_text(raw, index, "", 0, transient)
        }
    }

    static func error(_ code: Int32, _ db: Database) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
}

/// A log file loaded by `hostwatch backfill`, known by a fingerprint of its (decompressed)
/// content, so loading it again, or its gzipped copy, is recognised.
public struct BackfillMark: Sendable, Equatable {
    public var fingerprint: String
    public var path: String
    public var lines: Int
    public var atMillis: Int64

    public init(fingerprint: String, path: String, lines: Int, atMillis: Int64) {
        (self.fingerprint, self.path, self.lines, self.atMillis) = (fingerprint, path, lines, atMillis)
    }
}

extension VisitIndex {
    /// The earlier backfill of a file with this fingerprint, if any.
    public func backfilled(fingerprint: String) throws -> BackfillMark? {
        try reader.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM backfill WHERE fingerprint = ?", arguments: [fingerprint]).map { row in
                BackfillMark(fingerprint: row["fingerprint"], path: row["path"], lines: row["lines"], atMillis: row["at"])
            }
        }
    }
}
