import LogParsing
import Testing

@Suite("Format sniffing")
struct SniffingTests {
    static let samples: [(file: String, id: String?)] = [
        ("squid-access.log", "squid"),
        ("squid-access-combined.log", "combined"),
        ("bind-query.log", "bind9"),
        ("bind-rpz.log", "bind9"),
        ("unbound.log", "unbound"),
        ("dnsmasq.log", "dnsmasq"),
        // A custom Squid logformat: no built-in parser reads it (it needs a parsers/ definition).
        ("squid-access-custom.log", nil),
    ]

    @Test(arguments: samples)
    func firstTwentyLinesSniffToTheirFormat(file: String, id: String?) throws {
        let lines = Array(try fixtureLines(file).prefix(20))
        #expect(lines.count == 20)
        let best = sniff(lines)
        #expect(best?.id == id)
        if id != nil { #expect(best?.score == 1) }
    }

    /// Every built-in parser reads its own sample fully and no line of the others'.
    @Test(arguments: samples)
    func otherParsersReadNothing(file: String, id: String?) throws {
        let lines = Array(try fixtureLines(file).prefix(20))
        for other in ParserRegistry.builtinIDs where other != id {
            #expect(try score(other, lines) == 0, "\(other) on \(file)")
        }
    }

    @Test func garbageSniffsToNothing() {
        let binary = String(decoding: (0..<200).map { UInt8(($0 * 37 + 11) % 256) }, as: UTF8.self)
        #expect(sniff([binary, "\u{1}\u{2}\u{3}", "PK\u{3}\u{4} garbage", "lorem ipsum dolor sit amet"]) == nil)
        #expect(sniff([]) == nil)
        #expect(sniff(["", ""]) == nil)
    }

    @Test func mixedSyslogPicksTheMajority() throws {
        let lines = [
            "Nov 29 03:45:04 host dnsmasq[19383]: query[A] a.example from 10.0.0.1",
            "Nov 29 03:45:04 host dnsmasq[19383]: forwarded a.example to 192.0.2.53",
            "Nov 29 03:45:04 host named[812]: client 127.0.0.1#54819 (a.example): query: a.example IN A + (127.0.0.1)",
        ]
        let best = try #require(sniff(lines))
        #expect(best.id == "dnsmasq")
        #expect(abs(best.score - 2.0 / 3.0) < 1e-9)
    }

    @Test func registryKnowsEveryBuiltin() {
        #expect(ParserRegistry.builtinIDs == ["squid", "combined", "bind9", "unbound", "dnsmasq"])
        for id in ParserRegistry.builtinIDs {
            #expect(ParserRegistry.make(id, context: utcContext)?.id == id)
        }
        #expect(ParserRegistry.make("nope", context: utcContext) == nil)
    }
}
