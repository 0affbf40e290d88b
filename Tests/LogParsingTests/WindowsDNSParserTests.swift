import LogParsing
import Testing

@Suite("Windows DNS debug log")
struct WindowsDNSParserTests {
    @Test func queryFromClient() {
        var parser = WindowsDNSParser(context: utcContext)
        let p = parse(
            "11/29/2026 3:45:04 AM 0E5C PACKET  0000023F8A2B3C40 UDP Rcv 10.0.0.5        e5a1   Q [0001   D   NOERROR] A      (5)login(10)evil-brand(3)com(0)",
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .dns, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", qtype: "A", rcode: "NOERROR"))
    }

    @Test func responsesAndForwardsAreNotVisits() {
        var parser = WindowsDNSParser(context: utcContext)
        for line in [
            "11/29/2026 3:45:04 AM 0E5C PACKET  0000023F8A2B3C40 UDP Snd 8.8.8.8         7b21   Q [0001   D   NOERROR] A      (5)login(10)evil-brand(3)com(0)",
            "11/29/2026 3:45:04 AM 0E5C PACKET  0000023F8A4D1E80 UDP Rcv 8.8.8.8         7b21 R Q [8081   DR  NOERROR] A      (5)login(10)evil-brand(3)com(0)",
            "4/21/2017 7:52:03 AM 06B0 PACKET  00000000028657F0 UDP Snd 10.2.0.1        6590 R Q [8081   DR  NOERROR] A      (7)example(3)com(0)",
            "11/29/2026 3:45:13 AM 1A08 PACKET  0000023F8A2BA500 UDP Rcv 10.0.0.11       1d06   U [2800       NOERROR] SOA    (4)corp(7)example(3)org(0)",
            "11/29/2026 3:45:15 AM 1A08 EVENT   The DNS server has finished the background loading of zones.",
        ] {
            #expect(parse(line, with: &parser).skip == .notAVisit, "\(line)")
        }
    }

    @Test func ipv6ClientOverTCP() {
        var parser = WindowsDNSParser(context: utcContext)
        let p = parse(
            "11/29/2026 3:45:08 AM 1A08 PACKET  0000023F8A2B9E20 TCP Rcv fe80::1c2e:5ff:fe3a:1 5b47   Q [0001   D   NOERROR] A      (3)www(13)paypa1-secure(3)net(0)",
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.client == "fe80::1c2e:5ff:fe3a:1")
        #expect(p.host == "www.paypa1-secure.net")
        #expect(p.timeMillis == 1_795_923_908_000)
    }

    @Test func afternoonAndTrailingCR() {
        var parser = WindowsDNSParser(context: utcContext)
        let p = parse(
            "11/29/2026 3:45:12 PM 1A08 PACKET  0000023F8A2BA400 UDP Rcv 10.0.0.10       1d05   Q [0001   D   NOERROR] MX     (10)evil-brand(3)com(0)\r",
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_967_112_000)
        #expect(p.host == "evil-brand.com")
        #expect(p.qtype == "MX")
    }

    @Test func twelveAMIsMidnight() {
        var parser = WindowsDNSParser(context: utcContext)
        let p = parse(
            "11/29/2026 12:00:01 AM 1A08 PACKET  0000023F8A2BA400 UDP Rcv 10.0.0.10       1d05   Q [0001   D   NOERROR] A      (3)com(0)",
            with: &parser)
        #expect(p.timeMillis == 1_795_910_401_000)  // date -u -d '2026-11-29 00:00:01' +%s
    }

    @Test func localTimeZone() {
        var parser = WindowsDNSParser(
            context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600)))
        let p = parse(
            "11/29/2026 3:45:04 AM 0E5C PACKET  0000023F8A2B3C40 UDP Rcv 10.0.0.5        e5a1   Q [0001   D   NOERROR] A      (3)www(7)example(3)org(0)",
            with: &parser)
        #expect(p.timeMillis == 1_795_923_904_000 - 3_600_000)
    }

    @Test func otherDateShapes() {
        // 24-hour day-first (en-GB), German dots, year first: all 29 November 2026 03:45:04.
        for line in [
            "29/11/2026 03:45:04 0F9C PACKET  000000082A8141F0 UDP Rcv 10.202.168.232  c1f8   Q [0001   D   NOERROR] A      (3)api(11)blahblah-co(3)com(0)",
            "29.11.2026 03:45:04 0DD0 PACKET  00000001A1234567 UDP Rcv 192.168.204.137 0a11   Q [0001   D   NOERROR] A      (3)api(11)blahblah-co(3)com(0)",
            "2026/11/29 3:45:04 166C PACKET  000001AB5710F890 UDP Rcv 10.191.24.4     c6b8   Q [0001   D   NOERROR] A      (3)api(11)blahblah-co(3)com(0)",
            "2026-11-29 03:45:04 166C PACKET  000001AB5710F890 UDP Rcv 10.191.24.4     c6b8   Q [0001   D   NOERROR] A      (3)api(11)blahblah-co(3)com(0)",
        ] {
            var parser = WindowsDNSParser(context: utcContext)
            let p = parse(line, with: &parser)
            #expect(p.skip == nil, "\(line)")
            #expect(p.timeMillis == 1_795_923_904_000, "\(line)")
            #expect(p.host == "api.blahblah-co.com", "\(line)")
        }
    }

    @Test func ambiguousDayFirstIsLearned() {
        var parser = WindowsDNSParser(context: utcContext)
        // 24-hour and ambiguous: day first (5 March), and a later day above 12 confirms it.
        let early = parse(
            "05/03/2026 16:05:31 0F9C PACKET  000000082A8141F0 UDP Rcv 10.0.0.5  c1f8   Q [0001   D   NOERROR] A      (3)www(7)example(3)org(0)",
            with: &parser)
        #expect(early.timeMillis == 1_772_726_731_000)  // 2026-03-05 16:05:31 UTC
        // Month first once a line shows it (12-hour US, day 29), then ambiguous lines follow it.
        var us = WindowsDNSParser(context: utcContext)
        _ = parse(
            "11/29/2026 4:05:31 PM 0F9C PACKET  000000082A8141F0 UDP Rcv 10.0.0.5  c1f8   Q [0001   D   NOERROR] A      (3)www(7)example(3)org(0)",
            with: &us)
        let later = parse(
            "12/01/2026 16:05:31 0F9C PACKET  000000082A8141F0 UDP Rcv 10.0.0.5  c1f8   Q [0001   D   NOERROR] A      (3)www(7)example(3)org(0)",
            with: &us)
        #expect(later.timeMillis == 1_796_141_131_000)  // 2026-12-01 16:05:31 UTC
    }

    @Test func labelLengthMismatchIsMalformed() {
        var parser = WindowsDNSParser(context: utcContext)
        for name in ["(7)evil(10)evil-brand(3)com(0)", "(5)login(10)evil-brand(3)com", "(99)x(0)", "(5)login(1", "(3)www(7)example(3)org(0)junk"] {
            let p = parse(
                "11/29/2026 3:45:11 AM 1A08 PACKET  0000023F8A2BA300 UDP Rcv 10.0.0.9        1d04   Q [0001   D   NOERROR] A      \(name)",
                with: &parser)
            #expect(p.skip == .malformed, "\(name)")
        }
    }

    @Test func rootQueryHasNoHost() {
        var parser = WindowsDNSParser(context: utcContext)
        let p = parse(
            "11/29/2026 3:45:10 AM 1A08 PACKET  0000023F8A2BA200 UDP Rcv 10.0.0.9        1d03   Q [0001   D   NOERROR] NS     (0)",
            with: &parser)
        #expect(p.skip == .noHost)
    }

    @Test func headerLinesAreNotVisits() {
        var parser = WindowsDNSParser(context: utcContext)
        for line in [
            "DNS Server log file creation at 11/29/2026 3:44:59 AM", "Log file wrap at 11/29/2026 3:44:59 AM",
            "Message logging key (for packets - other items use a subset of these fields):",
            "\tField #  Information         Values", "\t   1     Date", "", "\r",
        ] {
            #expect(parse(line, with: &parser).skip == .notAVisit, "\(line)")
        }
        #expect(parse("hello world", with: &parser).skip == .malformed)
    }

    @Test func fixture() throws {
        var parser = WindowsDNSParser(context: utcContext)
        let counts = try outcomes(of: "windows-dns.log", with: &parser)
        #expect(counts == ["visit": 7, "not_a_visit": 35, "no_host": 1, "malformed": 2, "bad_time": 1])
    }

    @Test func fuzz() throws {
        var parser = WindowsDNSParser(context: utcContext)
        let tally = LogParsingTests.fuzz(&parser, seeds: try fixtureByteLines("windows-dns.log").suffix(18))
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}
