import BlockRules
import DomainMatch
import Testing

/// The list every format test renders: two domains, one under the other, an exact name under
/// nothing, an exact name under a domain, and a name with `_`.
let sampleList = """
    evil.test risk=90
    login.evil.test risk=80
    =host.bad.example risk=70
    =www.evil.test risk=60
    phish.example risk=50
    _dmarc.spoof.example risk=40
    """

@Suite("Block files: each format's exact text")
struct RenderTests {
    let set: BlockSet

    init() throws {
        set = try select(sampleList).0
    }

    @Test("squid: .domain and exact lines, minimized so no entry is under another")
    func squid() {
        let (text, report) = render(set, .squid)
        #expect(
            text == """
                # hostwatch block list (Squid dstdomain ACL): 4 names. Generated from the watchlist; do not edit, it is overwritten.
                ._dmarc.spoof.example
                .evil.test
                host.bad.example
                .phish.example

                """)
        #expect(report.written == 4)
        #expect(report.covered == 2)
    }

    @Test("rpz: $ORIGIN, SOA with the serial, NS, name and *.name CNAME .")
    func rpz() {
        let (text, _) = render(set, .rpz, serial: 2_026_113_001)
        #expect(
            text == """
                ; hostwatch block list (BIND Response Policy Zone): 4 names. Generated from the watchlist; do not edit, it is overwritten.
                $ORIGIN rpz.hostwatch.
                $TTL 300
                @ IN SOA localhost. hostmaster.localhost. 2026113001 3600 600 604800 300
                @ IN NS localhost.
                _dmarc.spoof.example CNAME .
                *._dmarc.spoof.example CNAME .
                evil.test CNAME .
                *.evil.test CNAME .
                host.bad.example CNAME .
                phish.example CNAME .
                *.phish.example CNAME .

                """)
    }

    @Test("rpz policies: NODATA, walled-garden address (NXDOMAIN for '_' names), walled-garden name, zone and TTL")
    func rpzPolicies() throws {
        let small = BlockSet([BlockRule("evil.test"), BlockRule("_x.bad.example", .exact)])
        let nodata = render(small, .rpz) { $0.answer = .nodata }.text
        #expect(nodata.hasSuffix("_x.bad.example CNAME *.\nevil.test CNAME *.\n*.evil.test CNAME *.\n"))

        let (walled, report) = render(small, .rpz) {
            $0.answer = try! .parse("redirect", redirectTo: "192.0.2.10")
            $0.rpzZone = "rpz.corp.example"
            $0.ttl = 60
        }
        #expect(walled.contains("$ORIGIN rpz.corp.example.\n$TTL 60\n@ IN SOA localhost. hostmaster.localhost. 7 3600 600 604800 60\n"))
        #expect(walled.hasSuffix("_x.bad.example CNAME .\nevil.test A 192.0.2.10\n*.evil.test A 192.0.2.10\n"))
        #expect(report.answeredNXDOMAIN == [BlockRule("_x.bad.example", .exact)])

        let v6 = render(small, .rpz) { $0.answer = try! .parse("redirect", redirectTo: "2001:DB8::1") }.text
        #expect(v6.hasSuffix("evil.test AAAA 2001:db8::1\n*.evil.test AAAA 2001:db8::1\n"))
        let garden = render(small, .rpz) { $0.answer = try! .parse("redirect", redirectTo: "Blocked.Corp.Example.") }.text
        #expect(garden.hasSuffix("evil.test CNAME blocked.corp.example.\n*.evil.test CNAME blocked.corp.example.\n"))
    }

    @Test("unbound: server:, local-zone always_nxdomain, exact names as local-data")
    func unbound() {
        let (text, _) = render(set, .unbound)
        #expect(
            text == """
                # hostwatch block list (Unbound local zones): 4 names. Generated from the watchlist; do not edit, it is overwritten.
                server:
                local-zone: "_dmarc.spoof.example." always_nxdomain
                local-zone: "evil.test." always_nxdomain
                local-data: "host.bad.example. A 0.0.0.0"
                local-data: "host.bad.example. AAAA ::"
                local-zone: "phish.example." always_nxdomain

                """)
    }

    @Test("unbound policies: nodata, refuse, null, redirect with a walled garden")
    func unboundPolicies() throws {
        let small = BlockSet([BlockRule("evil.test"), BlockRule("host.bad.example", .exact)])
        #expect(render(small, .unbound) { $0.answer = .nodata }.text.contains("local-zone: \"evil.test.\" always_nodata\n"))
        #expect(render(small, .unbound) { $0.answer = .refuse }.text.contains("local-zone: \"evil.test.\" always_refuse\n"))
        #expect(render(small, .unbound) { $0.answer = .null }.text.contains("local-zone: \"evil.test.\" always_null\n"))
        let walled = render(small, .unbound) { $0.answer = try! .parse("redirect", redirectTo: "192.0.2.10") }.text
        #expect(
            walled.hasSuffix(
                "server:\nlocal-zone: \"evil.test.\" redirect\nlocal-data: \"evil.test. A 192.0.2.10\"\nlocal-data: \"host.bad.example. A 192.0.2.10\"\n"))
    }

    @Test("dnsmasq: address=/name/ (or local=/name/, /#, an address); an exact name hands its subdomains back with server=/*.name/#")
    func dnsmasq() {
        let (text, report) = render(set, .dnsmasq)
        #expect(
            text == """
                # hostwatch block list (dnsmasq address rules): 4 names. Generated from the watchlist; do not edit, it is overwritten.
                address=/_dmarc.spoof.example/
                address=/evil.test/
                address=/host.bad.example/
                server=/*.host.bad.example/#
                address=/phish.example/

                """)
        #expect(report.notExpressible.isEmpty)
        let small = BlockSet([BlockRule("evil.test")])
        #expect(render(small, .dnsmasq) { $0.answer = .local }.text.hasSuffix("\nlocal=/evil.test/\n"))
        #expect(render(small, .dnsmasq) { $0.answer = .null }.text.hasSuffix("\naddress=/evil.test/#\n"))
        // A redirect answers both address types, or AAAA queries would go upstream.
        #expect(
            render(small, .dnsmasq) { $0.answer = try! .parse("redirect", redirectTo: "192.0.2.10") }.text
                .hasSuffix("\naddress=/evil.test/192.0.2.10\naddress=/evil.test/::\n"))
        #expect(
            render(small, .dnsmasq) { $0.answer = try! .parse("redirect", redirectTo: "2001:db8::10") }.text
                .hasSuffix("\naddress=/evil.test/0.0.0.0\naddress=/evil.test/2001:db8::10\n"))
    }

    @Test("edl: name and *.name lines, no comments; over the line limit the lowest risk is left out and reported")
    func edl() {
        let (text, _) = render(set, .edl)
        #expect(text == "_dmarc.spoof.example\n*._dmarc.spoof.example\nevil.test\n*.evil.test\nhost.bad.example\nphish.example\n*.phish.example\n")
        // 7 lines; a limit of 5 keeps evil.test (90, 2 lines), host.bad.example (70, 1), phish.example (50, 2).
        let (limited, report) = render(set, .edl) { $0.edlMaxLines = 5 }
        #expect(limited == "evil.test\n*.evil.test\nhost.bad.example\nphish.example\n*.phish.example\n")
        #expect(report.overflow == [BlockRule("_dmarc.spoof.example")])
        #expect(report.written == 3)
    }

    @Test("hosts: 0.0.0.0 for every name (exact only, so nothing is minimized away); plain: one name per line")
    func hostsAndPlain() {
        let (hosts, report) = render(set, .hosts)
        #expect(
            hosts == """
                # hostwatch block list (hosts file): 6 names. Generated from the watchlist; do not edit, it is overwritten.
                0.0.0.0 _dmarc.spoof.example
                0.0.0.0 evil.test
                0.0.0.0 host.bad.example
                0.0.0.0 login.evil.test
                0.0.0.0 phish.example
                0.0.0.0 www.evil.test

                """)
        #expect(report.covered == 0)
        #expect(render(set, .plain).text == "_dmarc.spoof.example\nevil.test\nhost.bad.example\nlogin.evil.test\nphish.example\nwww.evil.test\n")
        let redirected = render(BlockSet([BlockRule("evil.test")]), .hosts) { $0.answer = try! .parse("redirect", redirectTo: "192.0.2.10") }
        #expect(redirected.text.hasSuffix("\n192.0.2.10 evil.test\n"))
    }

    @Test("every format reads back to exactly the rules it was rendered from", arguments: BlockFormat.allCases)
    func readBack(format: BlockFormat) {
        let (bytes, report) = BlockRenderer.render(set, format: format, options: BlockFormatOptions(), serial: 99)
        let parsed = ParsedBlockFile.read(bytes, format: format)
        #expect(parsed.looksWritten(by: format))
        #expect(parsed.unknownLines == 0)
        let expected: [BlockRule] =
            switch format {
            case .hosts, .plain:
                ["_dmarc.spoof.example", "evil.test", "host.bad.example", "login.evil.test", "phish.example", "www.evil.test"]
                    .map { BlockRule($0, .exact) }
            default:
                [BlockRule("_dmarc.spoof.example"), BlockRule("evil.test"), BlockRule("host.bad.example", .exact), BlockRule("phish.example")]
            }
        #expect(parsed.rules == expected)
        #expect(report.written == expected.count)
        #expect(parsed.serial == (format == .rpz ? 99 : nil))
    }

    @Test("a policy a format cannot give is a configuration error")
    func unsupportedPolicy() throws {
        var options = BlockFormatOptions()
        options.answer = .local
        #expect(throws: BlockRulesError("the rpz format cannot answer 'local'")) { try options.check(for: .rpz) }
        options.answer = .nodata
        #expect(throws: BlockRulesError("the squid format cannot answer 'nodata'")) { try options.check(for: .squid) }
        #expect(throws: BlockRulesError("redirect_to 'not a name' is not an IP address or a valid host name")) {
            try BlockAnswer.parse("redirect", redirectTo: "not a name")
        }
        options.answer = .nxdomain
        options.rpzZone = "bad zone"
        #expect(throws: BlockRulesError("rpz zone 'bad zone' is not a valid zone name")) { try options.check(for: .rpz) }
    }
}
