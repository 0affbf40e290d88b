import GRDB
import GRDBSQLite
import Synchronization

/// The index of every visited host: per UTC day and host, and per day, host, client and user,
/// a count and the first and last time. An SQLite file in WAL mode, so `hostwatch visited` reads
/// while the daemon writes.
///
/// Hosts are stored with their labels reversed (`com.evil.login`), so a domain and all its
/// subdomains are one range of the `host` table's index: `com.evil` and everything from
/// `com.evil.` up to `com.evil/` ('/' sorts right after '.').
public final class VisitIndex: Sendable {
    let reader: any DatabaseReader
    /// `nil` when opened read-only.
    let writer: (any DatabaseWriter)?
    public let path: String
    /// Bumped whenever row ids an aggregator remembers may have gone (a rolled-back write, a
    /// prune), so every aggregator looks its names up again.
    let idEpoch = Mutex(0)

    /// Opens (creating and migrating if needed) the index at `path`; `readOnly` opens an
    /// existing one for queries only and never writes to it.
    public init(path: String, readOnly: Bool = false) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        // Batches touch pages all over the tables: a 64 MiB page cache instead of SQLite's 2 MiB
        // keeps them from being read again from disk for every row.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -65536; PRAGMA mmap_size = 4294967296; PRAGMA synchronous = NORMAL") }
        self.path = path
        if readOnly {
            reader = try DatabaseQueue(path: path, configuration: configuration)
            writer = nil
        } else {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            reader = pool
            writer = pool
        }
    }

    struct ReadOnly: Error, CustomStringConvertible {
        var description: String { "the visit index was opened read-only" }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard let writer else { throw ReadOnly() }
        return try writer.write(body)
    }

    /// The schema, versioned: each migration runs once, in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE host (id INTEGER PRIMARY KEY, rname TEXT NOT NULL UNIQUE);
                    CREATE TABLE who (id INTEGER PRIMARY KEY, client TEXT NOT NULL, user TEXT NOT NULL, UNIQUE (client, user));
                    CREATE TABLE host_day (
                        host INTEGER NOT NULL, day INTEGER NOT NULL,
                        count INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
                        PRIMARY KEY (host, day)) WITHOUT ROWID;
                    CREATE TABLE visit_day (
                        host INTEGER NOT NULL, day INTEGER NOT NULL, who INTEGER NOT NULL,
                        count INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
                        PRIMARY KEY (host, day, who)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: hits") { db in
            try db.execute(
                sql: """
                    CREATE TABLE hit (
                        id TEXT PRIMARY KEY, time INTEGER NOT NULL, list TEXT NOT NULL,
                        retro INTEGER NOT NULL, json TEXT NOT NULL);
                    CREATE INDEX hit_time ON hit (time);
                    """)
        }
        // Visits keyed by day first: a batch's upserts land in today's end of the tree (which
        // stays in the cache) instead of all over a month of rows, and retention deletes a range.
        migrator.registerMigration("v3: visit_day by day") { db in
            try db.execute(
                sql: """
                    CREATE TABLE visit_day_by_day (
                        day INTEGER NOT NULL, host INTEGER NOT NULL, who INTEGER NOT NULL,
                        count INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,
                        PRIMARY KEY (day, host, who)) WITHOUT ROWID;
                    INSERT INTO visit_day_by_day SELECT day, host, who, count, first, last FROM visit_day;
                    DROP TABLE visit_day;
                    ALTER TABLE visit_day_by_day RENAME TO visit_day;
                    """)
        }
        migrator.registerMigration("v4: backfill") { db in
            try db.execute(
                sql: """
                    CREATE TABLE backfill (
                        fingerprint TEXT PRIMARY KEY, path TEXT NOT NULL, lines INTEGER NOT NULL, at INTEGER NOT NULL);
                    """)
        }
        return migrator
    }

    /// One (host, client, user) under a domain, summed over the days asked for.
    public struct Visits: Sendable, Equatable {
        public var host: String
        public var client: String
        /// `nil` when the log had none.
        public var user: String?
        public var count: Int64
        public var first: Int64
        public var last: Int64
    }

    /// Every (host, client, user) that visited `domain` (canonical form) or, unless `exact`, any
    /// name under it, from `sinceMillis` on (whole UTC days: the day that moment falls in counts).
    ///
    /// The hosts come from one range of the `host` index, their days from `host_day`, and each
    /// (day, host) is one range of `visit_day`; the sums are made on integer ids, and each host
    /// and client name is read once, not once per row.
    public func visits(_ domain: String, sinceMillis: Int64, exact: Bool = false) throws -> [Visits] {
        let reversed = Self.reversedLabels(domain)
        let day = Self.day(ofMillis: sinceMillis)
        return try reader.read { db in
            let hosts = try Row.fetchAll(
                db, sql: "SELECT id, rname FROM host WHERE rname = ? OR (? AND rname > ? AND rname < ?)",
                arguments: [reversed, !exact, reversed + ".", reversed + "/"])
            guard !hosts.isEmpty else { return [] }
            let rows = try db.cachedStatement(
                sql: """
                    SELECT v.who, v.count, v.first, v.last FROM host_day d
                    JOIN visit_day v ON v.day = d.day AND v.host = d.host
                    WHERE d.host = ? AND d.day >= ?
                    """)
            let raw = rows.sqliteStatement
            var sums: [(host: Int, who: Int64, count: Int64, first: Int64, last: Int64)] = []
            var whoNames: [Int64: (client: String, user: String?)] = [:]
            for (hostIndex, host) in hosts.enumerated() {
                sqlite3_bind_int64(raw, 1, host["id"])
                sqlite3_bind_int64(raw, 2, Int64(day))
                var byWho: [Int64: Int] = [:]
                var code = sqlite3_step(raw)
                while code == SQLITE_ROW {
                    let (who, count) = (sqlite3_column_int64(raw, 0), sqlite3_column_int64(raw, 1))
                    let (first, last) = (sqlite3_column_int64(raw, 2), sqlite3_column_int64(raw, 3))
                    if let at = byWho[who] {
                        sums[at].count += count
                        sums[at].first = min(sums[at].first, first)
                        sums[at].last = max(sums[at].last, last)
                    } else {
                        byWho[who] = sums.count
                        sums.append((hostIndex, who, count, first, last))
                        whoNames[who] = ("", nil)
                    }
                    code = sqlite3_step(raw)
                }
                sqlite3_reset(raw)
                guard code == SQLITE_DONE else { throw Self.error(code, db) }
            }
            let names = try db.cachedStatement(sql: "SELECT client, user FROM who WHERE id = ?")
            for who in whoNames.keys {
                if let row = try Row.fetchOne(names, arguments: [who]) {
                    let user: String = row["user"]
                    whoNames[who] = (row["client"], user.isEmpty ? nil : user)
                }
            }
            let hostNames = hosts.map { Self.reversedLabels($0["rname"] as String) }
            return sums.map { sum in
                let who = whoNames[sum.who]!
                return Visits(
                    host: hostNames[sum.host], client: who.client, user: who.user, count: sum.count, first: sum.first, last: sum.last)
            }
        }
    }

    /// Who visited `domain` (canonical form) or, unless `exact`, any name under it, from
    /// `sinceMillis` on (whole UTC days: the day that moment falls in counts).
    public func visited(_ domain: String, sinceMillis: Int64, exact: Bool = false) throws -> VisitReport {
        let rows = try visits(domain, sinceMillis: sinceMillis, exact: exact)
        var report = VisitReport(domain: domain)
        var hosts: [String: VisitReport.Host] = [:]
        var visitors: [String: VisitReport.Visitor] = [:]
        for row in rows {
            let (host, client, user, count, first, last) = (row.host, row.client, row.user, row.count, row.first, row.last)
            hosts[host, default: VisitReport.Host(host: host, count: 0, first: first, last: last)].add(count, first, last)
            let key = client + "\u{0}" + (user ?? "")
            visitors[key, default: VisitReport.Visitor(client: client, user: user, count: 0, first: first, last: last, hosts: [])]
                .add(count, first, last, host: host)
        }
        report.hosts = hosts.values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.host < $1.host }
        report.visitors = visitors.values.map { visitor in
            var visitor = visitor
            visitor.hosts.sort()
            return visitor
        }.sorted { $0.last != $1.last ? $0.last > $1.last : ($0.client, $0.user ?? "") < ($1.client, $1.user ?? "") }
        return report
    }

    /// Moves the write-ahead log into the database file (SQLite does this on its own every 1000
    /// pages; this is for measuring the file's size).
    public func checkpoint() throws {
        guard let writer = writer as? DatabasePool else { return }
        try writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// Deletes the days before `day` (retention), their hits, and hosts and clients no longer
    /// referred to.
    public func prune(beforeDay day: Int32) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM visit_day WHERE day < ?", arguments: [day])
            try db.execute(sql: "DELETE FROM host_day WHERE day < ?", arguments: [day])
            try pruneHits(beforeMillis: Int64(day) * 86_400_000, db)
            try db.execute(sql: "DELETE FROM host WHERE id NOT IN (SELECT host FROM host_day)")
            try db.execute(sql: "DELETE FROM who WHERE id NOT IN (SELECT who FROM visit_day)")
            // Ids of deleted names must not be reused from an aggregator's memory.
            idEpoch.withLock { $0 += 1 }
        }
    }

    /// Per-host totals from `host_day` over a domain (the cheaper question: which names).
    public func hostTotals(_ domain: String, sinceMillis: Int64) throws -> [VisitReport.Host] {
        let reversed = Self.reversedLabels(domain)
        return try reader.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT h.rname, SUM(d.count) AS count, MIN(d.first) AS first, MAX(d.last) AS last
                    FROM host h JOIN host_day d ON d.host = h.id
                    WHERE (h.rname = ? OR (h.rname > ? AND h.rname < ?)) AND d.day >= ?
                    GROUP BY h.id ORDER BY h.rname
                    """,
                arguments: [reversed, reversed + ".", reversed + "/", Self.day(ofMillis: sinceMillis)]
            ).map { row in
                VisitReport.Host(host: Self.reversedLabels(row["rname"] as String), count: row["count"], first: row["first"], last: row["last"])
            }
        }
    }

    /// `login.evil.com` ⇄ `com.evil.login`.
    public static func reversedLabels(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).reversed().joined(separator: ".")
    }

    /// The UTC day number (days since 1970-01-01) of a time in milliseconds.
    public static func day(ofMillis millis: Int64) -> Int32 {
        Int32((millis >= 0 ? millis : millis - 86_399_999) / 86_400_000)
    }
}

/// The answer to "who visited this domain?".
public struct VisitReport: Sendable, Equatable, Encodable {
    public struct Host: Sendable, Equatable, Encodable {
        public var host: String
        public var count: Int64
        public var first: Int64
        public var last: Int64

        mutating func add(_ count: Int64, _ first: Int64, _ last: Int64) {
            self.count += count
            self.first = min(self.first, first)
            self.last = max(self.last, last)
        }
    }

    public struct Visitor: Sendable, Equatable, Encodable {
        public var client: String
        public var user: String?
        public var count: Int64
        public var first: Int64
        public var last: Int64
        /// The hosts under the domain this visitor asked for.
        public var hosts: [String]

        public init(client: String, user: String?, count: Int64, first: Int64, last: Int64, hosts: [String]) {
            (self.client, self.user, self.count, self.first, self.last, self.hosts) = (client, user, count, first, last, hosts)
        }

        mutating func add(_ count: Int64, _ first: Int64, _ last: Int64, host: String) {
            self.count += count
            self.first = min(self.first, first)
            self.last = max(self.last, last)
            if !hosts.contains(host) { hosts.append(host) }
        }
    }

    public var domain: String
    public var hosts: [Host] = []
    public var visitors: [Visitor] = []

    public var visited: Bool { !visitors.isEmpty }
}
