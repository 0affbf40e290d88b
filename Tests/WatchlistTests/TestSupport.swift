import DomainMatch
import Foundation
import Testing
import Watchlist
import SeededRandom

/// A fresh directory for one test's list files, removed when the test drops it.
final class TempDir {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("watchlist-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` inside the directory and returns the full path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }
}

/// Builds a watchlist from text with ``WatchlistBuilder/addText(_:file:role:)``.
func buildList(
    watch: String = "", watchFile: String = "watch.txt",
    allow: String = "", allowFile: String = "allow.txt"
) throws -> Watchlist {
    var builder = WatchlistBuilder()
    builder.addText(Array(watch.utf8), file: watchFile, role: .watch)
    builder.addText(Array(allow.utf8), file: allowFile, role: .allow)
    return try builder.build()
}

/// The errors a watch list text produces (empty when it builds).
func listErrors(_ bytes: [UInt8], file: String = "bad.txt", role: MatchRole = .watch) -> [WatchlistError] {
    var builder = WatchlistBuilder()
    builder.addText(bytes, file: file, role: role)
    do {
        _ = try builder.build()
        return []
    } catch {
        return error.errors
    }
}

func listErrors(_ text: String, file: String = "bad.txt", role: MatchRole = .watch) -> [WatchlistError] {
    listErrors(Array(text.utf8), file: file, role: role)
}

/// The errors `Watchlist.load` throws, or `nil` (and a recorded issue) when it returns a list.
func loadErrors(
    watch: [String], allow: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) -> [WatchlistError]? {
    do {
        let list = try Watchlist.load(watch: watch, allow: allow)
        Issue.record("load returned a list with \(list.watchCount) watch entries", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error.errors
    }
}

/// The metadata of the watch entry matching `host`, or `nil` when it is not watched.
func hit(_ list: Watchlist, _ host: String) -> (metadata: EntryMetadata, nameLength: Int)? {
    guard case .watched(let value, let nameLength) = list.matcher.match(host) else { return nil }
    return (list.metadata(for: value), nameLength)
}

