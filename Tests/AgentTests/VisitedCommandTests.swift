import Foundation
import Testing
import VisitIndex

@Suite("hostwatch visited")
struct VisitedCommandTests {
    let dir: URL
    init() throws { dir = try makeTemporaryDirectory() }

    /// An index with visits yesterday and today, written the way the daemon will write it.
    func makeIndex() throws {
        let index = try VisitIndex(path: dir.appendingPathComponent("visits.sqlite").path)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let yesterday = now - 86_400_000
        var batch = VisitBatch()
        batch.add(host: "login.evil.test", client: "10.0.0.7", user: "alice", timeMillis: yesterday)
        batch.add(host: "login.evil.test", client: "10.0.0.7", user: "alice", timeMillis: now - 1000)
        batch.add(host: "cdn.evil.test", client: "10.0.0.9", user: nil, timeMillis: now - 2000)
        batch.add(host: "notevil.test", client: "10.0.0.8", user: "bob", timeMillis: now - 3000)
        try index.write(batch)
    }

    @Test("visited via a subdomain: exit 0, one row per client and user with count and hosts")
    func visited() throws {
        try makeIndex()
        let result = try runHostwatch(["visited", "EVIL.test.", "--state-dir", dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("evil.test: visited by 2 client/user pair(s), 3 visit(s) since "))
        #expect(lines[1].hasPrefix("CLIENT    USER   VISITS  FIRST SEEN"))
        #expect(lines[2].hasPrefix("10.0.0.7  alice  2  "))
        #expect(lines[2].hasSuffix("login.evil.test"))
        #expect(lines[3].hasPrefix("10.0.0.9  -      1  "))
        #expect(lines[3].hasSuffix("cdn.evil.test"))
    }

    @Test("--json: the domain, visited, hosts and visitors with RFC 3339 times")
    func json() throws {
        try makeIndex()
        let result = try runHostwatch(["visited", "evil.test", "--json", "--state-dir", dir.path])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(object["domain"] as? String == "evil.test")
        #expect(object["visited"] as? Bool == true)
        let visitors = try #require(object["visitors"] as? [[String: Any]])
        #expect(visitors.map { $0["client"] as? String } == ["10.0.0.7", "10.0.0.9"])
        #expect(visitors[0]["user"] as? String == "alice")
        #expect(visitors[1]["user"] is NSNull)
        #expect(visitors[0]["count"] as? Int == 2)
        #expect((visitors[0]["first"] as? String)?.hasSuffix("Z") == true)
        let hosts = try #require(object["hosts"] as? [[String: Any]])
        #expect(Set(hosts.compactMap { $0["host"] as? String }) == ["login.evil.test", "cdn.evil.test"])
    }

    @Test("not visited: exit 1 (a lookalike does not count; --exact; --since today); bad input: exit 2")
    func notVisited() throws {
        try makeIndex()
        let lookalike = try runHostwatch(["visited", "vil.test", "--state-dir", dir.path])
        #expect(lookalike.status == 1)
        #expect(lookalike.stdoutText.hasPrefix("vil.test: no visits since "))
        #expect(try runHostwatch(["visited", "evil.test", "--exact", "--state-dir", dir.path]).status == 1)
        let today = try runHostwatch(["visited", "login.evil.test", "--since", "0d", "--json", "--state-dir", dir.path])
        #expect(today.status == 0)
        #expect(try runHostwatch(["visited", "not a name", "--state-dir", dir.path]).status == 2)
        #expect(try runHostwatch(["visited", "evil.test", "--since", "soon", "--state-dir", dir.path]).status == 2)
        let missing = try runHostwatch(["visited", "evil.test", "--state-dir", dir.path + "/nope"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no visit index at \(dir.path)/nope/visits.sqlite"))
    }
}

@Suite("The daemon fills the visit index")
struct DaemonVisitIndexTests {
    @Test("every visit the daemon reads is in the index: hostwatch visited counts them per client and user")
    func daemonIndexesVisits() throws {
        let harness = try DaemonHarness(watched: ["evil.test"], index: "enabled = true\nretention_days = 30")
        let writer = LogWriter(path: harness.logPath)
        try harness.startAndWait()
        writer.write(1000)
        harness.waitForHits(200)
        #expect(harness.stop().status == 0)
        let state = harness.dir.appendingPathComponent("state").path
        // 1000 lines: every 5th to www.evil.test (200), the rest to www.benign.test (800), from
        // 250 clients (10.1.2.<seq % 250>), all as user alice.
        let evil = try runHostwatch(["visited", "evil.test", "--json", "--state-dir", state])
        #expect(evil.status == 0, "\(evil.stderr)")
        let evilObject = try #require(try JSONSerialization.jsonObject(with: evil.stdout) as? [String: Any])
        let evilVisitors = try #require(evilObject["visitors"] as? [[String: Any]])
        #expect(evilVisitors.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 200)
        #expect(Set(evilVisitors.compactMap { $0["user"] as? String }) == ["alice"])
        #expect(Set(evilVisitors.compactMap { $0["client"] as? String }).count == 50)
        let benign = try runHostwatch(["visited", "benign.test", "--json", "--state-dir", state])
        let benignObject = try #require(try JSONSerialization.jsonObject(with: benign.stdout) as? [String: Any])
        let benignHosts = try #require(benignObject["hosts"] as? [[String: Any]])
        #expect(benignHosts.map { $0["host"] as? String } == ["www.benign.test"])
        #expect(benignHosts.first?["count"] as? Int == 800)
        // A restart resumes from the checkpoint: nothing is counted twice.
        try harness.startAndWait()
        writer.write(10)
        harness.waitForHits(202)
        #expect(harness.stop().status == 0)
        let again = try runHostwatch(["visited", "benign.test", "--json", "--state-dir", state])
        let againObject = try #require(try JSONSerialization.jsonObject(with: again.stdout) as? [String: Any])
        #expect((againObject["hosts"] as? [[String: Any]])?.first?["count"] as? Int == 808)
    }
}

@Suite("The visit index can be turned off")
struct VisitIndexOffTests {
    @Test("with [index] enabled = false the daemon writes no index")
    func off() throws {
        let harness = try DaemonHarness(watched: ["evil.test"], index: "enabled = false")
        let writer = LogWriter(path: harness.logPath)
        try harness.startAndWait()
        writer.write(50)
        harness.waitForHits(10)
        #expect(harness.stop().status == 0)
        #expect(!FileManager.default.fileExists(atPath: harness.dir.appendingPathComponent("state/visits.sqlite").path))
    }
}
