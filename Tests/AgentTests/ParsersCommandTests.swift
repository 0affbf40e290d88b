import Foundation
import LogParsing
import Testing

/// `hostwatch parsers list`, `parsers test` and `parse`, run as the real binary.
@Suite struct ParsersCommandTests {
    let parsers = repositoryRoot.appendingPathComponent("parsers").path
    let fixtures = repositoryRoot.appendingPathComponent("Tests/LogParsingTests/Fixtures")

    @Test func theShippedDefinitionsPassTheirSamples() throws {
        let result = try runHostwatch(["parsers", "test", "--parsers", parsers])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.last == "6 definitions, 59 samples, 0 failed")
        #expect(lines.contains("pihole (\(parsers)/pihole.toml): 13/13 samples pass"))
    }

    @Test func aSampleThatDoesNotMatchIsShownFieldByFieldAndExitsOne() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try String(contentsOfFile: parsers + "/pihole.toml", encoding: .utf8)
        let broken = original.replacingOccurrences(
            of: "host = \"login.evil-brand.com\"", with: "host = \"login.evil-brand.example\"")
        #expect(broken != original)
        let file = dir.appendingPathComponent("pihole.toml").path
        try broken.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try runHostwatch(["parsers", "test", file])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("\(file):22: sample does not match\n"))
        #expect(
            result.stdoutText.contains(
                "    host: expected \"login.evil-brand.example\", got \"login.evil-brand.com\"\n"))
        // Two samples name that host.
        #expect(result.stdoutText.hasPrefix("pihole (\(file)): 11/13 samples pass\n"))
        #expect(result.stdoutText.hasSuffix("1 definitions, 13 samples, 2 failed\n"))
    }

    @Test func aDefinitionThatDoesNotLoadIsAnErrorWithItsLine() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            kind = "proxy"
            time_format = "epoch"
            regex = '^(?<time>\\d+) (?<client>\\S+) (?<hots>\\S+)$'
            """.write(to: dir.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        for arguments in [["parsers", "test", "--parsers", dir.path], ["parsers", "list", "--parsers", dir.path]] {
            let result = try runHostwatch(arguments)
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("hostwatch: \(dir.path)/mine.toml:3: "), "\(result.stderr)")
            #expect(result.stderr.contains("'hots'"), "\(result.stderr)")
        }
    }

    @Test func listNamesEveryFormatWithItsKindAndOrigin() throws {
        let result = try runHostwatch(["parsers", "list", "--parsers", parsers])
        #expect(result.status == 0)
        let rows = result.stdoutText.split(separator: "\n").dropFirst().map { $0.split(separator: " ", maxSplits: 3) }
        #expect(rows.map { String($0[0]) } == ParserRegistry.builtinIDs + [
            "haproxy-http", "nginx-forward-proxy", "pihole", "squid-common", "squid-native-regex", "technitium",
        ])
        #expect(rows.first { $0[0] == "zeek" }.map { "\($0[1]) \($0[2])" } == "proxy+dns built-in")
        #expect(rows.first { $0[0] == "pihole" }.map { "\($0[1]) \($0[2])" } == "dns \(parsers)/pihole.toml")
    }

    @Test func parseAutoSaysWhichFormatAndWhyThenPrintsEveryLine() throws {
        let input = try Data(contentsOf: fixtures.appendingPathComponent("suricata.log"))
        let result = try runHostwatch(["parse", "--format", "auto", "-"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("-: format suricata (auto: read 20/20 first lines; no other format reads any)\n"), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("-: format suricata: 23 lines, 10 visits, skipped: malformed 1, no_host 2, not_a_visit 10\n"))
        let objects = try result.jsonLines()
        #expect(objects.count == 23)
        let tls = try #require(objects.first { $0["host"] as? String == "login.evil-brand.com" && $0["kind"] as? String == "proxy" })
        #expect(tls["canonical"] as? String == "login.evil-brand.com")
        #expect(tls["client"] as? String == "10.0.0.5")
        #expect(tls["user"] is NSNull)
        #expect(objects.filter { $0["skip"] as? String == "not_a_visit" }.count == 10)
    }

    @Test func parseGenericJSONWithFieldsFromTheCommandLine() throws {
        let line = #"{"ts":"2026-11-29T03:45:04.120Z","src":{"ip":"10.0.0.5"},"dns":{"q":"Login.Evil-Brand.COM.","t":"AAAA"}}"#
        let notAVisit = #"{"ts":"2026-11-29T03:45:05Z","msg":"resolver started"}"#
        let result = try runHostwatch(
            [
                "parse", "--format", "json", "--kind", "dns", "--field", "time=ts", "--field", "client=src.ip",
                "--field", "host=dns.q", "--field", "qtype=dns.t", "-",
            ], stdin: Data((line + "\n" + notAVisit + "\n{\"ts\":\"x\",\"dns\":{\"q\":\"a.example\"}}\n").utf8))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdoutText == """
                {"line":1,"offset":0,"kind":"dns","time":"2026-11-29T03:45:04.120Z","host":"Login.Evil-Brand.COM.","canonical":"login.evil-brand.com","client":"10.0.0.5","user":null,"qtype":"AAAA"}
                {"line":2,"offset":\(line.utf8.count + 1),"skip":"not_a_visit"}
                {"line":3,"offset":\(line.utf8.count + notAVisit.utf8.count + 2),"skip":"bad_time"}

                """)
    }

    @Test func parseRefusesAFormatWithoutItsSettings() throws {
        let result = try runHostwatch(["parse", "--format", "squid-logformat", "-"], stdin: Data())
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "hostwatch: format squid-logformat needs logformat = \"…\" (the format string of squid.conf's logformat line)\n")
    }
}
