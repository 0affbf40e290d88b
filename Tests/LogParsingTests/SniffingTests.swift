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
        ("w3c.log", "w3c"),
        ("windows-dns.log", "windows-dns"),
        ("coredns.log", "coredns"),
        ("umbrella.log", "umbrella"),
        ("umbrella-proxy.log", "umbrella-proxy"),
        ("zscaler.log", "zscaler"),
        ("paloalto.log", "paloalto"),
        ("zeek.log", "zeek"),
        ("zeek-json.log", "zeek-json"),
        ("suricata.log", "suricata"),
        ("zscaler-json.log", "zscaler-json"),
        // A custom Squid logformat: no built-in parser reads it (it needs a parsers/ definition).
        ("squid-access-custom.log", nil),
    ]

    /// Fixtures that hold broken lines on purpose (the others are the real daemons' logs).
    static let fixturesWithBrokenLines: Set<String> = ["coredns", "umbrella", "umbrella-proxy", "zscaler-json"]

    @Test(arguments: samples)
    func firstTwentyLinesSniffToTheirFormat(file: String, id: String?) throws {
        let lines = Array(try fixtureLines(file).prefix(20))
        #expect(lines.count >= 15)
        let best = sniff(lines)
        #expect(best?.id == id)
        // The real daemons' samples are read whole; the other fixtures hold broken lines on purpose.
        if let id { #expect(best!.score >= (Self.fixturesWithBrokenLines.contains(id) ? 0.8 : 1)) }
    }

    /// Every built-in parser reads its own sample fully and no line of the others'.
    @Test(arguments: samples)
    func otherParsersReadNothing(file: String, id: String?) throws {
        let lines = Array(try fixtureLines(file).prefix(20))
        for other in ParserRegistry.builtins where !other.needsOptions && other.id != id {
            // Umbrella's DNS and proxy exports share their header line (`Timestamp,…`).
            let siblings: Set<String?> = ["umbrella", "umbrella-proxy"]
            let limit = siblings.contains(id) && siblings.contains(other.id) ? 0.1 : 0
            #expect(try score(other.id, lines) <= limit, "\(other.id) on \(file)")
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
        #expect(
            ParserRegistry.builtinIDs == [
                "squid", "combined", "bind9", "unbound", "dnsmasq", "w3c", "windows-dns", "coredns", "umbrella-proxy", "umbrella", "zscaler", "paloalto", "zeek",
                "zeek-json", "suricata", "zscaler-json", "squid-logformat", "csv", "tsv", "json",
            ])
        for format in ParserRegistry.builtins where !format.needsOptions {
            #expect(ParserRegistry.make(format.id, context: utcContext)?.id == format.id)
        }
        // The formats that need settings say which.
        #expect(throws: FormatError("format squid-logformat needs logformat = \"…\" (the format string of squid.conf's logformat line)")) {
            try ParserRegistry.make("squid-logformat", context: utcContext, options: FormatOptions())
        }
        #expect(ParserRegistry.make("nope", context: utcContext) == nil)
    }
}
