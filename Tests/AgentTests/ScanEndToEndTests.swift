import Foundation
import Testing

/// `hostwatch scan` run as a child process, as a user runs it.
@Suite("hostwatch scan, end to end")
struct ScanEndToEndTests {
    static let logLines = [
        "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html",
        "1795923904.864     12 ::1 TCP_MISS/200 3473 GET http://Login.Evil-Brand.COM:8081/login? - HIER_DIRECT/127.0.0.1 text/html",
        "1795923905.003      0 127.0.0.2 TCP_MISS/200 365 GET http://notevil-brand.com/ alice HIER_DIRECT/127.0.0.1 text/plain",
        "1795923905.045      9 127.0.0.2 TCP_TUNNEL/200 1576 CONNECT [2001:DB8::7]:443 alice HIER_DIRECT/127.0.0.1 -",
        "1795923905.100      1 127.0.0.3 TCP_MISS/200 100 GET http://safe.evil-brand.com/x bob HIER_DIRECT/127.0.0.1 text/plain",
        "1795923905.200      1 127.0.0.3 TCP_MISS/200 100 GET http://xn--pypal-4ve.com/ bob HIER_DIRECT/127.0.0.1 text/plain",
        "1795923905.300      1 127.0.0.3 TCP_MISS/200 100 GET http://bad;host.evil-brand.com/ bob HIER_DIRECT/127.0.0.1 text/plain",
        "this line is not squid",
        "1795923905.400      1 10.0.0.9 NONE_NONE/400 0 NONE error:invalid-request - HIER_NONE/- text/html",
        "",
        "1795923905.500      3 127.0.0.5 TCP_MISS/200 100 GET http://evil-brand.com./ d%20o%22e HIER_DIRECT/127.0.0.1 text/plain",
    ]

    static let watchlist = """
        # brand watch
        evil-brand.com risk=90 tags=phishing,brand
        pаypal.com     risk=85 tags=homograph   # Cyrillic а
        2001:db8::7
        """

    /// Byte offset of each line in the file.
    static var offsets: [Int] {
        var result: [Int] = []
        var offset = 0
        for line in logLines {
            result.append(offset)
            offset += line.utf8.count + 1
        }
        return result
    }

    static func expectedHits(source: String) -> [[String: Any]] {
        let common: [String: Any] = ["kind": "proxy", "format": "squid", "source": source]
        func hit(_ fields: [String: Any]) -> [String: Any] { common.merging(fields) { $1 } }
        return [
            hit([
                "time": "2026-11-29T03:45:04.827Z", "host": "www.evil-brand.com", "watched": "evil-brand.com",
                "list": "brand", "tags": ["phishing", "brand"], "risk": 90, "client": "127.0.0.4", "user": "carol",
                "method": "CONNECT", "url": "www.evil-brand.com:443", "status": "403", "action": "TCP_DENIED",
                "offset": offsets[0],
            ]),
            hit([
                "time": "2026-11-29T03:45:04.864Z", "host": "login.evil-brand.com", "watched": "evil-brand.com",
                "list": "brand", "tags": ["phishing", "brand"], "risk": 90, "client": "::1", "user": NSNull(),
                "method": "GET", "url": "http://Login.Evil-Brand.COM:8081/login?", "status": "200",
                "action": "TCP_MISS", "offset": offsets[1],
            ]),
            hit([
                "time": "2026-11-29T03:45:05.045Z", "host": "2001:db8::7", "watched": "2001:db8::7",
                "list": "brand", "tags": [String](), "risk": NSNull(), "client": "127.0.0.2", "user": "alice",
                "method": "CONNECT", "url": "[2001:DB8::7]:443", "status": "200", "action": "TCP_TUNNEL",
                "offset": offsets[3],
            ]),
            hit([
                "time": "2026-11-29T03:45:05.200Z", "host": "xn--pypal-4ve.com", "watched": "xn--pypal-4ve.com",
                "list": "brand", "tags": ["homograph"], "risk": 85, "client": "127.0.0.3", "user": "bob",
                "method": "GET", "url": "http://xn--pypal-4ve.com/", "status": "200", "action": "TCP_MISS",
                "offset": offsets[5],
            ]),
            hit([
                "time": "2026-11-29T03:45:05.500Z", "host": "evil-brand.com", "watched": "evil-brand.com",
                "list": "brand", "tags": ["phishing", "brand"], "risk": 90, "client": "127.0.0.5",
                "user": "d%20o%22e", "method": "GET", "url": "http://evil-brand.com./", "status": "200",
                "action": "TCP_MISS", "offset": offsets[10],
            ]),
        ]
    }

    /// Compares every field: same keys, same values (numbers, strings, arrays, null).
    func expectSameHits(_ got: [[String: Any]], _ expected: [[String: Any]], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == expected.count, sourceLocation: sourceLocation)
        for (g, e) in zip(got, expected) {
            #expect(Set(g.keys) == Set(e.keys), "keys of hit at offset \(e["offset"]!)", sourceLocation: sourceLocation)
            for (key, value) in e {
                #expect(
                    (g[key] as? NSObject) == (value as? NSObject),
                    "\(key): got \(String(describing: g[key])), expected \(value)", sourceLocation: sourceLocation)
            }
        }
    }

    func writeFixtures(in dir: URL) throws -> (log: URL, watch: URL, allow: URL) {
        let log = dir.appendingPathComponent("access.log")
        try (Self.logLines.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        let watch = dir.appendingPathComponent("brand.txt")
        try Self.watchlist.write(to: watch, atomically: true, encoding: .utf8)
        let allow = dir.appendingPathComponent("allow.txt")
        try "safe.evil-brand.com\n".write(to: allow, atomically: true, encoding: .utf8)
        return (log, watch, allow)
    }

    @Test func plainFileHitsFieldByField() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try writeFixtures(in: dir)
        let result = try runHostwatch([
            "scan", "--watchlist", files.watch.path, "--allow", files.allow.path, files.log.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        expectSameHits(try result.jsonLines(), Self.expectedHits(source: files.log.path))
        // The summary counts every line: 11 read, 7 parsed, and each skip by its reason.
        #expect(result.stderr.contains("format squid (auto: read 9/10 first lines; no other format reads any)"), "\(result.stderr)")
        #expect(
            result.stderr.contains(
                "11 lines read, 7 parsed, 4 skipped (empty_line 1, malformed 1, no_host 1, invalid_host:bad_byte 1), "
                    + "5 hits, 1 allowed by the allow list"),
            "\(result.stderr)")
        #expect(result.stderr.contains("lines/s"))
    }

    @Test func gzipFileAndGzipOnStandardInputGiveTheSameHits() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try writeFixtures(in: dir)
        let compressed = try gzip(files.log)
        let fromFile = try runHostwatch([
            "scan", "--watchlist", files.watch.path, "--allow", files.allow.path, compressed.path,
        ])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        expectSameHits(try fromFile.jsonLines(), Self.expectedHits(source: compressed.path))
        #expect(fromFile.stderr.contains("gzip"))

        let fromStdin = try runHostwatch(
            ["scan", "--format", "squid", "--watchlist", files.watch.path, "--allow", files.allow.path, "-"],
            stdin: try Data(contentsOf: compressed))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        expectSameHits(try fromStdin.jsonLines(), Self.expectedHits(source: "-"))
    }

    /// The bundled Squid sample against a reference written the slow, obvious way.
    @Test func bundledSquidSampleMatchesAStringReference() throws {
        let sample = repositoryRoot.appendingPathComponent("rules/samples/squid-access.log")
        let result = try runHostwatch([
            "scan", "--watchlist", repositoryRoot.appendingPathComponent("rules/watched.txt").path,
            "--allow", repositoryRoot.appendingPathComponent("rules/allow.txt").path, sample.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let got = try result.jsonLines().map { "\($0["offset"]!) \($0["host"]!) \($0["watched"]!)" }

        // Reference: split each line on spaces, take the URL's host, lowercase it, walk its suffixes.
        let watched: [String: Bool] = [  // name → covers subdomains
            "evil-brand.com": true, "phish-bank.org": true, "xn--pypal-4ve.com": true,
            "malware-drop.net": true, "malware-drop.com": false, "ads-network.io": true,
        ]
        let allowed = ["nottracker.ads-network.io", "corp-intranet.com"]
        var expected: [String] = []
        var offset = 0
        for line in try String(contentsOf: sample, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            defer { offset += line.utf8.count + 1 }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 7 else { continue }
            var host = String(fields[6])
            if let scheme = host.range(of: "://") { host = String(host[scheme.upperBound...]) }
            host = String(host.prefix { $0 != "/" })
            if host.hasPrefix("[") { continue }  // IPv6 literal: no IP entries in these lists
            host = String(host.prefix { $0 != ":" }).lowercased()
            let labels = host.split(separator: ".")
            var match: String?
            for start in labels.indices.reversed() {
                let suffix = labels[start...].joined(separator: ".")
                if allowed.contains(suffix) { match = nil }
                if let subdomains = watched[suffix], subdomains || start == 0 { match = suffix }
            }
            if let match { expected.append("\(offset) \(host) \(match)") }
        }
        #expect(!expected.isEmpty)
        #expect(got == expected)
    }

    @Test func autoPicksTheRightFormatForEveryBundledSample() throws {
        let samples = ["squid-access.log": "squid", "squid-access-combined.log": "combined", "bind-query.log": "bind9",
                       "unbound.log": "unbound", "dnsmasq.log": "dnsmasq"]
        for (file, format) in samples {
            let path = repositoryRoot.appendingPathComponent("rules/samples/\(file)").path
            let result = try runHostwatch([
                "scan", "--watchlist", repositoryRoot.appendingPathComponent("rules/watched.txt").path, path,
            ])
            #expect(result.status == 0, "\(file): \(result.stderr)")
            #expect(result.stderr.contains("\(path): format \(format) (auto"), "\(file): \(result.stderr)")
            let hits = try result.jsonLines()
            #expect(!hits.isEmpty, "\(file)")
            #expect(hits.allSatisfy { ($0["format"] as? String) == format })
            let kind = format == "squid" || format == "combined" ? "proxy" : "dns"
            #expect(hits.allSatisfy { ($0["kind"] as? String) == kind })
        }
    }
}
