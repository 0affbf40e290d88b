import LogParsing
import Testing

@Suite("dnsmasq query log")
struct DnsmasqParserTests {
    @Test func logFacilityQuery() throws {
        let p = try parse("Nov 29 03:45:04 dnsmasq[19383]: query[A] px.tracker.ads-network.io from 127.0.0.13", format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.kind == .dns)
        #expect(p.timeMillis == 1_795_923_904_000)
        #expect(p.host == "px.tracker.ads-network.io")
        #expect(p.client == "127.0.0.13")
        #expect(p.qtype == "A")
        #expect(p.user == nil)
        #expect(p.rcode == nil)
        #expect(p.action == nil)
    }

    /// TCP queries are logged under a forked child's pid.
    @Test func childPID() throws {
        let p = try parse(
            "Nov 29 03:45:04 dnsmasq[20947]: query[TXT] secure.xn--pypal-4ve.com from 127.0.0.2", format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.host == "secure.xn--pypal-4ve.com")
        #expect(p.qtype == "TXT")
        #expect(p.client == "127.0.0.2")
    }

    @Test func configLineIsNotAVisit() throws {
        let p = try parse("Nov 29 03:45:04 dnsmasq[19383]: config px.tracker.ads-network.io is NXDOMAIN", format: "dnsmasq")
        #expect(p.skip == .notAVisit)
    }

    /// Space-padded day and the other query-log lines (a Wazuh dnsmasq decoder's examples).
    @Test func paddedDayAndFollowUpLines() throws {
        let p = try parse(
            "Jul  7 19:39:41 dnsmasq[536]: query[AAAA] video-edge-b1fd44.muc01.abs.hls.ttvnw.net from 192.168.1.185",
            format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_783_453_181_000)  // 2026-07-07T19:39:41Z
        #expect(p.host == "video-edge-b1fd44.muc01.abs.hls.ttvnw.net")
        #expect(p.qtype == "AAAA")
        #expect(p.client == "192.168.1.185")
        for line in [
            "Jul  7 19:39:44 dnsmasq[536]: forwarded video-edge-8b17e9.pdx01.abs.hls.ttvnw.net to 208.67.222.222",
            "Jul  7 19:39:44 dnsmasq[536]: dnssec-query[DS] ttvnw.net to 208.67.222.222",
            "Jul  7 19:39:44 dnsmasq[536]: reply science-edge-external-prod-73889260.us-west-2.elb.amazonaws.com is 35.162.12.228",
            "Jul  7 19:39:44 dnsmasq[536]: cached example.com is 93.184.216.34",
            "Jul  7 19:39:44 dnsmasq[536]: /etc/hosts myhost is 192.168.1.2",
            "Jul  7 19:39:44 dnsmasq[536]: validation example.com is SECURE",
            "Nov 29 03:45:04 myhost dnsmasq-dhcp[1234]: DHCPACK(br-lan) 192.168.1.100 aa:bb:cc:dd:ee:ff smartphone",
        ] {
            #expect(try parse(line, format: "dnsmasq").skip == .notAVisit, "\(line)")
        }
    }

    @Test func syslogHostField() throws {
        let p = try parse(
            "Nov 29 03:45:04 myhost dnsmasq[19383]: query[HTTPS] phish-bank.org from fe80::1", format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.host == "phish-bank.org")
        #expect(p.client == "fe80::1")
        #expect(p.qtype == "HTTPS")
    }

    /// log-queries=extra: serial number and requestor address/port (dnsmasq cache.c log_query).
    @Test func extraForm() throws {
        let p = try parse(
            "Nov 29 03:45:04 dnsmasq[19383]: 12 127.0.0.1/40000 query[A] LOGIN.evil-brand.com from 127.0.0.1",
            format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.host == "LOGIN.evil-brand.com")
        #expect(p.client == "127.0.0.1")
        #expect(p.qtype == "A")
        let forwarded = try parse(
            "Nov 29 03:45:04 dnsmasq[19383]: 12 127.0.0.1/40000 forwarded LOGIN.evil-brand.com to 192.0.2.53",
            format: "dnsmasq")
        #expect(forwarded.skip == .notAVisit)
    }

    /// log-queries=proto (dnsmasq 2.91, Pi-hole FTL PR #2136), as posted; the year falls before the reference.
    @Test func protoForm() throws {
        let p = try parse(
            "Dec  21 16:31:31 dnsmasq[2281585]: UDP 436 127.0.0.1/36363 query[PTR] 1.2.168.192.in-addr.arpa from 127.0.0.1",
            format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_766_334_691_000)  // 2025-12-21T16:31:31Z
        #expect(p.host == "1.2.168.192.in-addr.arpa")
        #expect(p.qtype == "PTR")
        #expect(p.client == "127.0.0.1")
    }

    /// rsyslog's RFC 3339 timestamps.
    @Test func isoPrefix() throws {
        let p = try parse(
            "2026-11-29T03:45:04.123456+00:00 myhost dnsmasq[19383]: query[A] evil-brand.com from 127.0.0.2", format: "dnsmasq")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_904_123)
        #expect(p.host == "evil-brand.com")
    }

    /// The latest year that puts the time at most one day after the reference.
    @Test func yearChoice() throws {
        func time(_ line: String, reference: Int64) throws -> Int64 {
            try parse(line, format: "dnsmasq", context: ParserContext(referenceTimeMillis: reference, timeZone: .utc))
                .timeMillis
        }
        let query = " dnsmasq[1]: query[A] a.example from 10.0.0.1"
        // Reference 2027-01-01T00:30Z: Dec 31 is last year's.
        #expect(try time("Dec 31 23:59:59" + query, reference: 1_798_763_400_000) == 1_798_761_599_000)
        // Reference 2026-12-31T23:00Z: Jan 1 00:10 is 70 minutes later, next year's.
        #expect(try time("Jan  1 00:10:00" + query, reference: 1_798_758_000_000) == 1_798_762_200_000)
        // Reference 2026-11-28T12:00Z: Nov 29 03:45 is within a day, Nov 30 12:00 is not.
        #expect(try time("Nov 29 03:45:04" + query, reference: 1_795_867_200_000) == 1_795_923_904_000)
        #expect(try time("Nov 30 12:00:00" + query, reference: 1_795_867_200_000) == 1_764_504_000_000)
    }

    @Test func foreignLinesAreMalformed() throws {
        #expect(try parse("29-Nov-2026 03:45:04.827 queries: info: client @0x7f712f897098 127.0.0.4#40004 (malware-drop.com): query: malware-drop.com IN TXT +E(0) (127.0.0.1)", format: "dnsmasq").skip == .malformed)
        #expect(try parse("Nov 29 03:45:04 ns1 named[812]: client 127.0.0.1#54819 (a.example): query: a.example IN A + (127.0.0.1)", format: "dnsmasq").skip == .malformed)
        #expect(try parse("Nov 29 03:45:04 unbound[19341:0] info: 127.0.0.2 www.example.org. A IN", format: "dnsmasq").skip == .malformed)
        #expect(try parse("hello world", format: "dnsmasq").skip == .malformed)
        #expect(try parse("Nov 29 03:61:04 dnsmasq[19383]: query[A] a.example from 127.0.0.1", format: "dnsmasq").skip == .badTime)
    }

    @Test func wholeSampleFile() throws {
        // 134 lines: `grep -c 'query\['` is 67, `grep -c ': config '` is 67.
        #expect(try outcomes(of: "dnsmasq.log", format: "dnsmasq") == ["visit": 67, "not_a_visit": 67])
    }
}

/// A daemon reads one file for days: the reference time for year-less timestamps moves along.
@Suite struct ReferenceTimeTests {
    /// 2026-12-31T23:00:00Z and 2027-01-03T00:00:00Z.
    static let newYearsEve: Int64 = 1_798_758_000_000
    static let januaryThird: Int64 = 1_798_934_400_000

    @Test(arguments: ["dnsmasq", "bind9"])
    func yearFollowsTheMovedReference(format: String) throws {
        let line =
            format == "dnsmasq"
            ? "Jan  2 10:00:00 dnsmasq[1]: query[A] evil.test from 127.0.0.1"
            : "02-Jan-2027 10:00:00.000 client @0x7f 127.0.0.1#5353 (evil.test): query: evil.test IN A +E(0)K (127.0.0.1)"
        var parser = try #require(
            ParserRegistry.make(format, context: ParserContext(referenceTimeMillis: Self.newYearsEve, timeZone: .utc)))
        let expected: Int64 = 1_798_884_000_000  // 2027-01-02T10:00:00Z
        if format == "dnsmasq" {
            // Against New Year's Eve, "Jan 2" is two days ahead: it must be last January.
            #expect(parse(line, with: &parser).timeMillis == expected - 365 * 86_400_000)
        }
        parser.setReferenceTime(Self.januaryThird)
        #expect(parse(line, with: &parser).timeMillis == expected)
    }
}
