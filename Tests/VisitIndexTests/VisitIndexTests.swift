import Foundation
import SeededRandom
import Testing
import VisitIndex

/// A fresh index in its own directory, removed when dropped.
final class TempIndex {
    let dir: String
    let index: VisitIndex

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("visitindex-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        index = try VisitIndex(path: dir + "/visits.sqlite")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }
}

let day0: Int64 = 1_795_910_400_000  // 2026-11-29T00:00:00Z

@Suite("The visit index")
struct VisitIndexTests {
    @Test("counts and first/last per host and per (client, user) equal a reference over generated visits")
    func matchesReference() throws {
        let t = try TempIndex()
        var rng = SplitMix64(state: 0x7669_7369_7473)
        let hosts = ["evil.test", "login.evil.test", "a.b.evil.test", "notevil.test", "evil.test.example", "cdn.example"]
        let clients = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
        let users: [String?] = ["alice", nil, "bob"]
        // Reference: per (host, client, user) over all days.
        struct Key: Hashable { var host: String; var client: String; var user: String? }
        var reference: [Key: (count: Int64, first: Int64, last: Int64)] = [:]
        for batchNumber in 0..<5 {
            var batch = VisitBatch()
            for _ in 0..<2000 {
                let key = Key(
                    host: hosts[Int(rng.next() % UInt64(hosts.count))], client: clients[Int(rng.next() % 3)],
                    user: users[Int(rng.next() % 3)])
                let time = day0 + Int64(batchNumber) * 86_400_000 / 2 + Int64(rng.next() % 86_400_000)
                batch.add(host: key.host, client: key.client, user: key.user, timeMillis: time)
                let old = reference[key] ?? (0, .max, .min)
                reference[key] = (old.count + 1, min(old.first, time), max(old.last, time))
            }
            try t.index.write(batch)
        }
        let report = try t.index.visited("evil.test", sinceMillis: day0)
        // Only evil.test and its subdomains; never notevil.test nor evil.test.example.
        #expect(report.hosts.map(\.host).sorted() == ["a.b.evil.test", "evil.test", "login.evil.test"])
        let under = reference.filter { $0.key.host == "evil.test" || $0.key.host.hasSuffix(".evil.test") }
        for host in report.hosts {
            let expected = under.filter { $0.key.host == host.host }.values
            #expect(host.count == expected.reduce(0) { $0 + $1.count }, "\(host.host)")
            #expect(host.first == expected.map(\.first).min(), "\(host.host)")
            #expect(host.last == expected.map(\.last).max(), "\(host.host)")
        }
        #expect(report.visitors.count == 9)
        for visitor in report.visitors {
            let expected = under.filter { $0.key.client == visitor.client && $0.key.user == visitor.user }
            #expect(visitor.count == expected.values.reduce(0) { $0 + $1.count }, "\(visitor.client) \(visitor.user ?? "-")")
            #expect(visitor.first == expected.values.map(\.first).min())
            #expect(visitor.last == expected.values.map(\.last).max())
            #expect(visitor.hosts == Set(expected.keys.map(\.host)).sorted())
        }
        // host_day totals agree with visit_day.
        let totals = try t.index.hostTotals("evil.test", sinceMillis: day0)
        #expect(totals.map(\.host) == ["evil.test", "a.b.evil.test", "login.evil.test"].sorted { VisitIndex.reversedLabels($0) < VisitIndex.reversedLabels($1) })
        for total in totals { #expect(report.hosts.first { $0.host == total.host } == total) }
    }

    @Test("a subdomain visit finds the domain; a lookalike does not; exact finds only the name")
    func subdomainsAndLookalikes() throws {
        let t = try TempIndex()
        var batch = VisitBatch()
        batch.add(host: "login.evil.test", client: "10.0.0.1", user: "alice", timeMillis: day0 + 1000)
        batch.add(host: "notevil.test", client: "10.0.0.2", user: nil, timeMillis: day0 + 2000)
        batch.add(host: "evil.test.attacker.example", client: "10.0.0.3", user: nil, timeMillis: day0 + 3000)
        try t.index.write(batch)
        let report = try t.index.visited("evil.test", sinceMillis: day0)
        #expect(report.visited)
        #expect(report.visitors == [VisitReport.Visitor(client: "10.0.0.1", user: "alice", count: 1, first: day0 + 1000, last: day0 + 1000, hosts: ["login.evil.test"])])
        #expect(try !t.index.visited("evil.test", sinceMillis: day0, exact: true).visited)
        #expect(try t.index.visited("login.evil.test", sinceMillis: day0, exact: true).visitors.count == 1)
        #expect(try !t.index.visited("vil.test", sinceMillis: day0).visited)
        // `since` is by whole days: a visit on an earlier day is not counted.
        #expect(try !t.index.visited("evil.test", sinceMillis: day0 + 86_400_000).visited)
    }

    @Test("batches add up; retention deletes old days and what only they referred to")
    func batchesAndRetention() throws {
        let t = try TempIndex()
        for day in 0..<3 {
            var batch = VisitBatch()
            batch.add(host: "evil.test", client: "10.0.0.1", user: nil, timeMillis: day0 + Int64(day) * 86_400_000 + 5)
            batch.add(host: "evil.test", client: "10.0.0.1", user: nil, timeMillis: day0 + Int64(day) * 86_400_000 + 9)
            batch.add(host: "day\(day).test", client: "10.0.0.\(day + 5)", user: nil, timeMillis: day0 + Int64(day) * 86_400_000)
            #expect(batch.lines == 3)
            #expect(batch.distinctVisits == 2)
            try t.index.write(batch)
        }
        #expect(try t.index.visited("evil.test", sinceMillis: day0).visitors.first?.count == 6)
        try t.index.prune(beforeDay: VisitIndex.day(ofMillis: day0) + 2)
        let after = try t.index.visited("evil.test", sinceMillis: 0)
        #expect(after.visitors.first?.count == 2)
        #expect(after.visitors.first?.first == day0 + 2 * 86_400_000 + 5)
        #expect(try !t.index.visited("day0.test", sinceMillis: 0).visited)
        #expect(try t.index.visited("day2.test", sinceMillis: 0).visited)
        // A reopened index keeps everything (and does not migrate twice).
        let reopened = try VisitIndex(path: t.index.path)
        #expect(try reopened.visited("evil.test", sinceMillis: 0).visitors.first?.count == 2)
    }

    @Test("labels reversed, and UTC days, including before 1970")
    func helpers() {
        #expect(VisitIndex.reversedLabels("login.evil.com") == "com.evil.login")
        #expect(VisitIndex.reversedLabels("com") == "com")
        #expect(VisitIndex.day(ofMillis: day0) == 20_786)
        #expect(VisitIndex.day(ofMillis: day0 - 1) == 20_785)
        #expect(VisitIndex.day(ofMillis: -1) == -1)
    }
}

@Suite("Summing visits from log bytes")
struct VisitAggregatorTests {
    @Test("the aggregator's sums equal VisitBatch's for the same visits; each raw host is normalized once while ids stay valid")
    func sameAsBatch() throws {
        var rng = SplitMix64(state: 0x6167_6772)
        var aggregator = VisitAggregator()
        var reference = VisitBatch()
        let hosts = ["Login.Evil.TEST", "login.evil.test.", "cdn.example", String(repeating: "x", count: 40) + ".example", "bad..name"]
        func addAll(_ count: Int) {
            for i in 0..<count {
                let host = hosts[Int(rng.next() % UInt64(hosts.count))]
                let client = "10.0.\(rng.next() % 3).\(rng.next() % 200)"
                let user: String? = rng.next() % 3 == 0 ? nil : (rng.next() % 2 == 0 ? "alice" : "")
                let time = day0 + Int64(i) * 10_000
                let (h, c, u) = (Array(host.utf8), Array(client.utf8), user.map { Array($0.utf8) })
                h.withUnsafeBytes { hb in
                    c.withUnsafeBytes { cb in
                        if let u {
                            u.withUnsafeBytes { ub in aggregator.add(host: hb, client: cb, user: ub, timeMillis: time) }
                        } else {
                            aggregator.add(host: hb, client: cb, user: nil, timeMillis: time)
                        }
                    }
                }
                if host == "bad..name" { continue }
                let canonical = host.lowercased().hasSuffix(".") ? String(host.lowercased().dropLast()) : host.lowercased()
                reference.add(host: canonical, client: client, user: user, timeMillis: time)
            }
        }
        var normalizeCalls = 0
        func normalize(_ raw: UnsafeRawBufferPointer, _ out: UnsafeMutableRawBufferPointer) -> Int? {
            normalizeCalls += 1
            var text = String(decoding: raw, as: UTF8.self).lowercased()
            if text.contains("..") { return nil }
            if text.hasSuffix(".") { text.removeLast() }
            let bytes = Array(text.utf8)
            out.copyBytes(from: bytes)
            return bytes.count
        }
        let a = try TempIndex()
        let b = try TempIndex()
        addAll(20_000)
        #expect(aggregator.lines == 20_000)
        let first = try a.index.write(&aggregator, normalize: normalize)
        #expect(normalizeCalls == hosts.count)
        #expect(first.lines + first.invalidHostLines == 20_000)
        #expect(first.lines == reference.lines)
        // A second batch: the same hosts are not normalized again.
        addAll(5_000)
        let second = try a.index.write(&aggregator, normalize: normalize)
        #expect(normalizeCalls == hosts.count)
        #expect(second.namesLookedUp == 0)
        #expect(first.lines + second.lines == reference.lines)
        try b.index.write(reference)
        for domain in ["evil.test", "example"] {
            #expect(try a.index.visited(domain, sinceMillis: 0) == b.index.visited(domain, sinceMillis: 0), "\(domain)")
        }
        #expect(try a.index.visited("evil.test", sinceMillis: 0).visitors.reduce(0) { $0 + $1.count } > 9000)
        // Written: empty, and reusable.
        #expect(aggregator.distinctVisits == 0 && aggregator.lines == 0)
        // Retention may delete rows: ids are looked up again afterwards, and stay right.
        try a.index.prune(beforeDay: 0)
        reference = VisitBatch()
        addAll(1_000)
        _ = try a.index.write(&aggregator, normalize: normalize)
        #expect(normalizeCalls > hosts.count)
        try b.index.write(reference)
        #expect(try a.index.visited("evil.test", sinceMillis: 0) == b.index.visited("evil.test", sinceMillis: 0))
    }
}

@Suite("Interning names as bytes")
struct ByteInternerTests {
    func intern(_ interner: inout ByteInterner, _ a: String, _ b: String?) -> UInt32 {
        let (x, y) = (Array(a.utf8), b.map { Array($0.utf8) })
        return x.withUnsafeBytes { xa in
            if let y { return y.withUnsafeBytes { yb in interner.intern(xa, yb) } }
            return interner.intern(xa, nil)
        }
    }

    @Test("one id per distinct key, through growth, long names and nil-versus-empty second parts; bytes read back")
    func distinctKeys() {
        var interner = ByteInterner()
        var keys: [(String, String?)] = []
        for i in 0..<5_000 {
            keys.append(("h\(i).example", nil))
            keys.append(("h\(i).example", ""))
            keys.append(("10.0.\(i % 256).\(i / 256)", "user\(i)"))
            // Longer than a record holds inline: kept in the overflow arena.
            keys.append((String(repeating: "long-label-", count: 6) + "\(i).example", i % 2 == 0 ? nil : String(repeating: "u", count: 30)))
        }
        for (i, key) in keys.enumerated() { #expect(intern(&interner, key.0, key.1) == UInt32(i)) }
        #expect(interner.count == keys.count)
        // The same keys again: the same ids, nothing added.
        for (i, key) in keys.enumerated().reversed() { #expect(intern(&interner, key.0, key.1) == UInt32(i)) }
        #expect(interner.count == keys.count)
        for (i, key) in keys.enumerated() {
            let (a, b) = interner.withBytes(UInt32(i)) { a, b in
                (String(decoding: a, as: UTF8.self), b.map { String(decoding: $0, as: UTF8.self) })
            }
            #expect(a == key.0 && b == key.1)
        }
        // A key is its parts, not their concatenation.
        #expect(intern(&interner, "ab", "c") != intern(&interner, "a", "bc"))
    }
}

@Suite("Summing runs of the same visit")
struct VisitAggregatorRunTests {
    @Test("runs of lines with the same host and client (a page view) sum like scattered ones, across days and growth")
    func runs() throws {
        var rng = SplitMix64(state: 0x7275_6E73)
        var aggregator = VisitAggregator()
        var reference = VisitBatch()
        var line = 0
        for _ in 0..<3_000 {
            let host = "h\(rng.next() % 700).runs.test"
            let client = "10.1.\(rng.next() % 4).\(rng.next() % 50)"
            let user: String? = rng.next() % 4 == 0 ? nil : "u\(rng.next() % 3)"
            // A run of 1–8 lines, sometimes crossing midnight.
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let time = day0 + Int64(line) * 40_000
                line += 1
                let (h, c, u) = (Array(host.utf8), Array(client.utf8), user.map { Array($0.utf8) })
                h.withUnsafeBytes { hb in
                    c.withUnsafeBytes { cb in
                        if let u {
                            u.withUnsafeBytes { aggregator.add(host: hb, client: cb, user: $0, timeMillis: time) }
                        } else {
                            aggregator.add(host: hb, client: cb, user: nil, timeMillis: time)
                        }
                    }
                }
                reference.add(host: host, client: client, user: user, timeMillis: time)
            }
        }
        #expect(aggregator.lines == line)
        #expect(aggregator.distinctVisits == reference.distinctVisits)
        let a = try TempIndex()
        let b = try TempIndex()
        try a.index.write(&aggregator) { raw, out in
            out.copyMemory(from: raw)
            return raw.count
        }
        try b.index.write(reference)
        #expect(try a.index.visits("runs.test", sinceMillis: 0).sorted { "\($0)" < "\($1)" }
            == b.index.visits("runs.test", sinceMillis: 0).sorted { "\($0)" < "\($1)" })
        #expect(try a.index.visits("runs.test", sinceMillis: 0).reduce(0) { $0 + $1.count } == Int64(line))
    }
}
