import LogParsing
import Testing

/// A definition for the tests below: `time client host url user …` separated by single spaces.
private func definition(
    _ regex: String, kind: LogEvent.Kind = .proxy, skip: String? = nil, timeFormat: String = "epoch",
    timeZone: LogTimeZone? = nil, limits: PCRE2Limits = .defaults
) throws -> ParserDefinition {
    try ParserDefinition(
        id: "test", kind: kind, regex: regex, skip: skip, timeFormat: timeFormat, timeZone: timeZone, limits: limits)
}

private func parser(_ definition: ParserDefinition, context: ParserContext = utcContext) -> PCRE2Parser {
    PCRE2Parser(definition: definition, context: context)
}

/// Parses raw bytes (which need not be UTF-8); returns the skip reason and the host, if any.
private func parseBytes(_ bytes: [UInt8], with parser: inout PCRE2Parser) -> (skip: SkipReason?, host: [UInt8]) {
    var copy = bytes
    return copy.withUnsafeMutableBytes { raw in
        let line = UnsafeRawBufferPointer(raw)
        var event = LogEvent()
        let skip = parser.parse(line, into: &event)
        return (skip, skip == nil ? Array(event.bytes(line)[event.host]) : [])
    }
}

/// Fields in the shape of Squid's native format, the pattern most tests use.
private let squidLike =
    #"^(?<time>\d+\.\d+) +\d+ (?<client>\S+) (?<action>[^/ ]*)/(?<status>\S*) \S+ (?<method>\S+) (?<url>\S+) (?<user>\S+)"#

@Suite("PCRE2 parser")
struct PCRE2ParserTests {
    @Test func squidShapedLine() throws {
        var p = parser(try definition(squidLike))
        let r = parse(
            "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html",
            with: &p)
        #expect(
            r
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_827, host: "www.evil-brand.com:443",
                    client: "127.0.0.4", user: "carol", method: "CONNECT", url: "www.evil-brand.com:443",
                    status: "403", action: "TCP_DENIED", qtype: nil, rcode: nil))
        #expect(p.id == "test")
        #expect(p.kind == .proxy)
    }

    @Test func dashUserIsNilAndURLWithoutHostIsNoHost() throws {
        var p = parser(try definition(squidLike))
        let dash = parse(
            "1795923905.153      1 127.0.0.6 TCP_DENIED/407 3541 GET http://example.org:8081/ - HIER_NONE/- text/html",
            with: &p)
        #expect(dash.skip == nil)
        #expect(dash.user == nil)
        #expect(dash.host == "example.org:8081")
        let error = parse(
            "1795923905.300      0 127.0.0.9 NONE_NONE/400 3928 NONE error:invalid-request - HIER_NONE/- text/html",
            with: &p)
        #expect(error.skip == .noHost)
        #expect(error.url == "error:invalid-request")
        #expect(error.client == "127.0.0.9")
        #expect(error.timeMillis == 1_795_923_905_300)
    }

    @Test func nonMatchingLineIsMalformedUnlessSkipMatches() throws {
        var plain = parser(try definition(squidLike))
        #expect(parse("# a comment", with: &plain).skip == .malformed)
        var withSkip = parser(try definition(squidLike, skip: "^#"))
        #expect(parse("# a comment", with: &withSkip).skip == .notAVisit)
        #expect(parse("garbage", with: &withSkip).skip == .malformed)
        // The skip pattern is only tried on lines the regex does not read.
        #expect(
            parse("1795923904.827 0 10.0.0.1 TCP_MISS/200 1 GET http://a.example/ - X/- -", with: &withSkip).skip == nil)
    }

    @Test func unreadableTimeIsBadTime() throws {
        var p = parser(try definition(squidLike))
        // "epoch" reads digits with an optional fraction; the regex lets `1.2.3` through.
        let r = parse("99999999999999999999.5 0 10.0.0.1 TCP_MISS/200 1 GET http://a.example/ - X/- -", with: &p)
        #expect(r.skip == .badTime)
        var iso = parser(try definition(#"^(?<time>\S+) (?<client>\S+) (?<host>\S+)$"#, timeFormat: "iso8601"))
        #expect(parse("2026-13-29T03:45:04Z 10.0.0.1 a.example", with: &iso).skip == .badTime)
        #expect(parse("yesterday 10.0.0.1 a.example", with: &iso).skip == .badTime)
        let ok = parse("2026-11-29T04:45:04.5+01:00 10.0.0.1 a.example", with: &iso)
        #expect(ok.skip == nil)
        #expect(ok.timeMillis == 1_795_923_904_500)
    }

    @Test func timeZoneOfTheDefinitionWinsOverTheContext() throws {
        let regex = #"^(?<time>\S+ \S+) (?<client>\S+) (?<host>\S+)$"#
        let line = "2026-11-29 04:45:04 10.0.0.1 a.example"
        var fixed = parser(
            try definition(regex, timeFormat: "%Y-%m-%d %H:%M:%S", timeZone: .fixed(seconds: 3600)),
            context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: .utc))
        #expect(parse(line, with: &fixed).timeMillis == 1_795_923_904_000)
        var fromContext = parser(
            try definition(regex, timeFormat: "%Y-%m-%d %H:%M:%S"),
            context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: -3600)))
        #expect(parse(line, with: &fromContext).timeMillis == 1_795_931_104_000)
    }

    @Test func yearlessTimesFollowTheReferenceTime() throws {
        var p = parser(
            try definition(
                #"^(?<time>\w{3} +\d+ \S+) (?<client>\S+) (?<host>\S+)$"#, kind: .dns, timeFormat: "%b %e %H:%M:%S"))
        #expect(parse("Nov 29 03:45:04 10.0.0.1 a.example", with: &p).timeMillis == 1_795_923_904_000)
        // A December line read in early January belongs to the year before.
        p.setReferenceTime(1_798_891_200_000)  // 2027-01-02T12:00:00Z
        #expect(parse("Dec 31 23:00:00 10.0.0.1 a.example", with: &p).timeMillis == 1_798_758_000_000)
        #expect(parse("Dec 31 23:00:00 10.0.0.1 a.example", with: &p).kind == .dns)
    }

    @Test func hostGroupWinsUnlessItIsAnAddressAndTheURLNamesAHost() throws {
        let d = try definition(#"^(?<time>\d+) (?<client>\S+) (?<url>\S+) (?<host>\S+)$"#)
        var p = parser(d)
        // Both names: the host group.
        #expect(parse("1795923904 10.0.0.1 http://a.example/x b.example", with: &p).host == "b.example")
        // The URL is an address, the host group a name: the name.
        #expect(parse("1795923904 10.0.0.1 http://203.0.113.7/x login.evil-brand.com", with: &p).host == "login.evil-brand.com")
        // The host group is an address, the URL names a host: the URL's name.
        #expect(parse("1795923904 10.0.0.1 http://evil-brand.com:8080/ 203.0.113.7", with: &p).host == "evil-brand.com:8080")
        #expect(parse("1795923904 10.0.0.1 http://evil-brand.com/ [2001:db8::1]:443", with: &p).host == "evil-brand.com")
        // Both addresses: the host group.
        #expect(parse("1795923904 10.0.0.1 http://203.0.113.7/ 198.51.100.4", with: &p).host == "198.51.100.4")
        // A host of "-" is no host: the URL's.
        #expect(parse("1795923904 10.0.0.1 http://a.example/ -", with: &p).host == "a.example")
        // Neither: no host.
        #expect(parse("1795923904 10.0.0.1 /index.html -", with: &p).skip == .noHost)
    }

    @Test func emptyAndUnsetGroupsAreAbsent() throws {
        var p = parser(
            try definition(#"^(?<time>\d+) (?<client>\S*) (?<host>\S+)(?: (?<user>\S*))?(?: (?<rcode>[A-Z]*))?$"#, kind: .dns))
        let r = parse("1795923904  a.example", with: &p)
        #expect(r.skip == nil)
        #expect(r.client == "")
        #expect(r.user == nil)
        #expect(r.rcode == nil)
        let withUser = parse("1795923904 10.0.0.1 a.example bob NXDOMAIN", with: &p)
        #expect(withUser.user == "bob")
        #expect(withUser.rcode == "NXDOMAIN")
        #expect(withUser.kind == .dns)
    }

    @Test func aNameUsedTwiceTakesTheLeftmostGroupThatMatched() throws {
        // Branch reset: both alternatives are group 2.
        var reset = parser(try definition(#"^(?<time>\d+) (?|\[(?<client>[^\]]+)\]|(?<client>[^ :]+)):\d+ (?<host>\S+)$"#))
        #expect(parse("1795923904 [2001:db8::5]:53 a.example", with: &reset).client == "2001:db8::5")
        #expect(parse("1795923904 10.0.0.5:53 a.example", with: &reset).client == "10.0.0.5")
        // (?J): two groups named host; the first that matched something wins.
        var dup = parser(try definition(#"(?J)^(?<time>\d+) (?<client>\S+) (?:host=(?<host>\S*) )?url=(?<host>\S+)$"#))
        #expect(parse("1795923904 10.0.0.1 host=a.example url=b.example", with: &dup).host == "a.example")
        #expect(parse("1795923904 10.0.0.1 host= url=b.example", with: &dup).host == "b.example")
        #expect(parse("1795923904 10.0.0.1 url=b.example", with: &dup).host == "b.example")
    }

    @Test func privateGroupsAreIgnored() throws {
        var p = parser(try definition(#"^(?<time>\d+) (?<client>\S+) (?<_bytes>\d+) (?<host>\S+)$"#))
        let r = parse("1795923904 10.0.0.1 512 a.example", with: &p)
        #expect(r.skip == nil)
        #expect(r.host == "a.example")
    }

    @Test func catastrophicPatternHitsTheMatchLimit() throws {
        let line = "1795923904 10.0.0.5 " + String(repeating: "a", count: 38) + "b"
        for prefix in ["", "(*NO_JIT)"] {
            var p = parser(try definition(prefix + #"^(?<time>\d+) (?<client>\S+) (?<host>(a+)+)$"#))
            #expect(parse(line, with: &p).skip == .matchLimit, "prefix \(prefix)")
            // The same parser still reads the next line.
            #expect(parse("1795923904 10.0.0.5 aaaa", with: &p).host == "aaaa")
        }
        // A long line through an ordinary pattern stays well inside the limits.
        var squid = parser(try definition(squidLike))
        let longURL = "http://evil-brand.com/" + String(repeating: "x", count: 60_000)
        let long = parse("1795923904.827 0 10.0.0.1 TCP_MISS/200 1 GET \(longURL) - X/- -", with: &squid)
        #expect(long.skip == nil)
        #expect(long.host == "evil-brand.com")
    }

    @Test func theInterpreterHonoursTheDepthAndHeapLimits() throws {
        // One nested frame (or two) per repetition of the group: 3000 repetitions.
        let regex = #"(*NO_JIT)^(?<time>\d+) (?<client>\S+) "(?<host>(?:[^"\\]|\\.)*)"$"#
        let line = "1795923904 10.0.0.5 \"" + String(repeating: "a", count: 3000) + "\""
        var shallow = parser(
            try definition(regex, limits: PCRE2Limits(matchLimit: 1_000_000, depthLimit: 100, heapLimitKiB: 8192)))
        #expect(parse(line, with: &shallow).skip == .matchLimit)
        var smallHeap = parser(
            try definition(regex, limits: PCRE2Limits(matchLimit: 1_000_000, depthLimit: 1_000_000, heapLimitKiB: 64)))
        #expect(parse(line, with: &smallHeap).skip == .matchLimit)
        var defaults = parser(try definition(regex))
        #expect(parse(line, with: &defaults).skip == nil)
    }

    @Test func theJITStackIsBoundedByTheHeapLimit() throws {
        let regex = #"^(?<time>\d+) (?<client>\S+) "(?<host>(?:[^"\\]|\\.)*)"$"#
        let line = "1795923904 10.0.0.5 \"" + String(repeating: "a", count: 200_000) + "\""
        var small = parser(
            try definition(regex, limits: PCRE2Limits(matchLimit: 100_000_000, depthLimit: 10_000, heapLimitKiB: 64)))
        let d = try definition(regex)
        if d.regex.usesJIT {
            #expect(parse(line, with: &small).skip == .matchLimit)
        }
        var defaults = parser(d)
        #expect(parse("1795923904 10.0.0.5 \"a\\\"b\"", with: &defaults).host == "a\\\"b")
    }

    @Test func invalidUTF8AndNULBytesAreJustBytes() throws {
        var p = parser(try definition(#"^(?<time>\d+) (?<client>\S+) (?<host>\S+) (?<_rest>.*)$"#))
        let prefix = Array("1795923904 10.0.0.1 ".utf8)
        // Invalid UTF-8 in the host, a lone continuation byte and a NUL in the rest.
        let host: [UInt8] = [0x65, 0x76, 0xC3, 0x28, 0xFF, 0x2E, 0x63, 0x6F, 0x6D]
        let r = parseBytes(prefix + host + [0x20, 0x80, 0x00, 0x41, 0x00], with: &p)
        #expect(r.skip == nil)
        #expect(r.host == host)
        // A NUL byte does not end the line: the regex sees all of it.
        var strict = parser(try definition(#"^(?<time>\d+) (?<client>\S+) (?<host>[a-z.]+)$"#))
        #expect(parseBytes(prefix + Array("a.example".utf8) + [0x00, 0x41], with: &strict).skip == .malformed)
        #expect(parseBytes(prefix + Array("a.example".utf8), with: &strict).skip == nil)
        // `.` matches a single byte, also a non-ASCII one (byte mode, not UTF).
        var dot = parser(try definition(#"^(?<time>\d+) (?<client>\S+) (?<host>..)$"#))
        #expect(parseBytes(prefix + [0xC3, 0xA9], with: &dot).skip == nil)
        #expect(parseBytes(prefix + [0xC3, 0xA9, 0x41], with: &dot).skip == .malformed)
    }

    @Test func emptyLine() throws {
        var p = parser(try definition(squidLike))
        #expect(parseBytes([], with: &p).skip == .malformed)
        var skipEmpty = parser(try definition(squidLike, skip: "^$"))
        #expect(parseBytes([], with: &skipEmpty).skip == .notAVisit)
    }

    @Test func copiesShareTheCompiledPatternButCanBeUsedInTurn() throws {
        let d = try definition(squidLike)
        var a = parser(d)
        var b = parser(d)
        let line = "1795923904.827 0 10.0.0.1 TCP_MISS/200 1 GET http://a.example/ - X/- -"
        #expect(parse(line, with: &a).host == "a.example")
        #expect(parse("x", with: &b).skip == .malformed)
        #expect(parse(line, with: &a).host == "a.example")
        // The default sniff works on a copy.
        var bytes = Array(line.utf8)
        let score = bytes.withUnsafeMutableBytes { a.sniff([UnsafeRawBufferPointer($0)]) }
        #expect(score == 1)
    }

    @Test func patternsUseTheJITWhenAvailableAndNotWithNoJIT() throws {
        #expect(try definition("(*NO_JIT)" + squidLike).regex.usesJIT == false)
        let d = try definition(squidLike)
        #expect(d.regex.captureCount == 7)
        #expect(d.fieldGroups.map(\.field) == [.time, .client, .action, .status, .method, .url, .user])
        #expect(d.fieldGroups.map(\.number) == [1, 2, 3, 4, 5, 6, 7])
    }
}
