import LogParsing
import Testing

/// The built-in formats of Squid's cf.data.pre.
private let squidFormat = "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt"
private let commonFormat = "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st %Ss:%Sh"
private let combinedFormat =
    "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st \"%{Referer}>h\" \"%{User-Agent}>h\" %Ss:%Sh"
private let referrerFormat = "%ts.%03tu %>a %{Referer}>h %ru"
private let useragentFormat = "%>a [%tl] \"%{User-Agent}>h\""
private let icapSquidFormat =
    "%ts.%03tu %6icap::tr %>A %icap::to/%03icap::Hs %icap::<st %icap::rm %icap::ru %un -/%icap::<A -"
/// The format that wrote /work/shared/samples/squid-access-custom.log (see its README).
private let hostwatchFormat =
    "%{%Y-%m-%dT%H:%M:%S}tl.%03tu%{%z}tl client=%>a:%>p user=%un method=%rm host=%>rd port=%>rP hosthdr=\"%{Host}>h\" result=%Ss/%>Hs bytes=%<st server=%<a url=\"%ru\" ua=\"%{User-Agent}>h\""

private func parser(_ format: String) throws(FormatError) -> SquidLogformatParser {
    try SquidLogformatParser(logformat: format, context: utcContext)
}

@Suite("Squid logformat")
struct SquidLogformatParserTests {
    @Test func builtinSquid() throws {
        var p = try parser(squidFormat)
        #expect(
            parse(
                "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html",
                with: &p)
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_827, host: "www.evil-brand.com:443",
                    client: "127.0.0.4", user: "carol", method: "CONNECT", url: "www.evil-brand.com:443", status: "403",
                    action: "TCP_DENIED"))
        let v6 = parse(
            "1795923904.878      1 ::1 TCP_MISS/200 365 GET http://[::1]:8081/ipv6-literal - HIER_DIRECT/::1 text/plain",
            with: &p)
        #expect(v6.skip == nil)
        #expect(v6.client == "::1")
        #expect(v6.host == "[::1]:8081")
        #expect(v6.user == nil)
        #expect(
            parse(
                "1795923905.300      0 127.0.0.9 NONE_NONE/400 3928 NONE error:invalid-request - HIER_NONE/- text/html",
                with: &p
            ).skip == .noHost)
    }

    @Test func builtinSquidReadsTheWholeSample() throws {
        var p = try parser(squidFormat)
        #expect(try outcomes(of: "squid-access.log", with: &p) == ["visit": 126])
    }

    @Test func builtinCommonAndCombined() throws {
        var common = try parser(commonFormat)
        #expect(
            parse(
                "127.0.0.4 - carol [29/Nov/2026:03:45:04 +0000] \"CONNECT www.evil-brand.com:443 HTTP/1.1\" 403 3468 TCP_DENIED:HIER_NONE",
                with: &common)
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "www.evil-brand.com:443",
                    client: "127.0.0.4", user: "carol", method: "CONNECT", url: "www.evil-brand.com:443", status: "403",
                    action: "TCP_DENIED"))
        var combined = try parser(combinedFormat)
        let p = parse(
            "::1 ident-bob - [29/Nov/2026:04:45:04 +0100] \"GET http://notevil-brand.com:8081/ HTTP/1.1\" 200 365 \"http://ref.example/a b\" \"Mozilla/5.0 (X11; Linux x86_64) \\\"quoted\\\"\" TCP_MISS:HIER_DIRECT",
            with: &combined)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "notevil-brand.com:8081", client: "::1",
                    user: "ident-bob", method: "GET", url: "http://notevil-brand.com:8081/", status: "200",
                    action: "TCP_MISS"))
        #expect(try outcomes(of: "squid-access-combined.log", with: &combined) == ["visit": 126])
    }

    @Test func builtinReferrer() throws {
        var p = try parser(referrerFormat)
        let r = parse("1795923904.827 127.0.0.4 http://news.example/ http://login.evil-brand.com/signin", with: &p)
        #expect(r.skip == nil)
        #expect(r.host == "login.evil-brand.com")
        #expect(r.client == "127.0.0.4")
        #expect(r.timeMillis == 1_795_923_904_827)
    }

    @Test func builtinsWithoutURLAreRejected() {
        #expect(throws: FormatError.self) { try parser(useragentFormat) }
        do {
            _ = try parser(icapSquidFormat)
            Issue.record("icap_squid logs ICAP URIs, not visits; it must be rejected")
        } catch {
            #expect(error.message.hasPrefix("logformat: no URL or host code"))
        }
    }

    @Test func realCustomSample() throws {
        var p = try parser(hostwatchFormat)
        let first = parse(
            "2026-11-29T03:45:04.781+0000 client=::1:45730 user=bob method=GET host=notevil-brand.com port=8081 hosthdr=\"notevil-brand.com:8081\" result=TCP_MISS/200 bytes=365 server=127.0.0.1 url=\"http://notevil-brand.com:8081/\" ua=\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\"",
            with: &p)
        #expect(
            first
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_781, host: "notevil-brand.com:8081", client: "::1",
                    user: "bob", method: "GET", url: "http://notevil-brand.com:8081/", status: "200", action: "TCP_MISS"))
        // %>rd writes an IPv6 host percent-encoded; the URL's bracketed authority wins.
        let v6 = parse(
            "2026-11-29T03:45:04.878+0000 client=::1:45738 user=carol method=GET host=%5B::1%5D port=8081 hosthdr=\"[::1]:8081\" result=TCP_MISS/200 bytes=365 server=::1 url=\"http://[::1]:8081/ipv6-literal\" ua=\"Mozilla/5.0\"",
            with: &p)
        #expect(v6.host == "[::1]:8081")
        #expect(try outcomes(of: "squid-access-custom.log", with: &p) == ["visit": 126])
    }

    @Test func ipConnectPrefersHostHeader() throws {
        var p = try parser(hostwatchFormat)
        let r = parse(
            "2026-11-29T03:45:06.004+0000 client=127.0.0.10:40004 user=erin method=CONNECT host=203.0.113.9 port=443 hosthdr=\"paypa1-secure.net:443\" result=TCP_TUNNEL/200 bytes=5120 server=203.0.113.9 url=\"203.0.113.9:443\" ua=\"curl/8.5.0\"",
            with: &p)
        #expect(r.host == "paypa1-secure.net:443")
        #expect(r.url == "203.0.113.9:443")
    }

    @Test func sniAndGMTStrftime() throws {
        var p = try parser("%{%Y-%m-%d %H:%M:%S}tg %>a %ssl::>sni %{Host}>h %Ss %ru")
        let r = parse(
            "2026-11-29 03:45:04 10.0.0.5 login.evil-brand.com - TCP_TUNNEL 203.0.113.9:443", with: &p)
        #expect(
            r
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", url: "203.0.113.9:443", action: "TCP_TUNNEL"))
        // The SNI is unset: the address is the host.
        #expect(parse("2026-11-29 03:45:05 10.0.0.5 - - TCP_TUNNEL 203.0.113.9:443", with: &p).host == "203.0.113.9:443")
    }

    @Test func isoTimeLocalZoneAndLeftAlignedUser() throws {
        let context = ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600))
        var p = try SquidLogformatParser(
            logformat: "%{%Y-%m-%dT%H:%M:%S}tl %-10un %>A %rm %>ru %03>Hs", context: context)
        let r = parse("2026-11-29T04:45:04 alice      pc42.corp GET http://evil-brand.com/x 200", with: &p)
        #expect(r.skip == nil)
        #expect(r.timeMillis == 1_795_923_904_000)
        #expect(r.user == "alice")
        #expect(r.client == "pc42.corp")
        #expect(r.host == "evil-brand.com")
    }

    @Test func userFallsBackToIdent() throws {
        var p = try parser("%ts.%03tu %>a %ui %un %ru")
        #expect(parse("1795923904.827 10.0.0.5 identd-joe - http://a.example/", with: &p).user == "identd-joe")
        #expect(parse("1795923904.827 10.0.0.5 identd-joe alice http://a.example/", with: &p).user == "alice")
        #expect(parse("1795923904.827 10.0.0.5 - - http://a.example/", with: &p).user == nil)
    }

    @Test func formatErrors() {
        func message(_ format: String) -> String {
            do {
                _ = try parser(format)
                return "accepted"
            } catch {
                return error.message
            }
        }
        #expect(message("%ts.%03tu %>a %ru %zz") == "logformat: unknown code at column 19 of '%ts.%03tu %>a %ru %zz'")
        #expect(message("%>a %ru").hasPrefix("logformat: no time code"))
        #expect(message("%ts %>a %un").hasPrefix("logformat: no URL or host code"))
        #expect(message("%ts %>a%ru") == "logformat: the field at column 5 has no separator before the next one")
        #expect(message("%{%Y-%j}tl %ru").hasPrefix("logformat: time at column 1: time format '%Y-%j'"))
        #expect(message("%ts %{Host>h") == "logformat: unclosed { at column 6")
        #expect(message("%ts %>a %ru %") == "logformat: unknown code at column 13 of '%ts %>a %ru %'")
    }

    @Test func fixture() throws {
        var p = try parser(hostwatchFormat)
        #expect(
            try outcomes(of: "squid-logformat.log", with: &p)
                == ["visit": 31, "no_host": 1, "malformed": 2, "bad_time": 1])
    }

    @Test func fuzz() throws {
        var p = try parser(hostwatchFormat)
        let tally = LogParsingTests.fuzz(&p, seeds: try fixtureByteLines("squid-logformat.log"))
        expectSound(tally)
        #expect(tally.visits > 1000)
        var combined = try parser(combinedFormat)
        let seeds = try fixtureByteLines("squid-access-combined.log")
        expectSound(LogParsingTests.fuzz(&combined, seeds: Array(seeds.prefix(40)), seed: 7))
    }
}
