public import DomainMatch

/// The metadata a hit reports for the watch entry it matched.
public struct EntryMetadata: Sendable, Equatable {
    /// The list the entry came from: its file name without the extension.
    public var list: String
    public var tags: [String]
    /// 0–100, `nil` when the list gives none.
    public var risk: Int?

    public init(list: String, tags: [String] = [], risk: Int? = nil) {
        self.list = list
        self.tags = tags
        self.risk = risk
    }
}

/// Watch and allow entries compiled into a ``HostMatcher``, with each watch entry's metadata.
///
/// Immutable: a reload builds a new one and swaps it whole, so readers never lock.
public final class Watchlist: Sendable {
    public let matcher: HostMatcher
    /// Watch entries loaded (after merging duplicates).
    public let watchCount: Int
    /// Allow entries loaded.
    public let allowCount: Int
    /// Entries that repeated an earlier one (same name and scope); the first one is kept.
    public let duplicateCount: Int

    /// Per watch entry, packed: list index (16 bits), risk (8 bits, 0xFF = none), tag-set index.
    private let packed: [UInt64]
    private let lists: [String]
    private let tagSets: [[String]]

    init(
        matcher: HostMatcher, watchCount: Int, allowCount: Int, duplicateCount: Int,
        packed: [UInt64], lists: [String], tagSets: [[String]]
    ) {
        self.matcher = matcher
        self.watchCount = watchCount
        self.allowCount = allowCount
        self.duplicateCount = duplicateCount
        self.packed = packed
        self.lists = lists
        self.tagSets = tagSets
    }

    /// The metadata of the watch entry a match returned.
    public func metadata(for value: UInt32) -> EntryMetadata {
        let p = packed[Int(value)]
        let risk = Int((p >> 16) & 0xFF)
        return EntryMetadata(
            list: lists[Int(p & 0xFFFF)], tags: tagSets[Int(p >> 32)], risk: risk == 0xFF ? nil : risk)
    }

    /// An empty watchlist: matches nothing.
    public static let empty = try! WatchlistBuilder().build()
}

/// Collects entries from list files (or text) and compiles them.
public struct WatchlistBuilder: Sendable {
    private var matcher = HostMatcherBuilder()
    private var packed: [UInt64] = []
    private var lists: [String] = []
    private var tagSets: [[String]] = [[]]
    private var tagSetIndex: [[String]: Int] = [[]: 0]
    private var errors: [WatchlistError] = []
    private var watchCount = 0
    private var allowCount = 0
    private var duplicateCount = 0

    public init() {}

    /// At most this many errors are collected before loading stops.
    public static let maxErrors = 100

    /// Reads a plain-text list file (see ``PlainListParser``) as watch or allow entries.
    public mutating func addFile(path: String, role: MatchRole) {
        guard errors.count < Self.maxErrors else { return }
        do {
            let bytes = try readWholeFile(path)
            addText(bytes, file: path, role: role)
        } catch {
            errors.append(error)
        }
    }

    /// Parses plain-list text; `file` names the list in errors and (without directory and
    /// extension) in hits.
    public mutating func addText(_ bytes: [UInt8], file: String, role: MatchRole) {
        // Loading has stopped: the build fails anyway, and the error count stays at the limit.
        guard errors.count < Self.maxErrors else { return }
        let listIndex = UInt64(lists.count)
        lists.append(Self.listName(forPath: file))
        let parser = PlainListParser(file: file)
        bytes.withUnsafeBytes { raw in
            parser.forEachEntry(in: raw) { result in
                switch result {
                case .failure(let error):
                    errors.append(error)
                    return errors.count < Self.maxErrors
                case .success(let entry):
                    add(entry, role: role, listIndex: listIndex)
                    return true
                }
            }
        }
    }

    private mutating func add(_ entry: PlainListParser.Entry, role: MatchRole, listIndex: UInt64) {
        let value = UInt32(packed.count)
        let result = matcher.add(entry.name, kind: entry.kind, scope: entry.scope, role: role, value: value)
        guard result == .added else {
            duplicateCount += 1
            return
        }
        switch role {
        case .allow:
            allowCount += 1
        case .watch:
            watchCount += 1
            var tagSet = 0
            if !entry.tags.isEmpty {
                if let known = tagSetIndex[entry.tags] {
                    tagSet = known
                } else {
                    tagSet = tagSets.count
                    tagSets.append(entry.tags)
                    tagSetIndex[entry.tags] = tagSet
                }
            }
            let risk = UInt64(entry.risk ?? 0xFF)
            packed.append(UInt64(tagSet) << 32 | risk << 16 | listIndex)
        }
    }

    /// The compiled watchlist, or every error found (file:line and why): no partial list.
    public func build() throws(WatchlistLoadError) -> Watchlist {
        guard errors.isEmpty else { throw WatchlistLoadError(errors: errors) }
        guard lists.count <= 0xFFFF else {
            throw WatchlistLoadError(errors: [WatchlistError(file: "", line: 0, reason: "more than 65535 list files")])
        }
        return Watchlist(
            matcher: matcher.build(), watchCount: watchCount, allowCount: allowCount,
            duplicateCount: duplicateCount, packed: packed, lists: lists, tagSets: tagSets)
    }

    /// `rules/phishing.txt` → `phishing`.
    static func listName(forPath path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            return String(base[..<dot])
        }
        return base
    }
}

extension Watchlist {
    /// Loads watch and allow list files into one compiled watchlist.
    public static func load(watch: [String], allow: [String] = []) throws(WatchlistLoadError) -> Watchlist {
        var builder = WatchlistBuilder()
        for path in watch { builder.addFile(path: path, role: .watch) }
        for path in allow { builder.addFile(path: path, role: .allow) }
        return try builder.build()
    }
}

/// One problem in a list file.
public struct WatchlistError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem is the file itself.
    public var line: Int
    public var reason: String

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)"
    }
}

/// Every problem found while loading; nothing of the load is used.
public struct WatchlistLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [WatchlistError]

    public var description: String {
        var text = errors.map(\.description).joined(separator: "\n")
        if errors.count >= WatchlistBuilder.maxErrors { text += "\n(stopped after \(errors.count) errors)" }
        return text
    }
}
