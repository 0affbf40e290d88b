import LogParsing
import Testing

@Suite("CoreDNS log plugin")
struct CoreDNSParserTests {
    @Test func queryWithRFC3339Prefix() {
        var parser = CoreDNSParser(context: utcContext)
        let p = parse(
            "2026-11-29T03:45:04.123Z [INFO] 10.0.0.5:41717 - 26543 \"A IN login.evil-brand.com. udp 38 false 512\" NOERROR qr,rd,ra 110 0.000140027s",
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_123, host: "login.evil-brand.com.",
                    client: "10.0.0.5", qtype: "A", rcode: "NOERROR"))
    }

    @Test func readmeExampleWithoutTimeUsesReferenceTime() {
        // The example of plugin/log/README.md: CoreDNS itself writes no time.
        var parser = CoreDNSParser(context: utcContext)
        let p = parse(
            "[INFO] [::1]:50759 - 29008 \"A IN example.org. udp 41 false 4096\" NOERROR qr,rd,ra,ad 68 0.037990251s",
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: referenceMillis, host: "example.org.", client: "::1", qtype: "A",
                    rcode: "NOERROR"))
        parser.setReferenceTime(referenceMillis + 5000)
        #expect(
            parse(
                "[INFO] [::1]:50759 - 29009 \"AAAA IN example.org. udp 41 false 4096\" NOERROR qr,rd,ra,ad 68 0.0001s",
                with: &parser
            ).timeMillis == referenceMillis + 5000)
    }

    @Test func kubectlNanosecondPrefixAndCombinedFormat() {
        var parser = CoreDNSParser(context: utcContext)
        let p = parse(
            "2026-11-29T03:45:04.123456789Z [INFO] 10.244.1.17:58213 - 47915 \"A IN www.paypa1-secure.net.default.svc.cluster.local. udp 83 false 512\" NXDOMAIN qr,aa,rd 176 0.000104516s QUERY",
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_904_123)
        #expect(p.host == "www.paypa1-secure.net.default.svc.cluster.local.")
        #expect(p.client == "10.244.1.17")
        #expect(p.rcode == "NXDOMAIN")
    }

    @Test func syslogPrefix() {
        var parser = CoreDNSParser(context: utcContext)
        let p = parse(
            "Nov 29 03:45:09 dns01 coredns[812]: [INFO] 192.168.1.20:60311 - 1234 \"A IN accounts.evil-brand.com. udp 41 false 512\" NOERROR qr,rd,ra 120 0.030118s",
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_909_000)
        #expect(p.host == "accounts.evil-brand.com.")
        #expect(p.client == "192.168.1.20")
    }

    @Test func oldCommonLogFormatTime() {
        var parser = CoreDNSParser(context: utcContext)
        let p = parse(
            "10.0.0.5 - [29/Nov/2026:03:45:04 +0000] \"A IN login.evil-brand.com. udp 38 false 512\" NOERROR qr,rd,ra 110 140.027µs",
            with: &parser)
        #expect(p.skip == .malformed)  // no level tag: not what current CoreDNS writes
        let tagged = parse(
            "[INFO] 10.0.0.5 - [29/Nov/2026:03:45:04 +0000] \"A IN login.evil-brand.com. udp 38 false 512\" NOERROR qr,rd,ra 110 140.027µs",
            with: &parser)
        #expect(tagged.skip == nil)
        #expect(tagged.timeMillis == 1_795_923_904_000)
        #expect(tagged.client == "10.0.0.5")
    }

    @Test func otherLinesAreNotVisits() {
        var parser = CoreDNSParser(context: utcContext)
        for line in [
            "[INFO] plugin/reload: Running configuration SHA512 = 2f5d8ac7e1e8",
            "[ERROR] plugin/errors: 2 www.paypa1-secure.net. A: read udp 10.244.1.5:40123->8.8.8.8:53: i/o timeout",
            "[WARNING] No files matching import glob pattern: custom/*.override",
            ".:53", "CoreDNS-1.11.1", "linux/amd64, go1.20.7, ae2bbc2",
            "2026-11-29T03:44:58.101Z example.org.:53",
        ] {
            #expect(parse(line, with: &parser).skip == .notAVisit, "\(line)")
        }
    }

    @Test func truncatedAndForeignLines() {
        var parser = CoreDNSParser(context: utcContext)
        #expect(parse("[INFO] 10.0.0.9:33003 - 61236 \"A IN evil-brand.com. udp", with: &parser).skip == .malformed)
        #expect(
            parse(
                "29-Nov-2026 03:45:04.843 queries: info: client @0x7f712f897098 127.0.0.3#40003 (xn--pypal-4ve.com): query: xn--pypal-4ve.com IN A +E(0)K (127.0.0.1)",
                with: &parser
            ).skip == .malformed)
        #expect(
            parse(
                "2026-11-29T25:45:08.000Z [INFO] 10.0.0.9:33004 - 61237 \"A IN evil-brand.com. udp 32 false 512\" NOERROR qr,rd,ra 98 0.02s",
                with: &parser
            ).skip == .badTime)
    }

    @Test func fixture() throws {
        var parser = CoreDNSParser(context: utcContext)
        #expect(
            try outcomes(of: "coredns.log", with: &parser)
                == ["visit": 11, "not_a_visit": 7, "malformed": 2, "bad_time": 1])
    }

    @Test func fuzz() throws {
        var parser = CoreDNSParser(context: utcContext)
        let tally = LogParsingTests.fuzz(&parser, seeds: try fixtureByteLines("coredns.log"))
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}
