import DomainMatch
import Foundation
import Testing
import Watchlist

/// What the HTTP API relies on: `list=`, the file of each entry, a list file that may not exist
/// yet, and single lines parsed and written back.
@Suite struct ListFileTests {
    @Test func listKeyNamesTheListAndEachEntryKnowsItsFile() throws {
        let dir = try TempDir()
        let first = try dir.write("watched.txt", "evil.example\n=exact.example risk=5\n")
        let empty = try dir.write("empty.txt", "# nothing yet\n")
        let api = try dir.write("api-watchlist.txt", "phish.example list=phish tags=kit\nother.example\nmore.example list=phish\n")
        var builder = WatchlistBuilder()
        builder.addFile(path: first, role: .watch)
        builder.addFile(path: empty, role: .watch)
        builder.addFileIfPresent(path: api, role: .watch)
        builder.addFileIfPresent(path: dir.path + "/missing.txt", role: .watch)
        let list = try builder.build()
        #expect(list.watchCount == 5)
        #expect(hit(list, "www.phish.example")?.metadata == EntryMetadata(list: "phish", tags: ["kit"]))
        #expect(hit(list, "other.example")?.metadata == EntryMetadata(list: "api-watchlist"))
        #expect(hit(list, "more.example")?.metadata == EntryMetadata(list: "phish"))
        #expect(hit(list, "exact.example")?.metadata == EntryMetadata(list: "watched", risk: 5))
        var files: [String: String] = [:]
        list.matcher.forEachEntry { entry in
            files[String(decoding: entry.name, as: UTF8.self)] = list.file(for: entry.value)
        }
        #expect(files == [
            "evil.example": first, "exact.example": first, "phish.example": api, "other.example": api,
            "more.example": api,
        ])
    }

    @Test func aMissingFileIsOnlyAnErrorWhenItMustExist() throws {
        let dir = try TempDir()
        var builder = WatchlistBuilder()
        builder.addFileIfPresent(path: dir.path + "/missing.txt", role: .watch)
        #expect(try builder.build().watchCount == 0)
        builder.addFile(path: dir.path + "/missing.txt", role: .watch)
        #expect(throws: WatchlistLoadError.self) { try builder.build() }
    }

    @Test(arguments: [
        ("Evil.Example.", "evil.example"),
        ("=Login.Example", "=login.example"),
        ("https://x.bad.example/p risk=9", "x.bad.example risk=9"),
        ("p.example list=phish tags=a,b action=block expires=2099-01-31", "p.example list=phish tags=a,b action=block expires=2099-01-31"),
        ("p.example risk=0 action=alert expires=2099-01-31T12:30:05Z", "p.example risk=0 action=alert expires=2099-01-31T12:30:05Z"),
        ("203.0.113.7 risk=1", "203.0.113.7 risk=1"),
        ("=2001:DB8::1", "2001:db8::1"),
    ])
    func aLineReadsBackAsItself(input: String, written: String) throws {
        let line = try #require(try PlainListLine.parse(input)?.get())
        #expect(line.text == written)
        #expect(try PlainListLine.parse(line.text)?.get() == line)
    }

    @Test func aLineIsCheckedByTheLoadersRules() {
        #expect(PlainListLine.parse("# only a comment") == nil)
        #expect(PlainListLine.parse("   ") == nil)
        guard case .failure(let error)? = PlainListLine.parse("bad..example") else {
            Issue.record("accepted")
            return
        }
        #expect(error.reason == "'bad..example' is not a valid name: the name has an empty label (leading dot, '..' or more than one trailing dot)")
        guard case .failure(let twoLines)? = PlainListLine.parse("a.example\nb.example") else {
            Issue.record("accepted")
            return
        }
        #expect(twoLines.reason == "an entry is one line; this text has a line break")
    }

    @Test func expiryIsWrittenInTheFormsTheParserReads() {
        #expect(PlainListLine.formatExpiry(0) == "1970-01-01")
        #expect(PlainListLine.formatExpiry(951_782_400) == "2000-02-29")
        #expect(PlainListLine.formatExpiry(4_102_444_799) == "2099-12-31T23:59:59Z")
        #expect(PlainListLine.formatMoment(4_102_358_400) == "2099-12-31T00:00:00Z")
        for seconds in stride(from: Int64(0), to: 4_102_444_800, by: 86_400 * 37 + 3_601) {
            #expect(PlainListParser.parseExpiry(Substring(PlainListLine.formatExpiry(seconds))) == seconds)
        }
    }
}
