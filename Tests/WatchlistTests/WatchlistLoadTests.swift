import DomainMatch
import Foundation
import SeededRandom
import Testing
import Watchlist

/// `Watchlist.load(watch:allow:)` on real files.
@Suite struct WatchlistLoadTests {
    @Test func loadsAFileAndNamesTheListAfterIt() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "phishing-feed.txt",
            """
            # phishing feed
            evil.example risk=90 tags=phishing,brand
            =login.example.net
            203.0.113.7
            """)
        let list = try Watchlist.load(watch: [path])
        #expect(list.watchCount == 3)
        #expect(list.allowCount == 0)
        #expect(list.duplicateCount == 0)
        #expect(hit(list, "www.evil.example")?.metadata == EntryMetadata(list: "phishing-feed", tags: ["phishing", "brand"], risk: 90))
        #expect(hit(list, "login.example.net")?.metadata == EntryMetadata(list: "phishing-feed"))
        #expect(hit(list, "203.0.113.7")?.metadata == EntryMetadata(list: "phishing-feed"))
        #expect(list.matcher.match("203.0.113.77") == .none)
    }

    @Test func loadsRawBytesWithBOMAndCRLF() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "win.txt", bytes: [0xEF, 0xBB, 0xBF] + Array("# exported\r\nEVIL.COM.\r\nm\u{00FC}nchen.de risk=3\r\n".utf8))
        let list = try Watchlist.load(watch: [path])
        #expect(list.watchCount == 2)
        #expect(list.matcher.match("login.evil.com") == .watched(value: 0, nameLength: 8))
        #expect(hit(list, "xn--mnchen-3ya.de")?.metadata == EntryMetadata(list: "win", risk: 3))
    }

    @Test func allowEntrySuppressesItsSubdomainsOnly() throws {
        let dir = try TempDir()
        let watch = try dir.write("watch.txt", "evil.com\n")
        let allow = try dir.write("allow.txt", "good.evil.com\n")
        let list = try Watchlist.load(watch: [watch], allow: [allow])
        #expect(list.watchCount == 1)
        #expect(list.allowCount == 1)
        #expect(list.duplicateCount == 0)
        #expect(list.matcher.match("x.good.evil.com") == .allowed)
        #expect(list.matcher.match("good.evil.com") == .allowed)
        #expect(list.matcher.match("bad.evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("notgood.evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("good.com") == .none)
    }

    @Test func allowEntryAtTheSameNameWins() throws {
        let dir = try TempDir()
        let watch = try dir.write("watch.txt", "evil.com risk=90\n=login.example.net\n203.0.113.7\n")
        let allow = try dir.write("allow.txt", "EVIL.COM.\n=login.example.net\n203.0.113.7\n")
        let list = try Watchlist.load(watch: [watch], allow: [allow])
        #expect(list.watchCount == 3)
        #expect(list.allowCount == 3)
        #expect(list.duplicateCount == 0)
        #expect(list.matcher.match("evil.com") == .allowed)
        #expect(list.matcher.match("www.evil.com") == .allowed)
        #expect(list.matcher.match("login.example.net") == .allowed)
        #expect(list.matcher.match("203.0.113.7") == .allowed)
    }

    @Test func exactAllowDoesNotCoverSubdomains() throws {
        let dir = try TempDir()
        let watch = try dir.write("watch.txt", "evil.com\n")
        let allow = try dir.write("allow.txt", "=www.evil.com\n")
        let list = try Watchlist.load(watch: [watch], allow: [allow])
        #expect(list.matcher.match("www.evil.com") == .allowed)
        #expect(list.matcher.match("a.www.evil.com") == .watched(value: 0, nameLength: 8))
        #expect(list.matcher.match("evil.com") == .watched(value: 0, nameLength: 8))
    }

    @Test func allowEntryAloneMatchesAsAllowedNotWatched() throws {
        let dir = try TempDir()
        let allow = try dir.write("allow.txt", "ours.example\n")
        let list = try Watchlist.load(watch: [], allow: [allow])
        #expect(list.watchCount == 0)
        #expect(list.allowCount == 1)
        #expect(list.matcher.match("ours.example") == .allowed)
        #expect(list.matcher.match("other.example") == .none)
    }

    @Test func deeperWatchEntryBelowAnAllowEntryStillHits() throws {
        // "An allow entry beats every watch entry at or above it" — not one below it.
        let dir = try TempDir()
        let watch = try dir.write("watch.txt", "bad.corp.example risk=70\n")
        let allow = try dir.write("allow.txt", "corp.example\n")
        let list = try Watchlist.load(watch: [watch], allow: [allow])
        #expect(list.matcher.match("www.corp.example") == .allowed)
        #expect(hit(list, "x.bad.corp.example")?.metadata == EntryMetadata(list: "watch", risk: 70))
        #expect(hit(list, "x.bad.corp.example")?.nameLength == 16)
    }

    @Test func duplicatesInOneFileKeepTheFirstEntry() throws {
        let dir = try TempDir()
        let path = try dir.write(
            "feed.txt",
            """
            evil.com risk=90 tags=first
            EVIL.com. risk=10 tags=second
            *.evil.com risk=20
            https://evil.com/login
            other.example
            """)
        let list = try Watchlist.load(watch: [path])
        #expect(list.watchCount == 2)
        #expect(list.duplicateCount == 3)
        #expect(hit(list, "a.evil.com")?.metadata == EntryMetadata(list: "feed", tags: ["first"], risk: 90))
        #expect(list.matcher.match("other.example") == .watched(value: 1, nameLength: 13))
    }

    @Test func duplicatesAcrossFilesKeepTheFirstFile() throws {
        let dir = try TempDir()
        let first = try dir.write("first.txt", "evil.com risk=90 tags=a\n")
        let second = try dir.write("second.txt", "evil.com risk=10 tags=b\nonly-second.example\n")
        let list = try Watchlist.load(watch: [first, second])
        #expect(list.watchCount == 2)
        #expect(list.duplicateCount == 1)
        #expect(hit(list, "evil.com")?.metadata == EntryMetadata(list: "first", tags: ["a"], risk: 90))
        #expect(hit(list, "only-second.example")?.metadata == EntryMetadata(list: "second"))
    }

    @Test func duplicateAllowEntriesAreCounted() throws {
        let dir = try TempDir()
        let a = try dir.write("a.txt", "good.example\n=exact.example\n")
        let b = try dir.write("b.txt", "GOOD.example.\n=exact.example\nexact.example\n")
        let list = try Watchlist.load(watch: [], allow: [a, b])
        #expect(list.allowCount == 3)
        #expect(list.duplicateCount == 2)
    }

    @Test func sameNameWithOtherScopeOrRoleIsNotADuplicate() throws {
        let dir = try TempDir()
        let watch = try dir.write("watch.txt", "evil.com risk=1\n=evil.com risk=2\n")
        let allow = try dir.write("allow.txt", "evil.net\n")
        let more = try dir.write("more.txt", "evil.net risk=3\n")
        let list = try Watchlist.load(watch: [watch, more], allow: [allow])
        #expect(list.watchCount == 3)
        #expect(list.allowCount == 1)
        #expect(list.duplicateCount == 0)
        // At one name an exact watch entry is more specific than the subdomain one.
        #expect(hit(list, "evil.com")?.metadata.risk == 2)
        #expect(hit(list, "www.evil.com")?.metadata.risk == 1)
        #expect(list.matcher.match("evil.net") == .allowed)
    }

    @Test func countsAreExact() throws {
        let dir = try TempDir()
        let w1 = try dir.write(
            "w1.txt",
            """
            # 6 entries, 2 duplicates
            a.example
            b.example
            =c.example
            c.example
            203.0.113.7
            2001:db8::1
            A.EXAMPLE.
            *.b.example
            """)
        let w2 = try dir.write("w2.txt", "\n\nd.example\na.example\n2001:DB8:0::1\n")
        let a1 = try dir.write("a1.txt", "x.a.example\n=y.b.example\nx.a.example\nc.example\n")
        let list = try Watchlist.load(watch: [w1, w2], allow: [a1])
        #expect(list.watchCount == 7)
        #expect(list.allowCount == 3)
        #expect(list.duplicateCount == 5)
    }

    @Test func emptyFilesLoadAnEmptyList() throws {
        let dir = try TempDir()
        let empty = try dir.write("empty.txt", "")
        let comments = try dir.write("comments.txt", "# nothing yet\n\n")
        let list = try Watchlist.load(watch: [empty, comments], allow: [empty])
        #expect(list.watchCount == 0)
        #expect(list.allowCount == 0)
        #expect(list.duplicateCount == 0)
        #expect(list.matcher.match("evil.com") == .none)
        let none = try Watchlist.load(watch: [])
        #expect(none.watchCount == 0)
    }
}

/// Loads that fail: every error, and never a list.
@Suite struct WatchlistLoadErrorTests {
    @Test func badLineNamesFileAndLine() throws {
        let dir = try TempDir()
        let path = try dir.write("bad-feed.txt", "good.example\n\nevil.com risk=101\n")
        let errors = try #require(loadErrors(watch: [path]))
        #expect(errors == [WatchlistError(file: path, line: 3, reason: "risk must be a whole number from 0 to 100, not '101'")])
        #expect(errors.map(\.description) == ["\(path):3: risk must be a whole number from 0 to 100, not '101'"])
    }

    @Test func missingFileCannotBeOpened() throws {
        let dir = try TempDir()
        let path = dir.path + "/missing.txt"
        let errors = try #require(loadErrors(watch: [path]))
        try #require(errors.count == 1)
        #expect(errors[0].file == path)
        #expect(errors[0].line == 0)
        #expect(errors[0].description.hasPrefix("\(path): cannot open: "))
        #expect(errors[0].description == "\(path): cannot open: No such file or directory")
    }

    @Test func directoryIsNotAListFile() throws {
        let dir = try TempDir()
        let errors = try #require(loadErrors(watch: [dir.path]))
        #expect(errors == [WatchlistError(file: dir.path, line: 0, reason: "is a directory, not a list file")])
        #expect(errors.map(\.description) == ["\(dir.path): is a directory, not a list file"])
    }

    @Test func invalidUTF8InAFile() throws {
        let dir = try TempDir()
        let path = try dir.write("raw.txt", bytes: Array("ok.example\n".utf8) + [0x65, 0x76, 0xFF, 0x6C] + Array(".com\r\n".utf8))
        let errors = try #require(loadErrors(watch: [path]))
        #expect(errors.map(\.description) == ["\(path):2: 'ev\u{FFFD}l.com' is not a valid name: the name is not valid UTF-8"])
    }

    @Test func errorInAnAllowFileFailsTheLoad() throws {
        let dir = try TempDir()
        let watch = try dir.write("watch.txt", "evil.com\n")
        let allow = try dir.write("allow.txt", "ours.example\ncom\n")
        let errors = try #require(loadErrors(watch: [watch], allow: [allow]))
        #expect(errors.map(\.description) == ["\(allow):2: 'com' is a single label: it would match a whole top-level domain"])
    }

    @Test func everyErrorOfEveryFileIsReported() throws {
        let dir = try TempDir()
        let one = try dir.write(
            "one.txt",
            """
            a;b.com
            good.example
            ev*l.com
            evil.com/login
            also.good.example
            evil.com tags=
            evil.com foo=bar
            """)
        let two = try dir.write("two.txt", "fine.example\n")
        let missing = dir.path + "/missing.txt"
        let allow = try dir.write("allow.txt", "ok.example\nok.example stray\n")
        let errors = try #require(loadErrors(watch: [one, two, missing], allow: [allow, dir.path]))
        #expect(errors.count == 8)
        #expect(errors.map(\.file) == [one, one, one, one, one, missing, allow, dir.path])
        #expect(errors.map(\.line) == [1, 3, 4, 6, 7, 0, 2, 0])
        #expect(errors[5].description.hasPrefix("\(missing): cannot open"))
        #expect(errors[7].description == "\(dir.path): is a directory, not a list file")
    }

    @Test func anyErrorThrowsWatchlistLoadError() throws {
        let dir = try TempDir()
        let good = try dir.write("good.txt", String(repeating: "x.example\n", count: 3) + "y.example\n")
        let bad = try dir.write("bad.txt", "z.example\ncom\n")
        #expect(throws: WatchlistLoadError.self) { try Watchlist.load(watch: [good, bad]) }
        #expect(throws: WatchlistLoadError.self) { try Watchlist.load(watch: [good], allow: [bad]) }
        #expect(throws: WatchlistLoadError.self) { try Watchlist.load(watch: [good, dir.path + "/nope.txt"]) }
        let list = try Watchlist.load(watch: [good])
        #expect(list.watchCount == 2)
        #expect(list.duplicateCount == 2)
    }
}

/// A generated 100k-line list.
@Suite struct LargeWatchlistTests {
    static let entryCount = 100_000

    /// The host of entry `i` (all distinct: the index is part of the first label).
    static func entryName(_ i: Int, _ salt: UInt64) -> String {
        "h\(i)-\(String(salt % 1_000_000, radix: 36)).zone\(i % 97).example"
    }

    @Test func hundredThousandLinesLoadAndEveryEntryMatches() throws {
        var rng = SplitMix64(state: 0x5EED)
        var names: [String] = []
        names.reserveCapacity(Self.entryCount)
        var text = "# generated list\n"
        text.reserveCapacity(Self.entryCount * 48)
        for i in 0..<Self.entryCount {
            let name = Self.entryName(i, rng.next())
            names.append(name)
            // Vary the spelling: the canonical entry must be the same.
            let spelled =
                switch i % 5 {
                case 0: name.uppercased() + "."
                case 1: "*." + name
                case 2: "https://" + name + "/path"
                default: name
                }
            let lineEnd = i % 7 == 0 ? "\r\n" : "\n"
            text += "\(spelled) risk=\(i % 101)\(i % 3 == 0 ? " tags=t\(i % 11)" : "")\(lineEnd)"
        }
        let dir = try TempDir()
        let path = try dir.write("big-list.txt", text)
        let clock = ContinuousClock()
        let start = clock.now
        let list = try Watchlist.load(watch: [path])
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(30), "loading took \(elapsed)")
        #expect(list.watchCount == Self.entryCount)
        #expect(list.duplicateCount == 0)
        #expect(list.allowCount == 0)

        for _ in 0..<1_000 {
            let i = Int.random(in: 0..<Self.entryCount, using: &rng)
            let name = names[i]
            let length = name.utf8.count
            let expected = EntryMetadata(list: "big-list", tags: i % 3 == 0 ? ["t\(i % 11)"] : [], risk: i % 101)
            let exact = try #require(hit(list, name), "entry \(i) \(name) does not match")
            #expect(exact.nameLength == length)
            #expect(exact.metadata == expected, "entry \(i)")
            let sub = try #require(hit(list, "www." + name), "subdomain of entry \(i) does not match")
            #expect(sub.nameLength == length)
            #expect(sub.metadata == expected)
        }

        for _ in 0..<1_000 {
            let i = Int.random(in: 0..<Self.entryCount, using: &rng)
            // Same shape, but the index and salt never occur together ("n" prefix), the parent
            // zone, and a name that only shares a suffix with an entry.
            let other = "n\(i)-\(String(rng.next() % 1_000_000, radix: 36)).zone\(i % 97).example"
            #expect(list.matcher.match(other) == .none, "\(other)")
            #expect(list.matcher.match("zone\(i % 97).example") == .none)
            #expect(list.matcher.match("x" + names[i]) == .none, "x\(names[i])")
        }
    }
}
