import BlockRules
import DomainMatch
import Foundation
import Testing
import Watchlist

/// The Public Suffix List from Debian's `publicsuffix` package (CI installs it).
let publicSuffixes: PublicSuffixList = {
    do { return try PublicSuffixList.load() } catch { fatalError("\(error)") }
}()

/// A watchlist from text; invalid lines are skipped (and reported) unless `strict`.
func watchlist(_ watch: String, allow: String = "", now: Int64 = 1_800_000_000, strict: Bool = false) throws -> Watchlist {
    var builder = WatchlistBuilder(now: now, invalidEntries: strict ? .reject : .skip)
    builder.addText(Array(watch.utf8), file: "feed.txt", role: .watch)
    builder.addText(Array(allow.utf8), file: "allow.txt", role: .allow)
    return try builder.build()
}

/// Selects from `watch` with every entry blocked unless it says `action=alert`.
func select(_ watch: String, allow: String = "", now: Int64 = 1_800_000_000) throws -> (BlockSet, SelectionReport) {
    let list = try watchlist(watch, allow: allow, now: now)
    return BlockSet.select(from: list, selection: BlockSelection(allUnlessAlert: true, now: now), publicSuffixes: publicSuffixes)
}

func render(_ set: BlockSet, _ format: BlockFormat, _ configure: (inout BlockFormatOptions) -> Void = { _ in }, serial: UInt32 = 7) -> (text: String, report: RenderReport) {
    var options = BlockFormatOptions()
    configure(&options)
    let (bytes, report) = BlockRenderer.render(set, format: format, options: options, serial: serial)
    return (String(decoding: bytes, as: UTF8.self), report)
}

/// A fresh directory, removed when dropped.
final class TempDir: @unchecked Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("blockrules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // Daemons started by the tests drop root and must still read the files.
        chmod(path, 0o755)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }
}
