import DomainMatch
import Testing
import Watchlist

/// The plain list syntax, through `WatchlistBuilder.addText`.
@Suite struct PlainListSyntaxTests {
    @Test func wholeLineCommentsAndBlankLinesAreIgnored() throws {
        let list = try buildList(
            watch: """
                # phishing kits seen this week
                #commented-out.example

                   \t
                \t# indented comment other.example
                evil.com

                """)
        #expect(list.watchCount == 1)
        #expect(list.duplicateCount == 0)
        #expect(list.matcher.match("evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("commented-out.example") == .none)
        #expect(list.matcher.match("other.example") == .none)
    }

    @Test func commentAfterAnEntryWithAndWithoutSpace() throws {
        let list = try buildList(
            watch: """
                evil.com # seen in the 3 May campaign, also other.example
                bad.org#no space before the hash
                tab.net\t#tab before the hash
                meta.example risk=5#comment right after metadata
                """)
        #expect(list.watchCount == 4)
        #expect(hit(list, "evil.com")?.nameLength == 8)
        #expect(hit(list, "bad.org")?.nameLength == 7)
        #expect(hit(list, "tab.net")?.nameLength == 7)
        #expect(hit(list, "meta.example")?.metadata.risk == 5)
        #expect(list.matcher.match("other.example") == .none)
    }

    @Test func crlfLineEnds() throws {
        let list = try buildList(
            watch: "# header\r\nevil.com\r\n\r\n=login.example.net\r\nphish.org risk=7 tags=a,b\r\nlast.example")
        #expect(list.watchCount == 4)
        #expect(hit(list, "x.evil.com")?.nameLength == 8)
        #expect(hit(list, "login.example.net")?.nameLength == 17)
        #expect(list.matcher.match("a.login.example.net") == .none)
        #expect(hit(list, "phish.org")?.metadata == EntryMetadata(list: "watch", tags: ["a", "b"], risk: 7))
        #expect(hit(list, "last.example")?.nameLength == 12)
    }

    @Test func utf8ByteOrderMark() throws {
        var builder = WatchlistBuilder()
        builder.addText([0xEF, 0xBB, 0xBF] + Array("evil.com\nbad.org\n".utf8), file: "bom.txt", role: .watch)
        let list = try builder.build()
        #expect(list.watchCount == 2)
        #expect(hit(list, "evil.com")?.nameLength == 8)
        #expect(hit(list, "bad.org")?.nameLength == 7)

        // Line numbers do not move, and the mark is not part of the reported token.
        let errors = listErrors([0xEF, 0xBB, 0xBF] + Array("a;b.com\n".utf8))
        #expect(errors.map(\.description) == [
            "bad.txt:1: 'a;b.com' is not a valid name: the name contains a byte outside [a-z0-9-_.] after normalization"
        ])
    }

    @Test func upperCaseAndTrailingDot() throws {
        let list = try buildList(watch: "EVIL.COM.\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match("login.evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("EVIL.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("notevil.com") == .none)
        #expect(list.matcher.match("evil.com.au") == .none)
        #expect(list.matcher.match("com") == .none)
    }

    @Test func exactPrefixMatchesOnlyThatName() throws {
        let list = try buildList(watch: "=login.example.net\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match("login.example.net") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("LOGIN.Example.NET.") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("a.login.example.net") == .none)
        #expect(list.matcher.match("example.net") == .none)
        #expect(list.matcher.match("www.example.net") == .none)
    }

    @Test(arguments: ["*.phish.example", ".phish.example", "phish.example", "*.PHISH.example."])
    func leadingWildcardOrDotMeansTheDomainItself(_ line: String) throws {
        let list = try buildList(watch: line + "\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match("phish.example") == .watched(value: 0, nameLength: 13))
        #expect(list.matcher.match("a.phish.example") == .watched(value: 0, nameLength: 13))
        #expect(list.matcher.match("a.b.phish.example") == .watched(value: 0, nameLength: 13))
        #expect(list.matcher.match("xphish.example") == .none)
        #expect(list.matcher.match("example") == .none)
    }

    @Test func wildcardDotAndPlainFormsAreTheSameEntry() throws {
        let list = try buildList(watch: "*.phish.example risk=1\n.phish.example risk=2\nphish.example risk=3\n")
        #expect(list.watchCount == 1)
        #expect(list.duplicateCount == 2)
        #expect(hit(list, "a.phish.example")?.metadata.risk == 1)
    }

    @Test func pastedURLIsReducedToItsHost() throws {
        let list = try buildList(watch: "https://user@Secure.Bad.example:8443/path?q=1\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match("secure.bad.example") == .watched(value: 0, nameLength: 18))
        #expect(list.matcher.match("x.secure.bad.example") == .watched(value: 0, nameLength: 18))
        #expect(list.matcher.match("bad.example") == .none)
        #expect(list.matcher.match("user") == .none)
    }

    @Test(arguments: [
        ("http://evil.example", "evil.example"),
        ("http://evil.example/", "evil.example"),
        ("HTTPS://EVIL.example?x=1", "evil.example"),
        ("hxxps://evil.example/login.php", "evil.example"),
        ("ftp://a:b@files.evil.example:21/x", "files.evil.example"),
        ("https://evil.example/#frag", "evil.example"),
        ("https://203.0.113.9:443/", "203.0.113.9"),
    ])
    func otherPastedURLs(_ line: String, _ host: String) throws {
        let list = try buildList(watch: line + "\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match(host) == .watched(value: 0, nameLength: host.utf8.count))
    }

    @Test func cyrillicLookalikeULabelMatchesItsPunycode() throws {
        // "pаypal.com" with U+0430 CYRILLIC SMALL LETTER A.
        let line = "p\u{0430}ypal.com"
        #expect(line.unicodeScalars.contains("\u{0430}"))
        let list = try buildList(watch: line + "\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match("xn--pypal-4ve.com") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("login.xn--pypal-4ve.com") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match(line) == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("paypal.com") == .none)
    }

    @Test func germanULabelMatchesItsPunycode() throws {
        let list = try buildList(watch: "münchen.de\nMÜNCHEN.DE\nxn--mnchen-3ya.de\n")
        #expect(list.watchCount == 1)
        #expect(list.duplicateCount == 2)
        #expect(list.matcher.match("xn--mnchen-3ya.de") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("www.xn--mnchen-3ya.de") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("münchen.de") == .watched(value: 0, nameLength: 17))
        #expect(list.matcher.match("munchen.de") == .none)
    }

    @Test func ipLiteralMatchesOnlyThatAddress() throws {
        let list = try buildList(watch: "203.0.113.7\n")
        #expect(list.watchCount == 1)
        #expect(list.matcher.match("203.0.113.7") == .watched(value: 0, nameLength: 11))
        #expect(list.matcher.match("203.0.113.70") == .none)
        #expect(list.matcher.match("203.0.113.8") == .none)
        #expect(list.matcher.match("3.0.113.7") == .none)
        #expect(list.matcher.match("113.7") == .none)
        #expect(list.matcher.match("0.113.7") == .none)
    }

    @Test func ipv6LiteralIsCanonicalized() throws {
        let list = try buildList(watch: "2001:DB8:0:0::1\n[2001:db8::2]\n")
        #expect(list.watchCount == 2)
        #expect(list.matcher.match("2001:db8::1") == .watched(value: 0, nameLength: 11))
        #expect(list.matcher.match("[2001:db8:0::1]:443") == .watched(value: 0, nameLength: 11))
        #expect(list.matcher.match("2001:db8::2") == .watched(value: 1, nameLength: 11))
        #expect(list.matcher.match("2001:db8::3") == .none)
    }

    @Test func metadataIsReportedExactly() throws {
        let list = try buildList(
            watch: """
                evil.example risk=90 tags=phishing,brand # from the feed
                plain.example
                low.example risk=0
                high.example\trisk=100\ttags=a_b.c:d-E9
                tagged.example tags=solo
                """,
            watchFile: "/tmp/x/phishing-feed.txt")
        #expect(list.watchCount == 5)
        #expect(hit(list, "evil.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: ["phishing", "brand"], risk: 90))
        #expect(hit(list, "a.evil.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: ["phishing", "brand"], risk: 90))
        #expect(hit(list, "plain.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: [], risk: nil))
        #expect(hit(list, "low.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: [], risk: 0))
        #expect(hit(list, "high.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: ["a_b.c:d-E9"], risk: 100))
        #expect(hit(list, "tagged.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: ["solo"], risk: nil))
    }

    @Test func metadataWorksOnExactURLAndIPEntries() throws {
        let list = try buildList(
            watch: """
                =login.example.net risk=10 tags=exact
                https://secure.bad.example/x risk=20 tags=url
                203.0.113.7 risk=30 tags=ip
                """)
        #expect(hit(list, "login.example.net")?.metadata == EntryMetadata(list: "watch", tags: ["exact"], risk: 10))
        #expect(hit(list, "secure.bad.example")?.metadata == EntryMetadata(list: "watch", tags: ["url"], risk: 20))
        #expect(hit(list, "203.0.113.7")?.metadata == EntryMetadata(list: "watch", tags: ["ip"], risk: 30))
    }

    @Test(arguments: [
        ("/tmp/x/phishing-feed.txt", "phishing-feed"),
        ("rules/phishing.txt", "phishing"),
        ("feed", "feed"),
        ("/srv/lists/brand.list.txt", "brand.list"),
        ("/srv/lists/.hidden", ".hidden"),
        ("relative/dir/no-extension", "no-extension"),
    ])
    func listNameIsFileNameWithoutDirectoryAndExtension(_ file: String, _ name: String) throws {
        var builder = WatchlistBuilder()
        builder.addText(Array("evil.com\n".utf8), file: file, role: .watch)
        let list = try builder.build()
        #expect(hit(list, "evil.com")?.metadata.list == name)
    }

    @Test func eachEntryReportsItsOwnList() throws {
        var builder = WatchlistBuilder()
        builder.addText(Array("one.example risk=1\n".utf8), file: "feeds/first.txt", role: .watch)
        builder.addText(Array("two.example risk=2\n".utf8), file: "feeds/second.txt", role: .watch)
        builder.addText(Array("three.example\n".utf8), file: "third.csv", role: .watch)
        let list = try builder.build()
        #expect(list.watchCount == 3)
        #expect(hit(list, "one.example")?.metadata == EntryMetadata(list: "first", risk: 1))
        #expect(hit(list, "two.example")?.metadata == EntryMetadata(list: "second", risk: 2))
        #expect(hit(list, "three.example")?.metadata == EntryMetadata(list: "third"))
    }

    @Test func emptyTextAndEmptyWatchlist() throws {
        let list = try buildList(watch: "")
        #expect(list.watchCount == 0)
        #expect(list.allowCount == 0)
        #expect(list.duplicateCount == 0)
        #expect(list.matcher.match("evil.com") == .none)
        #expect(Watchlist.empty.watchCount == 0)
        #expect(Watchlist.empty.matcher.match("evil.com") == .none)
    }

    @Test func lastLineWithoutNewline() throws {
        let list = try buildList(watch: "first.example\nlast.example")
        #expect(list.watchCount == 2)
        #expect(hit(list, "last.example")?.nameLength == 12)
    }
}

/// `PlainListParser` on its own: what each line becomes.
@Suite struct PlainListParserEntryTests {
    struct Seen: Equatable {
        var name: String
        var kind: HostKind
        var scope: MatchScope
        var tags: [String]
        var risk: Int?
    }

    func parse(_ text: String, stopAfter limit: Int = .max) -> (entries: [Seen], errors: [WatchlistError]) {
        var entries: [Seen] = []
        var errors: [WatchlistError] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { raw in
            PlainListParser(file: "p.txt").forEachEntry(in: raw) { result in
                switch result {
                case .success(let entry):
                    entries.append(
                        Seen(
                            name: String(decoding: entry.name, as: UTF8.self), kind: entry.kind,
                            scope: entry.scope, tags: entry.tags, risk: entry.risk))
                case .failure(let error):
                    errors.append(error)
                }
                return entries.count + errors.count < limit
            }
        }
        return (entries, errors)
    }

    @Test func linesBecomeCanonicalEntries() {
        let (entries, errors) = parse(
            """
            # comment
            EVIL.COM.
            =Login.Example.NET
            *.phish.example
            .dot.example
            https://user@Secure.Bad.example:8443/path?q=1
            p\u{0430}ypal.com
            203.0.113.7 risk=9 tags=ip,c2
            [2001:DB8::1]
            """)
        #expect(errors == [])
        #expect(entries == [
            Seen(name: "evil.com", kind: .name, scope: .domainAndSubdomains, tags: [], risk: nil),
            Seen(name: "login.example.net", kind: .name, scope: .exact, tags: [], risk: nil),
            Seen(name: "phish.example", kind: .name, scope: .domainAndSubdomains, tags: [], risk: nil),
            Seen(name: "dot.example", kind: .name, scope: .domainAndSubdomains, tags: [], risk: nil),
            Seen(name: "secure.bad.example", kind: .name, scope: .domainAndSubdomains, tags: [], risk: nil),
            Seen(name: "xn--pypal-4ve.com", kind: .name, scope: .domainAndSubdomains, tags: [], risk: nil),
            Seen(name: "203.0.113.7", kind: .ipv4, scope: .domainAndSubdomains, tags: ["ip", "c2"], risk: 9),
            Seen(name: "2001:db8::1", kind: .ipv6, scope: .domainAndSubdomains, tags: [], risk: nil),
        ])
    }

    @Test func errorsAndEntriesArriveInLineOrder() {
        let (entries, errors) = parse("a.example\ncom\nb.example\nev*l.com\n")
        #expect(entries.map(\.name) == ["a.example", "b.example"])
        #expect(errors.map(\.line) == [2, 4])
    }

    @Test func returningFalseStops() {
        let (entries, errors) = parse("a.example\nb.example\nc.example\n", stopAfter: 2)
        #expect(entries.map(\.name) == ["a.example", "b.example"])
        #expect(errors == [])
    }
}

/// Every error: exact text with `file:line:`.
@Suite struct PlainListErrorTests {
    static let label64 = String(repeating: "a", count: 64) + ".com"
    /// 63 + 1 + 63 + 1 + 63 + 1 + 62 = 254 bytes, every label within 63.
    static let name254 =
        String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63) + "."
        + String(repeating: "c", count: 63) + "." + String(repeating: "d", count: 62)
    static let name253 = String(name254.dropFirst())

    static let cases: [(String, String)] = [
        ("a;b.com", "'a;b.com' is not a valid name: the name contains a byte outside [a-z0-9-_.] after normalization"),
        ("ev*l.com", "'ev*l.com': '*' is only allowed as a leading '*.' (which means the domain itself)"),
        ("*evil.com", "'*evil.com': '*' is only allowed as a leading '*.' (which means the domain itself)"),
        ("*", "'*': '*' is only allowed as a leading '*.' (which means the domain itself)"),
        ("evil.com/login", "'evil.com/login' has a '/' but no scheme: give a host name, or a whole URL with its scheme"),
        ("com", "'com' is a single label: it would match a whole top-level domain"),
        ("*.com", "'*.com' is a single label: it would match a whole top-level domain"),
        ("=localhost", "'=localhost' is a single label: it would match a whole top-level domain"),
        ("evil.com risk=101", "risk must be a whole number from 0 to 100, not '101'"),
        ("evil.com risk=-1", "risk must be a whole number from 0 to 100, not '-1'"),
        ("evil.com risk=x", "risk must be a whole number from 0 to 100, not 'x'"),
        ("evil.com risk=", "risk must be a whole number from 0 to 100, not ''"),
        ("evil.com tags=", "tags must be a comma-separated list of [A-Za-z0-9_.:-] words, not ''"),
        ("evil.com tags=ph!sh", "tags must be a comma-separated list of [A-Za-z0-9_.:-] words, not 'ph!sh'"),
        ("evil.com list=", "list must be one word of [A-Za-z0-9_.:-], at most 64 bytes, not ''"),
        ("evil.com list=a,b", "list must be one word of [A-Za-z0-9_.:-], at most 64 bytes, not 'a,b'"),
        ("evil.com foo=bar", "unknown metadata key 'foo' (known: risk, tags, action, expires, list)"),
        ("evil.com phishing", "unexpected 'phishing' after the name: metadata is key=value (risk=, tags=, action=, expires=, list=)"),
        ("evil.com risk=5 stray", "unexpected 'stray' after the name: metadata is key=value (risk=, tags=, action=, expires=, list=)"),
        ("evil..com", "'evil..com' is not a valid name: the name has an empty label (leading dot, '..' or more than one trailing dot)"),
        ("evil.com..", "'evil.com..' is not a valid name: the name has an empty label (leading dot, '..' or more than one trailing dot)"),
        ("=", "'=' is not a valid name: the name is empty"),
        ("https://", "'https://' is not a valid name: the name is empty"),
        ("evil.com:http", "'evil.com:http' is not a valid name: the port after ':' is not a number"),
        ("999.0.113.7", "'999.0.113.7' is not a valid name: the name looks like an IP address but is not a valid one"),
        ("xn--a.com", "'xn--a.com' is not a valid name: an xn-- label is not valid punycode"),
        ("\u{212A}ey.example", "'\u{212A}ey.example' is not a valid name: a non-ASCII label folds to pure ASCII when lowercased (a lookalike)"),
        (label64, "'\(label64)' is not a valid name: a label is longer than 63 bytes"),
        (name254, "'\(name254)' is not a valid name: the name is longer than 253 bytes"),
    ]

    @Test(arguments: cases)
    func badLineIsReportedWithFileAndLine(_ line: String, _ reason: String) {
        let errors = listErrors("# header\ngood.example\n\(line)\nother.example\n", file: "lists/bad.txt")
        #expect(errors == [WatchlistError(file: "lists/bad.txt", line: 3, reason: reason)])
        #expect(errors.map(\.description) == ["lists/bad.txt:3: \(reason)"])
    }

    @Test(arguments: cases)
    func badLineInAnAllowListIsAnErrorToo(_ line: String, _ reason: String) {
        let errors = listErrors("\(line)\r\n", file: "allow.txt", role: .allow)
        #expect(errors.map(\.description) == ["allow.txt:1: \(reason)"])
    }

    @Test func boundaryLengthsAreAccepted() throws {
        #expect(Self.name253.utf8.count == 253)
        #expect(Self.name254.utf8.count == 254)
        let label63 = String(repeating: "a", count: 63) + ".com"
        let list = try buildList(watch: "\(label63)\n\(Self.name253)\n\(Self.name253).\n")
        #expect(list.watchCount == 2)
        #expect(list.duplicateCount == 1)
        #expect(list.matcher.match(label63) == .watched(value: 0, nameLength: 67))
        #expect(list.matcher.match(Self.name253) == .watched(value: 1, nameLength: 253))
    }

    @Test func invalidUTF8() {
        let bytes: [UInt8] = Array("good.example\nev".utf8) + [0xFF] + Array("il.com\n".utf8)
        let errors = listErrors(bytes)
        #expect(errors.map(\.description) == [
            "bad.txt:2: 'ev\u{FFFD}il.com' is not a valid name: the name is not valid UTF-8"
        ])
        // A lone continuation byte and a truncated sequence as well.
        #expect(listErrors([0x80] + Array(".example.com\n".utf8)).map(\.line) == [1])
        #expect(listErrors(Array("caf".utf8) + [0xC3] + Array(".com\n".utf8)).map(\.line) == [1])
    }

    @Test func severalErrorsInOneFileAreAllReported() {
        let text = """
            good.example
            a;b.com
            # comment
            ev*l.com
            also-good.example risk=50

            com
            evil.com risk=101
            fine.example\r
            evil.com tags=
            """
        let errors = listErrors(text, file: "feed.txt")
        #expect(errors.count == 5)
        #expect(errors.map(\.line) == [2, 4, 7, 8, 10])
        #expect(errors.allSatisfy { $0.file == "feed.txt" })
    }

    @Test func errorsAcrossFilesAreAllReportedInOrder() {
        var builder = WatchlistBuilder()
        builder.addText(Array("a.example\ncom\n".utf8), file: "one.txt", role: .watch)
        builder.addText(Array("b.example\n".utf8), file: "two.txt", role: .watch)
        builder.addText(Array("x.example y\n\nevil.com/x\n".utf8), file: "allow.txt", role: .allow)
        do {
            let list = try builder.build()
            Issue.record("built a list with \(list.watchCount) entries")
        } catch {
            #expect(error.errors.map(\.description) == [
                "one.txt:2: 'com' is a single label: it would match a whole top-level domain",
                "allow.txt:1: unexpected 'y' after the name: metadata is key=value (risk=, tags=, action=, expires=, list=)",
                "allow.txt:3: 'evil.com/x' has a '/' but no scheme: give a host name, or a whole URL with its scheme",
            ])
            #expect(error.description == error.errors.map(\.description).joined(separator: "\n"))
        }
    }

    @Test func errorCollectionStopsAtMaxErrors() {
        let text = String(repeating: "com\n", count: 150)
        let errors = listErrors(text)
        #expect(errors.count == WatchlistBuilder.maxErrors)
        #expect(errors.last?.line == WatchlistBuilder.maxErrors)

        var builder = WatchlistBuilder()
        builder.addText(Array(text.utf8), file: "first.txt", role: .watch)
        builder.addText(Array(text.utf8), file: "second.txt", role: .watch)
        builder.addFile(path: "/nonexistent/watchlist-tests/missing.txt", role: .watch)
        do {
            _ = try builder.build()
            Issue.record("built a list")
        } catch {
            #expect(error.errors.count == WatchlistBuilder.maxErrors)
            #expect(error.errors.allSatisfy { $0.file == "first.txt" })
            #expect(error.description.hasSuffix("\n(stopped after 100 errors)"))
        }
    }
}
