import Foundation
import Synchronization
import Testing
import VisitIndex

@Suite("Retro-hunt")
struct RetroHuntTests {
    /// Visits the index holds from yesterday (before the daemon runs): 3 visits of
    /// login.evil.test by (10.0.0.7, alice), 1 of cdn.evil.test by 10.0.0.9 (no user), 2 of
    /// evil.test by (10.0.0.7, alice); lookalikes and an allowed host that must never give a
    /// retro hit; and a host that was already watched (its visits were live hits then).
    func fillIndex(_ path: String, yesterday: Int64) throws {
        let index = try VisitIndex(path: path)
        var batch = VisitBatch()
        for i in 0..<3 { batch.add(host: "login.evil.test", client: "10.0.0.7", user: "alice", timeMillis: yesterday + Int64(i) * 1000) }
        batch.add(host: "cdn.evil.test", client: "10.0.0.9", user: nil, timeMillis: yesterday + 500)
        batch.add(host: "evil.test", client: "10.0.0.7", user: "alice", timeMillis: yesterday + 100)
        batch.add(host: "evil.test", client: "10.0.0.7", user: "alice", timeMillis: yesterday + 200)
        batch.add(host: "notevil.test", client: "10.0.0.8", user: "bob", timeMillis: yesterday)
        batch.add(host: "evil.test.example", client: "10.0.0.8", user: "bob", timeMillis: yesterday)
        batch.add(host: "corp.evil.test", client: "10.0.0.8", user: "bob", timeMillis: yesterday)
        batch.add(host: "old.evil.test", client: "10.0.0.8", user: "bob", timeMillis: yesterday)
        try index.write(batch)
    }

    func lines(_ path: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    @Test("adding a domain seen yesterday gives exactly one retro hit per (client, user, host), once")
    func retroHitsOnce() throws {
        let harness = try DaemonHarness(watched: ["old.evil.test"], index: "enabled = true\nretention_days = 30")
        let state = harness.dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let yesterday = (Int64(Date().timeIntervalSince1970) / 86_400 - 1) * 86_400_000 + 3_600_000
        try fillIndex(state.appendingPathComponent("visits.sqlite").path, yesterday: yesterday)
        let allowPath = harness.dir.appendingPathComponent("allow.txt").path
        try "corp.evil.test\n".write(toFile: allowPath, atomically: true, encoding: .utf8)
        var config = try String(contentsOfFile: harness.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "files = [\"watched.txt\"]", with: "files = [\"watched.txt\"]\nallow = [\"allow.txt\"]")
        try config.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
        try harness.startAndWait()
        #expect(lines(harness.hitsPath).isEmpty)

        try "old.evil.test\nevil.test tags=brand,login risk=90\n".write(
            toFile: harness.watchPath, atomically: true, encoding: .utf8)
        harness.hup()
        harness.waitForLines(3)
        #expect(harness.waitForLog("retro-hunt: 3 retro hits for 1 new watch entries"), "\(harness.stderr)")
        // A second reload with nothing new finds nothing new.
        harness.hup()
        #expect(harness.waitForLog("reloaded"))
        usleep(1_500_000)
        #expect(harness.stop().status == 0)

        let retro = lines(harness.hitsPath)
        #expect(retro.count == 3)
        let byKey = Dictionary(
            uniqueKeysWithValues: retro.map { ("\($0["host"] as? String ?? "?") \($0["client"] as? String ?? "?") \($0["user"] as? String ?? "-")", $0) })
        #expect(Set(byKey.keys) == ["login.evil.test 10.0.0.7 alice", "cdn.evil.test 10.0.0.9 -", "evil.test 10.0.0.7 alice"])
        let login = try #require(byKey["login.evil.test 10.0.0.7 alice"])
        #expect(login["retro"] as? Bool == true)
        #expect(login["count"] as? Int == 3)
        #expect(login["watched"] as? String == "evil.test")
        #expect(login["list"] as? String == "watched")
        #expect(login["tags"] as? [String] == ["brand", "login"])
        #expect(login["risk"] as? Int == 90)
        #expect(login["first"] as? String == rfc3339(yesterday))
        #expect(login["last"] as? String == rfc3339(yesterday + 2000))
        #expect(login["time"] as? String == rfc3339(yesterday + 2000))
        #expect((login["id"] as? String)?.hasPrefix("retro-") == true)
        #expect(byKey["cdn.evil.test 10.0.0.9 -"]?["user"] is NSNull)
        #expect(byKey["evil.test 10.0.0.7 alice"]?["count"] as? Int == 2)
        // The hits are kept in the index as well (for GET /v1/hits).
        let stored = try VisitIndex(path: state.appendingPathComponent("visits.sqlite").path, readOnly: true)
        #expect(try stored.hits(sinceMillis: 0, limit: 10).filter(\.retro).count == 3)
    }

    func rfc3339(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

@Suite("The index under load")
struct IndexUnderQueryTests {
    @Test("the daemon keeps ingesting and indexing while large visited queries run")
    func ingestDuringQueries() throws {
        let harness = try DaemonHarness(watched: ["evil.test"], index: "enabled = true\nretention_days = 30")
        let state = harness.dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let path = state.appendingPathComponent("visits.sqlite").path
        // A big domain: 2,000 hosts × 50 clients over 3 days (300,000 rows).
        let today = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            let index = try VisitIndex(path: path)
            for day in 0..<3 {
                var batch = VisitBatch()
                for host in 0..<2_000 {
                    for client in 0..<50 {
                        batch.add(host: "h\(host).big.test", client: "10.9.\(client).1", user: nil, timeMillis: today - Int64(day) * 86_400_000)
                    }
                }
                try index.write(batch)
            }
        }
        let writer = LogWriter(path: harness.logPath)
        try harness.startAndWait()
        let reader = try VisitIndex(path: path, readOnly: true)
        // One large query (300,000 rows, seconds in a debug build) on another thread, while
        // 2,000 lines are written: every hit arrives before the query is done.
        let queryDone = Mutex<(Date, VisitReport)?>(nil)
        let thread = Thread {
            let report = try? reader.visited("big.test", sinceMillis: today - 3 * 86_400_000)
            queryDone.withLock { $0 = report.map { (Date(), $0) } }
        }
        thread.start()
        usleep(100_000)
        writer.write(2_000, linesPerSecond: 4_000)
        let hits = harness.waitForHits(400, timeout: 20)
        let hitsDone = Date()
        #expect(hits.count == 400)
        while queryDone.withLock({ $0 }) == nil { usleep(50_000) }
        let (queryEnd, big) = try #require(queryDone.withLock { $0 })
        #expect(big.hosts.count == 2_000)
        #expect(big.visitors.count == 50)
        #expect(big.visitors.allSatisfy { $0.count == 6_000 })
        #expect(hitsDone < queryEnd, "the query ended \(queryEnd.timeIntervalSince(hitsDone)) s after the hits")
        #expect(harness.stop().status == 0)
        let evil = try VisitIndex(path: path, readOnly: true).visited("evil.test", sinceMillis: today - 86_400_000)
        #expect(evil.visitors.reduce(0) { $0 + $1.count } == 400)
    }
}
