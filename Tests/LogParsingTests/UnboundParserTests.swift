import LogParsing
import Testing

@Suite("Unbound query, reply and local-action log")
struct UnboundParserTests {
    @Test func queryThenReplyThenLocalAction() throws {
        var parser = UnboundParser(context: utcContext)
        let query = parse("[1795923904] unbound[19341:0] info: 127.0.0.16 EVIL-BRAND.COM. A IN", with: &parser)
        #expect(query.skip == nil)
        #expect(query.kind == .dns)
        #expect(query.timeMillis == 1_795_923_904_000)
        #expect(query.host == "EVIL-BRAND.COM.")
        #expect(query.client == "127.0.0.16")
        #expect(query.qtype == "A")
        #expect(query.rcode == nil)
        #expect(query.user == nil)
        #expect(query.action == nil)

        let local = parse(
            "[1795923904] unbound[19341:0] info: evil-brand.com. always_nxdomain 127.0.0.16@40016 EVIL-BRAND.COM. A IN",
            with: &parser)
        #expect(local.skip == .notAVisit)
        #expect(local.action == "always_nxdomain")
        #expect(local.client == "127.0.0.16")
        #expect(local.host == "EVIL-BRAND.COM.")

        let reply = parse(
            "[1795923904] unbound[19341:0] info: 127.0.0.16 EVIL-BRAND.COM. A IN NXDOMAIN 0.000000 1 43", with: &parser)
        #expect(reply.skip == .notAVisit)
        #expect(reply.rcode == "NXDOMAIN")
        #expect(reply.host == "EVIL-BRAND.COM.")
    }

    /// With only `log-replies`, a reply line is the visit.
    @Test func replyWithoutQueryLinesIsAVisit() throws {
        var parser = UnboundParser(context: utcContext)
        let reply = parse(
            "[1795923904] unbound[19341:0] info: 127.0.0.16 example.org. MX IN NOERROR 0.000000 1 62", with: &parser)
        #expect(reply.skip == nil)
        #expect(reply.kind == .dns)
        #expect(reply.timeMillis == 1_795_923_904_000)
        #expect(reply.host == "example.org.")
        #expect(reply.client == "127.0.0.16")
        #expect(reply.qtype == "MX")
        #expect(reply.rcode == "NOERROR")
    }

    /// `log-tag-queryreply: yes` (Unbound issue #733).
    @Test func taggedQueryAndReply() throws {
        var parser = UnboundParser(context: utcContext)
        let query = parse("[1795923904] unbound[19341:0] query: 192.168.5.2 telemetry.example.com. A IN", with: &parser)
        #expect(query.skip == nil)
        #expect(query.client == "192.168.5.2")
        #expect(query.host == "telemetry.example.com.")
        let reply = parse(
            "[1795923904] unbound[19341:0] reply: 192.168.5.2 telemetry.example.com. A IN NOERROR 0.000000 1 41",
            with: &parser)
        #expect(reply.skip == .notAVisit)
        #expect(reply.rcode == "NOERROR")
    }

    /// `log-time-ascii: yes`: strftime "%b %d %H:%M:%S", local time, no year.
    @Test func asciiTime() throws {
        let p = try parse("Nov 29 03:45:04 unbound[19341:0] info: 127.0.0.2 www.example.org. A IN", format: "unbound")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_904_000)
        #expect(p.client == "127.0.0.2")
        #expect(p.host == "www.example.org.")
        let plusOne = ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600))
        let local = try parse(
            "Nov 29 03:45:04 unbound[19341:0] info: 127.0.0.2 www.example.org. A IN", format: "unbound", context: plusOne)
        #expect(local.timeMillis == 1_795_920_304_000)
    }

    /// `log-time-iso: yes` (y-m-dTh:m:s.msec[+-]tzhours:tzminutes).
    @Test func isoTime() throws {
        let p = try parse(
            "2026-11-29T04:45:04.123+01:00 unbound[19341:0] query: 127.0.0.2 www.example.org. AAAA IN", format: "unbound")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_904_123)
        #expect(p.qtype == "AAAA")
    }

    @Test func syslogAndIPv6Client() throws {
        let p = try parse(
            "Nov 29 03:45:04 resolver1 unbound: [19341:0] info: 2001:db8::7 evil-brand.com. AAAA IN", format: "unbound")
        #expect(p.skip == nil)
        #expect(p.client == "2001:db8::7")
        #expect(p.host == "evil-brand.com.")
        #expect(p.timeMillis == 1_795_923_904_000)
        let loopback = try parse("[1795923904] unbound[19341:0] info: ::1 v6.evil-brand.com. TXT IN", format: "unbound")
        #expect(loopback.skip == nil)
        #expect(loopback.client == "::1")
    }

    /// stderr captured by rsyslog (Unbound issue #1133): both prefixes.
    @Test func capturedStderr() throws {
        let p = try parse(
            "2024-08-30T10:58:03.062143+02:00 AdGuard unbound[122]: [1725008283] unbound[122:0] info: resolving google.com. HTTPS IN",
            format: "unbound")
        #expect(p.skip == .notAVisit)
        #expect(p.timeMillis == 1_725_008_283_062)
        let q = try parse(
            "2024-08-30T10:58:03.062143+02:00 AdGuard unbound[122]: [1725008283] unbound[122:0] info: 10.0.0.8 google.com. HTTPS IN",
            format: "unbound")
        #expect(q.skip == nil)
        #expect(q.host == "google.com.")
        #expect(q.client == "10.0.0.8")
    }

    @Test func otherUnboundLinesAreNotVisits() throws {
        for line in [
            "[1795923904] unbound[19341:0] notice: init module 0: validator",
            "[1795923904] unbound[19341:0] info: start of service (unbound 1.17.1).",
            "[1683714155] unbound[1:0] info: response for www.nu.nl. AAAA IN",
            "[1683714155] unbound[1:0] info: reply from <.> 192.203.230.10#53",
            "[1683714155] unbound[1:0] info: query response was nodata ANSWER",
            "[1711316977] unbound[337:0] debug: close fd 8",
        ] {
            #expect(try parse(line, format: "unbound").skip == .notAVisit, "\(line)")
        }
    }

    @Test func foreignLinesAreMalformed() throws {
        #expect(try parse("Nov 29 03:45:04 dnsmasq[19383]: query[A] px.tracker.ads-network.io from 127.0.0.13", format: "unbound").skip == .malformed)
        #expect(try parse("29-Nov-2026 03:45:04.827 queries: info: client @0x7f712f897098 127.0.0.4#40004 (malware-drop.com): query: malware-drop.com IN TXT +E(0) (127.0.0.1)", format: "unbound").skip == .malformed)
        #expect(try parse("hello world", format: "unbound").skip == .malformed)
        #expect(try parse("Nov 29 27:45:04 unbound[19341:0] info: 127.0.0.2 www.example.org. A IN", format: "unbound").skip == .badTime)
    }

    @Test func wholeSampleFile() throws {
        // 161 lines: 67 queries, 67 replies (queries come first), 27 local actions.
        #expect(try outcomes(of: "unbound.log", format: "unbound") == ["visit": 67, "not_a_visit": 94])
    }
}
