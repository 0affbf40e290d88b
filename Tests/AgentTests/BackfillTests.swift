import Foundation
import Testing
import VisitIndex

@Suite("hostwatch backfill")
struct BackfillTests {
    let dir: URL
    init() throws { dir = try makeTemporaryDirectory() }

    /// 600 Squid lines over two days (2026-11-28 and -29, UTC): every third line visits a host
    /// under evil.test (200), from 20 clients, users alice/bob/none; the rest visit
    /// www.benign.test; plus a lookalike, an IP host and a line that is not a visit.
    func writeLog() throws -> String {
        var text = ""
        let start = 1_795_824_000.0  // 2026-11-28T00:00:00Z
        for i in 0..<600 {
            let time = String(format: "%.3f", start + Double(i) * 288)
            let host = i % 3 == 0 ? (i % 2 == 0 ? "www.evil.test" : "evil.test") : "www.benign.test"
            let user = ["alice", "bob", "-"][i % 3 == 0 ? (i / 3) % 3 : 0]
            text += "\(time)     12 10.0.0.\(i % 20) TCP_MISS/200 512 GET http://\(host)/p/\(i) \(user) HIER_DIRECT/127.0.0.1 text/html\n"
        }
        text += "1795910000.000     12 10.0.0.99 TCP_MISS/200 512 GET http://notevil.test/ - HIER_DIRECT/127.0.0.1 text/html\n"
        text += "1795910000.000     12 10.0.0.99 TCP_MISS/200 512 GET http://192.0.2.7/ - HIER_DIRECT/127.0.0.1 text/html\n"
        text += "this is not a squid line\n"
        let path = dir.appendingPathComponent("access.log").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        return path
    }

    func visitedCount(_ domain: String) throws -> Int {
        let result = try runHostwatch(["visited", domain, "--json", "--since", "2026-01-01", "--state-dir", dir.appendingPathComponent("state").path])
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        return (object["visitors"] as? [[String: Any]] ?? []).reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
    }

    @Test("a .gz backfilled twice (and its plain original) counts once; hits against the watchlist are printed and kept")
    func idempotent() throws {
        let log = try writeLog()
        try "evil.test risk=80\n".write(to: dir.appendingPathComponent("watched.txt"), atomically: true, encoding: .utf8)
        try """
            state_dir = "state"
            [[source]]
            name = "squid"
            paths = ["/var/log/squid/access.log"]
            format = "squid"
            [watchlist]
            files = ["watched.txt"]
            """.write(to: dir.appendingPathComponent("hostwatch.toml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("state"), withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("hostwatch.toml").path

        let first = try runHostwatch(["backfill", "--config", config, log + ".gz"])
        #expect(first.status == 0, "\(first.stderr)")
        let hits = first.stdoutText.split(separator: "\n")
        #expect(hits.count == 200)
        let hit = try #require(try JSONSerialization.jsonObject(with: Data(hits[0].utf8)) as? [String: Any])
        #expect(hit["host"] as? String == "www.evil.test")
        #expect(hit["watched"] as? String == "evil.test")
        #expect(hit["time"] as? String == "2026-11-28T00:00:00.000Z")
        #expect(hit["risk"] as? Int == 80)
        #expect(first.stderr.contains("access.log.gz: loaded (squid): 603 lines, 601 visits indexed, 1 with an IP or invalid host, 1 not visits, 200 hits"))
        #expect(try visitedCount("evil.test") == 200)
        #expect(try visitedCount("benign.test") == 400)
        #expect(try visitedCount("notevil.test") == 1)

        let again = try runHostwatch(["backfill", "--config", config, log + ".gz", log])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdoutText.isEmpty)
        #expect(again.stderr.contains("access.log.gz: already loaded (as \(log).gz, "))
        #expect(again.stderr.contains("access.log: already loaded (as \(log).gz, "))
        #expect(try visitedCount("evil.test") == 200)
        #expect(try visitedCount("benign.test") == 400)
        let index = try VisitIndex(path: dir.appendingPathComponent("state/visits.sqlite").path, readOnly: true)
        #expect(try index.hits(sinceMillis: 0, limit: 1000).count == 200)
        // Per day: 2026-11-28 holds the first 300 lines (lines every 288 s).
        #expect(try index.visited("benign.test", sinceMillis: 1_795_910_400_000).visitors.reduce(0) { $0 + $1.count } == 200)
    }

    @Test("a missing file fails (exit 2) without touching the others")
    func missingFile() throws {
        let log = try writeLog()
        let result = try runHostwatch(["backfill", "--state-dir", dir.path, dir.appendingPathComponent("nope.log").path, log])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nope.log: not loaded: cannot open"))
        #expect(result.stderr.contains("access.log: loaded (squid): 603 lines, 601 visits indexed"))
        let usage = try runHostwatch(["backfill", log])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("give --config or --state-dir"))
    }
}
