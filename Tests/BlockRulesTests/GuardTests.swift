import BlockRules
import DomainMatch
import Testing
import Watchlist

@Suite("Block files: which entries, and the guards that keep us from blocking ourselves")
struct GuardTests {
    @Test("only action=block entries, or risk ≥ min_risk without an action; never action=alert; never expired")
    func selection() throws {
        let feed = """
            blocked.example action=block
            alerted.example action=alert risk=100
            risky.example risk=80
            mild.example risk=79
            unrated.example
            old.example action=block expires=2027-01-01
            later.example action=block expires=2027-06-01T12:00:00Z
            """
        let jan2027: Int64 = 1_798_761_600  // 2027-01-01T00:00:00Z
        let list = try watchlist(feed, now: jan2027 - 1)
        #expect(list.nextExpiry == jan2027)
        // Loaded just before old.example expires; rendered just after.
        let (set, report) = BlockSet.select(
            from: list, selection: BlockSelection(minRisk: 80, now: jan2027), publicSuffixes: publicSuffixes)
        #expect(set.rules == [BlockRule("blocked.example"), BlockRule("later.example"), BlockRule("risky.example")])
        #expect(report.expired == 1)
        #expect(report.notSelected == 3)
        #expect(report.selected == 3)

        let onlyBlock = BlockSet.select(
            from: list, selection: BlockSelection(minRisk: nil, now: jan2027), publicSuffixes: publicSuffixes)
        #expect(onlyBlock.0.rules == [BlockRule("blocked.example"), BlockRule("later.example")])

        // Loaded after the expiry, the entry is not in the watchlist at all (no hits either).
        let later = try watchlist(feed, now: jan2027)
        #expect(later.expiredCount == 1)
        #expect(later.matcher.match("www.old.example") == .none)
    }

    @Test("allow entries win: the same name, a name under one, and a name above one are never written, and each is reported")
    func allowlist() throws {
        let (set, report) = try select(
            """
            corp.example
            phish.corp.example
            =intranet.example
            example-cdn.net
            evil.test
            login.evil.test
            other.test
            """,
            allow: """
                corp.example
                =vpn.intranet.example
                assets.example-cdn.net
                login.evil.test
                """)
        #expect(set.rules == [BlockRule("other.test")])
        #expect(
            report.excluded.map(\.description) == [
                "corp.example: also an allow entry; allow entries are never blocked",
                "phish.corp.example: under allow entry corp.example; allow entries are never blocked",
                "=intranet.example: above allow entry vpn.intranet.example; blocking it would block an allowed name",
                "example-cdn.net: above allow entry assets.example-cdn.net; blocking it would block an allowed name",
                "evil.test: above allow entry login.evil.test; blocking it would block an allowed name",
                "login.evil.test: also an allow entry; allow entries are never blocked",
            ])
    }

    @Test("public suffixes from Debian's list are never written: ICANN, private, wildcard and exception rules")
    func publicSuffix() throws {
        #expect(publicSuffixes.ruleCount > 9000)
        for suffix in ["com", "co.uk", "github.io", "s3.amazonaws.com", "anything.ck", "xn--55qx5d.cn", "blogspot.com"] {
            #expect(publicSuffixes.isPublicSuffix(suffix), "\(suffix)")
        }
        for name in ["google.com", "evil.co.uk", "attacker.github.io", "www.ck", "example.test", "a.b.anything.ck"] {
            #expect(!publicSuffixes.isPublicSuffix(name), "\(name)")
        }
        let (set, report) = try select("co.uk\ngithub.io\n=blogspot.com\nattacker.github.io\nevil.co.uk\n")
        #expect(set.rules == [BlockRule("attacker.github.io"), BlockRule("evil.co.uk")])
        #expect(
            report.excluded.map(\.description) == [
                "co.uk: a public suffix (Public Suffix List); blocking it would block everyone under it",
                "github.io: a public suffix (Public Suffix List); blocking it would block everyone under it",
                "=blogspot.com: a public suffix (Public Suffix List); blocking it would block everyone under it",
            ])
    }

    @Test("a missing Public Suffix List is an error naming the package")
    func missingList() {
        #expect(
            throws: BlockRulesError(
                "/nonexistent/psl.dat: cannot read the Public Suffix List (No such file or directory); install Debian's 'publicsuffix' package (apt-get install publicsuffix) or set its path (--public-suffix-list / public_suffix_list)"
            )
        ) { try PublicSuffixList.load(path: "/nonexistent/psl.dat") }
    }

    /// Feed lines a hostile or broken feed (or a log) could carry, each aimed at one format's
    /// syntax. `\u{FFFF}` stands for a raw 0xFF byte (invalid UTF-8).
    static let hostileLines = [
        "x.example\";local-zone: \"google.com",
        "x.example/",
        "server=/google.com/192.0.2.66",
        "$INCLUDE /etc/passwd",
        "$GENERATE 1-1000000 h$",
        "$ORIGIN com.rpz.hostwatch.",
        "evil.test;reboot",
        "\"quoted.example\"",
        "'single.example'",
        "bad*.example",
        "a.*.example",
        "sp\u{0B}ace.example",
        "ex\u{0}ample.com",
        "ev\u{FFFF}l.example",
        "ex%0aample.com",
        "(paren).example",
        "com",
        ".",
        "..",
        "a..b.example",
        String(repeating: "a", count: 64) + ".example",
        (0..<4).map { _ in String(repeating: "b", count: 62) }.joined(separator: ".") + ".ab",
        "xn--a.example",
        "hash#.example",
    ]

    @Test("hostile entries: none reaches any file, each is reported with its line; the good entries are all written")
    func hostileEntries() throws {
        // 254 bytes: four 62-byte labels, three dots, ".ab" → 4*62 + 3 + 3 = 254.
        #expect(Self.hostileLines[21].utf8.count == 254)
        let good = ["good.example", "bücher.example", "=exact.good.example", "MiXeD.Case.Example.", "*.star.example"]
        // Valid to the loader, refused by the last check before writing.
        let refusedAtWrite = ["-lead.example", "trail-.example"]
        let lines = good + Self.hostileLines + refusedAtWrite
        var bytes: [UInt8] = []
        for line in lines {
            for scalar in line.unicodeScalars {
                if scalar == "\u{FFFF}" { bytes.append(0xFF) } else { bytes.append(contentsOf: String(scalar).utf8) }
            }
            bytes.append(0x0A)
        }
        var builder = WatchlistBuilder(now: 1_800_000_000, invalidEntries: .skip)
        builder.addText(bytes, file: "feed.txt", role: .watch)
        let list = try builder.build()
        let (set, report) = BlockSet.select(
            from: list, selection: BlockSelection(allUnlessAlert: true, now: 1_800_000_000), publicSuffixes: publicSuffixes)

        // Each hostile line is skipped and named by its line number; "hash#.example" is "hash"
        // and a comment, refused as a single label.
        #expect(list.skipped.map(\.line) == Array((good.count + 1)...(good.count + Self.hostileLines.count)))
        #expect(list.skipped.allSatisfy { $0.file == "feed.txt" && !$0.reason.isEmpty })
        #expect(list.skipped[0].description == #"feed.txt:6: 'x.example";local-zone:' is not a valid name: the port after ':' is not a number"#)
        #expect(
            report.excluded.map(\.description) == [
                "-lead.example: not written: label starts with '-'", "trail-.example: not written: label ends with '-'",
            ])
        #expect(
            set.rules == [
                BlockRule("exact.good.example", .exact), BlockRule("good.example"), BlockRule("mixed.case.example"),
                BlockRule("star.example"), BlockRule("xn--bcher-kva.example"),
            ])
        for format in BlockFormat.allCases {
            let (bytes, _) = BlockRenderer.render(set, format: format, options: BlockFormatOptions())
            let text = String(decoding: bytes, as: UTF8.self)
            for forbidden in [
                "google", "passwd", "GENERATE", "INCLUDE", "reboot", "quoted", "single", "*.example", "\0", "%", "aaaa", "bbbb",
                "xn--a.", "lead", "trail", "paren", "hash",
            ] {
                #expect(!text.contains(forbidden), "\(format): \(forbidden)")
            }
            #expect(bytes.allSatisfy { $0 < 0x80 }, "\(format): non-ASCII byte")
            #expect(ParsedBlockFile.read(bytes, format: format).unknownLines == 0)
        }
    }

    @Test("with invalid_entries = reject (the default) one hostile line fails the whole load, naming every bad line")
    func rejectMode() throws {
        let text = "good.example\nevil.test;reboot\nbad*.example\n"
        #expect(throws: WatchlistLoadError.self) { try watchlist(text, strict: true) }
        do {
            _ = try watchlist(text, strict: true)
        } catch let error as WatchlistLoadError {
            #expect(error.errors.map(\.line) == [2, 3])
        }
    }

    @Test("the strict byte check before writing refuses what the loader would never let through")
    func lastCheck() {
        #expect(BlockName.problem("evil.test") == nil)
        #expect(BlockName.problem("_dmarc.evil.test") == nil)
        #expect(BlockName.problem("evil.test\n.google.com") == "byte 0xa is not allowed in a name")
        #expect(BlockName.problem("Evil.test") == "byte 0x45 is not allowed in a name")
        #expect(BlockName.problem("com") == "a single label (a whole top-level domain)")
        #expect(BlockName.problem("evil.test.") == "empty label")
        #expect(BlockName.problem("-a.test") == "label starts with '-'")
        #expect(BlockName.problem(String(repeating: "a", count: 64) + ".test") == "label longer than 63 bytes")
        #expect(BlockName.problem("") == "empty name")
    }

    @Test("IP entries are reported, never written to a name list")
    func ipEntries() throws {
        let (set, report) = try select("203.0.113.7\n[2001:db8::1]\nevil.test\n")
        #expect(set.rules == [BlockRule("evil.test")])
        #expect(report.excluded.map(\.description) == ["=203.0.113.7: an IP address; block files hold names", "=2001:db8::1: an IP address; block files hold names"])
    }

    @Test("rpz: a name too long once the zone is appended is reported, not written (named would refuse the zone)")
    func rpzLength() {
        let long = (0..<3).map { _ in String(repeating: "c", count: 63) }.joined(separator: ".") + ".example"  // 189+8+... bytes
        let name = long + "." + String(repeating: "d", count: 253 - long.utf8.count - 1)
        #expect(name.utf8.count == 253)
        let set = BlockSet([BlockRule(name), BlockRule("evil.test")])
        let (text, report) = render(set, .rpz)
        #expect(!text.contains("ccc"))
        #expect(report.notExpressible == [BlockRule(name)])
        #expect(render(set, .squid).text.contains(name))
    }
}
