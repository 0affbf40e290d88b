import Foundation
import Testing

/// Bad input never crashes `scan`: it gives a clear error (exit 2) or a counted skip.
@Suite("hostwatch scan, bad input")
struct ScanBadInputTests {
    let squidLine = "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil.example:443 carol HIER_NONE/- text/html"

    func setUp() throws -> (dir: URL, watch: URL) {
        let dir = try makeTemporaryDirectory()
        let watch = dir.appendingPathComponent("watch.txt")
        try "evil.example\n".write(to: watch, atomically: true, encoding: .utf8)
        return (dir, watch)
    }

    @Test func binaryFileIsRejectedByAutoAndCountedWithAGivenFormat() throws {
        let (dir, watch) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        let binary = dir.appendingPathComponent("core.bin")
        try Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: binary)

        let auto = try runHostwatch(["scan", "--watchlist", watch.path, binary.path])
        #expect(auto.status == 2)
        #expect(auto.stderr.contains("\(binary.path): no known log format fits its first"), "\(auto.stderr)")
        #expect(auto.stdout.isEmpty)

        let given = try runHostwatch(["scan", "--format", "squid", "--watchlist", watch.path, binary.path])
        #expect(given.status == 0, "\(given.stderr)")
        #expect(given.stdout.isEmpty)
        #expect(given.stderr.contains(", 0 parsed, "), "\(given.stderr)")
        #expect(given.stderr.contains("malformed"), "\(given.stderr)")
    }

    @Test func aLineOverTheLimitIsSkippedAndCountedAndItsNeighboursStillHit() throws {
        let (dir, watch) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        let huge = String(repeating: "x", count: (1 << 20) + 10)
        try [squidLine, huge, squidLine].joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let result = try runHostwatch(["scan", "--format", "squid", "--watchlist", watch.path, log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let hits = try result.jsonLines()
        #expect(hits.map { $0["offset"] as? Int } == [0, squidLine.utf8.count + 1 + huge.utf8.count + 1])
        #expect(result.stderr.contains("3 lines read, 2 parsed, 1 skipped (line_too_long 1)"), "\(result.stderr)")
    }

    @Test func invalidUTF8StaysValidJSONAndBadHostBytesAreCounted() throws {
        let (dir, watch) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        var bytes = Data(
            "1795923904.827      0 127.0.0.4 TCP_MISS/200 1 GET http://www.evil.example/\u{1}x us".utf8)
        bytes.append(contentsOf: [0xFF, 0xC3])  // invalid UTF-8 in the user name
        bytes.append(contentsOf: Data("r HIER_DIRECT/- -\n".utf8))
        bytes.append(contentsOf: Data("1795923904.828      0 127.0.0.4 TCP_MISS/200 1 GET http://ev".utf8))
        bytes.append(0xFF)
        bytes.append(contentsOf: Data("l.evil.example/ bob HIER_DIRECT/- -\n".utf8))
        try bytes.write(to: log)
        let result = try runHostwatch(["scan", "--format", "squid", "--watchlist", watch.path, log.path])
        #expect(result.status == 0, "\(result.stderr)")
        let hits = try result.jsonLines()
        #expect(hits.count == 1)
        #expect(hits.first?["user"] as? String == "us\u{FFFD}\u{FFFD}r")
        #expect(hits.first?["url"] as? String == "http://www.evil.example/\u{1}x")
        #expect(result.stderr.contains("invalid_host:invalid_utf8 1"), "\(result.stderr)")
    }

    @Test func truncatedGzipKeepsWhatDecodedAndFailsWithExit2() throws {
        let (dir, watch) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        try (0..<5000).map { _ in squidLine }.joined(separator: "\n").write(to: log, atomically: true, encoding: .utf8)
        let compressed = try gzip(log)
        var data = try Data(contentsOf: compressed)
        data.removeLast(40)
        try data.write(to: compressed)
        let result = try runHostwatch(["scan", "--watchlist", watch.path, compressed.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(compressed.path), "\(result.stderr)")
        #expect(result.stderr.contains("truncated"), "\(result.stderr)")
        let hits = try result.jsonLines()
        #expect(hits.count > 4000 && hits.count < 5000)
    }

    @Test func unreadablePathIsAnErrorButOtherFilesAreStillScanned() throws {
        let (dir, watch) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("access.log")
        try (squidLine + "\n").write(to: log, atomically: true, encoding: .utf8)
        let missing = dir.appendingPathComponent("missing.log").path
        let result = try runHostwatch(["scan", "--watchlist", watch.path, missing, dir.path, log.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: cannot open \(missing)") || result.stderr.contains(missing), "\(result.stderr)")
        #expect(result.stderr.contains("No such file or directory"), "\(result.stderr)")
        #expect(result.stderr.contains("\(dir.path)") && result.stderr.contains("directory"), "\(result.stderr)")
        #expect(try result.jsonLines().count == 1)
    }

    @Test func malformedWatchlistStopsBeforeScanningAndNamesFileAndLine() throws {
        let (dir, _) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.txt")
        try "good.example\n# fine\nev il;.example\n".write(to: bad, atomically: true, encoding: .utf8)
        let log = dir.appendingPathComponent("access.log")
        try (squidLine + "\n").write(to: log, atomically: true, encoding: .utf8)
        let result = try runHostwatch(["scan", "--watchlist", bad.path, log.path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(bad.path):3: "), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was scanned"), "\(result.stderr)")
    }

    @Test(arguments: [
        (["scan"], "give at least one --watchlist file"),
        (["scan", "--watchlist", "x.txt"], "give at least one log file"),
        (["scan", "--watchlist", "x.txt", "--timezone", "Mars/Olympus", "a.log"], "--timezone must be"),
        (["scan", "--watchlist", "x.txt", "--no-such-flag", "a.log"], "Unknown option"),
    ])
    func usageErrorsExit2(arguments: [String], message: String) throws {
        let result = try runHostwatch(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func unknownFormatExits2() throws {
        let (dir, watch) = try setUp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runHostwatch(["scan", "--format", "nginx", "--watchlist", watch.path, "-"], stdin: Data())
        #expect(result.status == 2)
        #expect(result.stderr.contains("unknown format 'nginx'"), "\(result.stderr)")
    }
}
