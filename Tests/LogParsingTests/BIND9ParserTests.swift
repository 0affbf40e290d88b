import LogParsing
import Testing

@Suite("BIND 9 query log")
struct BIND9ParserTests {
    /// BIND 9.18 (sample): print-time, category and severity, `client @0x…`, flags with `K`.
    @Test func bind918QueryLine() throws {
        let p = try parse(
            "29-Nov-2026 03:45:04.843 queries: info: client @0x7f712f897098 127.0.0.3#40003 (xn--pypal-4ve.com): query: xn--pypal-4ve.com IN A +E(0)K (127.0.0.1)",
            format: "bind9")
        #expect(p.skip == nil)
        #expect(p.kind == .dns)
        #expect(p.timeMillis == 1_795_923_904_843)
        #expect(p.host == "xn--pypal-4ve.com")
        #expect(p.client == "127.0.0.3")
        #expect(p.qtype == "A")
        #expect(p.user == nil)
        #expect(p.method == nil)
        #expect(p.url == nil)
        #expect(p.status == nil)
        #expect(p.action == nil)
        #expect(p.rcode == nil)
    }

    @Test func keepsTheClientsCase() throws {
        let p = try parse(
            "29-Nov-2026 03:45:04.899 queries: info: client @0x7f712f897098 127.0.0.3#40003 (PHISH-BANK.ORG): query: PHISH-BANK.ORG IN A +E(0) (127.0.0.1)",
            format: "bind9")
        #expect(p.skip == nil)
        #expect(p.host == "PHISH-BANK.ORG")
        #expect(p.timeMillis == 1_795_923_904_899)
    }

    @Test func localTimeUsesTheContextZone() throws {
        let plusOne = ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600))
        let p = try parse(
            "29-Nov-2026 03:45:04.827 queries: info: client @0x7f712bb6ac98 127.0.0.8#51279 (news.good-site.com): query: news.good-site.com IN TXT +E(0)T (127.0.0.1)",
            format: "bind9", context: plusOne)
        #expect(p.timeMillis == 1_795_920_304_827)
        #expect(p.qtype == "TXT")
        #expect(p.client == "127.0.0.8")
    }

    /// The rpz line that follows a query line is not a second visit.
    @Test func rpzRewriteIsNotAVisit() throws {
        let p = try parse(
            "29-Nov-2026 03:45:04.855 rpz: info: client @0x7f712f897098 127.0.0.16#40016 (login.evil-brand.com): rpz QNAME NXDOMAIN rewrite login.evil-brand.com/A/IN via login.evil-brand.com.rpz.local",
            format: "bind9")
        #expect(p.skip == .notAVisit)
        #expect(p.action == "NXDOMAIN")
        #expect(p.host == "login.evil-brand.com")
        #expect(p.client == "127.0.0.16")
        #expect(p.timeMillis == 1_795_923_904_855)
    }

    /// BIND 9.11 (bind-query-log-statistics issue #2).
    @Test func bind911Line() throws {
        let p = try parse(
            "04-Jun-2018 14:48:15.540 queries: info: client @0x7fda1d74e7d0 192.168.1.6#60844 (prefetch.net): query: prefetch.net IN A +E(0)D (192.168.1.250)",
            format: "bind9")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_528_123_695_540)
        #expect(p.host == "prefetch.net")
        #expect(p.client == "192.168.1.6")
        #expect(p.qtype == "A")
    }

    /// BIND 9.10, no `@0x…` pointer (logstash-patterns-core PR #281).
    @Test func bind910LineWithoutPointer() throws {
        let p = try parse(
            "17-Feb-2018 23:06:56.326 queries: info: client 172.26.0.1#12345 (test.example.com): query: test.example.com IN A +E(0)K (172.26.0.3)",
            format: "bind9")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_518_908_816_326)
        #expect(p.host == "test.example.com")
        #expect(p.client == "172.26.0.1")
        #expect(p.qtype == "A")
    }

    /// print-time only, no category/severity (bind-query-log-statistics issue #6).
    @Test func withoutCategory() throws {
        let p = try parse(
            "18-Nov-2023 00:47:15.587 client @0x7f601c0be800 192.168.0.192#56000 (www.google.com): query: www.google.com IN A + (192.168.0.91)",
            format: "bind9")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_700_268_435_587)
        #expect(p.host == "www.google.com")
        #expect(p.client == "192.168.0.192")
    }

    /// Via syslog, BIND 9.9 and before 9.9 (ossec-hids PR #581): year-less local time.
    @Test func syslogLines() throws {
        let since99 = try parse(
            "Apr 14 09:30:45 station7 named[5893]: client 127.0.0.1#54819 (daisy.ubuntu.com): query: daisy.ubuntu.com IN AAAA + (127.0.0.1)",
            format: "bind9")
        #expect(since99.skip == nil)
        #expect(since99.timeMillis == 1_776_159_045_000)  // 2026-04-14T09:30:45Z
        #expect(since99.host == "daisy.ubuntu.com")
        #expect(since99.client == "127.0.0.1")
        #expect(since99.qtype == "AAAA")
        let before99 = try parse(
            "Apr 14 09:30:45 station7 named[5893]: client 127.0.0.1#54819: query: daisy.ubuntu.com IN AAAA + (127.0.0.1)",
            format: "bind9")
        #expect(before99 == since99)
    }

    @Test func viewIPv6ClientAndEscapes() throws {
        let p = try parse(
            #"29-Nov-2026 03:45:05.120 queries: info: client @0x7f712f897098 2001:db8::15#40004 (Login.Evil-Brand.COM): view internal: query: Login.Evil-Brand.COM IN HTTPS +E(0)K (2001:db8::1)"#,
            format: "bind9")
        #expect(p.skip == nil)
        #expect(p.host == "Login.Evil-Brand.COM")
        #expect(p.client == "2001:db8::15")
        #expect(p.qtype == "HTTPS")
        let escaped = try parse(
            #"29-Nov-2026 03:45:05.121 queries: info: client @0x7f712f897098 127.0.0.5#40005 (evil\032brand\.x.com): query: evil\032brand\.x.com IN TYPE65 -EDC (127.0.0.1)"#,
            format: "bind9")
        #expect(escaped.skip == nil)
        #expect(escaped.host == #"evil\032brand\.x.com"#)
        #expect(escaped.qtype == "TYPE65")
    }

    @Test func iso8601Times() throws {
        let line = " queries: info: client @0x7f712f897098 127.0.0.4#40004 (malware-drop.com): query: malware-drop.com IN TXT +E(0) (127.0.0.1)"
        #expect(try parse("2026-11-29T03:45:04.827Z" + line, format: "bind9").timeMillis == 1_795_923_904_827)
        #expect(try parse("2026-11-29T04:45:04.827+01:00" + line, format: "bind9").timeMillis == 1_795_923_904_827)
        #expect(try parse("2026-11-29T04:45:04.827+0100" + line, format: "bind9").timeMillis == 1_795_923_904_827)
        let local = ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600))
        #expect(try parse("2026-11-29T04:45:04.827" + line, format: "bind9", context: local).timeMillis == 1_795_923_904_827)
        #expect(try parse("2026-11-29T03:45:04.827Z" + line, format: "bind9").host == "malware-drop.com")
    }

    @Test func otherBINDLinesAreNotVisits() throws {
        let failed = try parse(
            "29-Nov-2026 03:45:05.001 query-errors: info: client @0x7f712f897098 127.0.0.3#40003 (broken.example): query failed (SERVFAIL) for broken.example/IN/A at query.c:7375",
            format: "bind9")
        #expect(failed.skip == .notAVisit)
        let lame = try parse(
            "29-Nov-2026 03:45:05.002 lame-servers: info: REFUSED unexpected RCODE resolving 'example.net/A/IN': 192.0.2.53#53",
            format: "bind9")
        #expect(lame.skip == .notAVisit)
        let syslog = try parse(
            "Nov 29 03:45:05 ns1 named[812]: resolver priming query complete", format: "bind9")
        #expect(syslog.skip == .notAVisit)
    }

    @Test func foreignLinesAreMalformed() throws {
        #expect(try parse("Nov 29 03:45:04 dnsmasq[19383]: query[A] px.tracker.ads-network.io from 127.0.0.13", format: "bind9").skip == .malformed)
        #expect(try parse("[1795923904] unbound[19341:0] info: 127.0.0.16 example.org. MX IN", format: "bind9").skip == .malformed)
        #expect(try parse("hello world", format: "bind9").skip == .malformed)
        #expect(try parse("31-Nov-2026 25:45:04.827 queries: info: client 1.2.3.4#1 (a.b): query: a.b IN A + (1.2.3.4)", format: "bind9").skip == .badTime)
    }

    @Test func wholeSampleFiles() throws {
        // `grep -c ' query: '` is 67 and `grep -c ' rpz: '` is 25 of 92 lines.
        #expect(try outcomes(of: "bind-query.log", format: "bind9") == ["visit": 67, "not_a_visit": 25])
        // 25 lines, all `rpz QNAME … rewrite`.
        #expect(try outcomes(of: "bind-rpz.log", format: "bind9") == ["not_a_visit": 25])
    }
}
