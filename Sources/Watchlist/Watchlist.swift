#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import DomainMatch

/// What an analyst wants done about a watched name.
public enum EntryAction: String, Sendable, Equatable {
    /// The list says nothing: block files decide by risk (their `min_risk`), if they have one.
    case unspecified
    /// Report visits; never put it into a block file.
    case alert
    /// Report visits and put it into block files.
    case block
}

/// The metadata of a watch entry: hits report `list`, `tags` and `risk`.
public struct EntryMetadata: Sendable, Equatable {
    /// The list the entry came from: its file name without the extension.
    public var list: String
    public var tags: [String]
    /// 0–100, `nil` when the list gives none.
    public var risk: Int?
    public var action: EntryAction
    /// Unix seconds from which the entry no longer applies; `nil` = never.
    public var expires: Int64?

    public init(
        list: String, tags: [String] = [], risk: Int? = nil, action: EntryAction = .unspecified, expires: Int64? = nil
    ) {
        self.list = list
        self.tags = tags
        self.risk = risk
        self.action = action
        self.expires = expires
    }
}

/// What loading does with an entry line that is not valid.
public enum InvalidEntryPolicy: String, Sendable, Equatable {
    /// The whole load fails with every problem listed (the safe default: nothing half-read).
    case reject
    /// The line is skipped and reported (``Watchlist/skipped``); the rest of the list loads.
    case skip
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
    /// Entries whose `expires` had passed when the list was loaded: left out.
    public let expiredCount: Int
    /// The earliest `expires` of the entries loaded: the list should be loaded again then.
    public let nextExpiry: Int64?
    /// Invalid lines left out under ``InvalidEntryPolicy/skip`` (the first 1000 of them).
    public let skipped: [WatchlistError]
    /// How many invalid lines were left out.
    public let skippedCount: Int

    /// Per watch entry, packed: list index (16 bits), risk (8 bits, 0xFF = none), action (2 bits),
    /// tag-set index (32 bits).
    private let packed: [UInt64]
    private let lists: [String]
    /// The list files in load order, and the first watch value of each: values are handed out
    /// file by file, so a file is found by binary search instead of costing every entry a field.
    private let files: [String]
    private let fileFirstValues: [UInt32]
    private let tagSets: [[String]]
    /// Only the entries that have an `expires`.
    private let expiries: [UInt32: Int64]

    init(builder: WatchlistBuilder) {
        matcher = builder.matcher.build()
        watchCount = builder.watchCount
        allowCount = builder.allowCount
        duplicateCount = builder.duplicateCount
        expiredCount = builder.expiredCount
        nextExpiry = builder.expiries.values.min()
        skipped = builder.skipped
        skippedCount = builder.skippedCount
        packed = builder.packed
        lists = builder.lists
        files = builder.files
        fileFirstValues = builder.fileFirstValues
        tagSets = builder.tagSets
        expiries = builder.expiries
    }

    /// The metadata of the watch entry a match returned.
    public func metadata(for value: UInt32) -> EntryMetadata {
        let p = packed[Int(value)]
        let risk = Int((p >> 16) & 0xFF)
        return EntryMetadata(
            list: lists[Int(p & 0xFFFF)], tags: tagSets[Int(p >> 32)], risk: risk == 0xFF ? nil : risk,
            action: Self.actions[Int((p >> 24) & 3)], expires: expiries.isEmpty ? nil : expiries[value])
    }

    /// The risk and action of a watch entry, without building its metadata (block files ask this
    /// for every entry of a 1M-entry list).
    public func riskAndAction(for value: UInt32) -> (risk: Int?, action: EntryAction) {
        let p = packed[Int(value)]
        let risk = Int((p >> 16) & 0xFF)
        return (risk == 0xFF ? nil : risk, Self.actions[Int((p >> 24) & 3)])
    }

    /// The path of the list file the watch entry was loaded from (as configured); `""` for text
    /// added without a file.
    public func file(for value: UInt32) -> String {
        // The last file whose first value is at or below `value`.
        var low = 0
        var high = fileFirstValues.count
        while low < high {
            let mid = (low + high) / 2
            if fileFirstValues[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? "" : files[low - 1]
    }

    /// When the watch entry stops applying, if it has an `expires`.
    public func expiry(for value: UInt32) -> Int64? {
        expiries.isEmpty ? nil : expiries[value]
    }

    static let actions: [EntryAction] = [.unspecified, .alert, .block, .unspecified]

    static func actionBits(_ action: EntryAction) -> UInt64 {
        switch action {
        case .unspecified: 0
        case .alert: 1
        case .block: 2
        }
    }

    /// An empty watchlist: matches nothing.
    public static let empty = try! WatchlistBuilder().build()
}

/// Collects entries from list files (or text) and compiles them.
public struct WatchlistBuilder: Sendable {
    fileprivate var matcher = HostMatcherBuilder()
    fileprivate var packed: [UInt64] = []
    fileprivate var lists: [String] = []
    /// `list=` names, interned into `lists` once each.
    private var listIndexByName: [String: UInt64] = [:]
    fileprivate var files: [String] = []
    fileprivate var fileFirstValues: [UInt32] = []
    fileprivate var tagSets: [[String]] = [[]]
    private var tagSetIndex: [[String]: Int] = [[]: 0]
    private var errors: [WatchlistError] = []
    fileprivate var watchCount = 0
    fileprivate var allowCount = 0
    fileprivate var duplicateCount = 0
    fileprivate var expiredCount = 0
    fileprivate var expiries: [UInt32: Int64] = [:]
    fileprivate var skipped: [WatchlistError] = []
    fileprivate var skippedCount = 0
    private let now: Int64
    private let invalidEntries: InvalidEntryPolicy

    /// - Parameters:
    ///   - now: Unix seconds; entries that expired by then are left out.
    ///   - invalidEntries: whether an invalid line fails the load or is skipped and reported.
    public init(now: Int64 = currentUnixSeconds(), invalidEntries: InvalidEntryPolicy = .reject) {
        self.now = now
        self.invalidEntries = invalidEntries
    }

    /// At most this many skipped lines are kept for the report (all are counted).
    public static let maxSkippedKept = 1000

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

    /// Like ``addFile(path:role:)``, but a file that does not exist is an empty list: for a file
    /// hostwatch itself creates on first use (the HTTP API's watchlist).
    public mutating func addFileIfPresent(path: String, role: MatchRole) {
        var info = stat()
        if stat(path, &info) != 0, errno == ENOENT { return }
        addFile(path: path, role: role)
    }

    /// Parses plain-list text; `file` names the list in errors and (without directory and
    /// extension) in hits.
    public mutating func addText(_ bytes: [UInt8], file: String, role: MatchRole) {
        // Loading has stopped: the build fails anyway, and the error count stays at the limit.
        guard errors.count < Self.maxErrors else { return }
        let listIndex = UInt64(lists.count)
        lists.append(Self.listName(forPath: file))
        if role == .watch {
            files.append(file)
            fileFirstValues.append(UInt32(packed.count))
        }
        let parser = PlainListParser(file: file)
        bytes.withUnsafeBytes { raw in
            parser.forEachEntry(in: raw) { result in
                switch result {
                case .failure(let error):
                    if invalidEntries == .skip {
                        skippedCount += 1
                        if skipped.count < Self.maxSkippedKept { skipped.append(error) }
                        return true
                    }
                    errors.append(error)
                    return errors.count < Self.maxErrors
                case .success(let entry):
                    add(entry, role: role, listIndex: entry.list.map { internList($0) } ?? listIndex)
                    return true
                }
            }
        }
    }

    private mutating func internList(_ name: String) -> UInt64 {
        if let known = listIndexByName[name] { return known }
        let index = UInt64(lists.count)
        lists.append(name)
        listIndexByName[name] = index
        return index
    }

    private mutating func add(_ entry: PlainListParser.Entry, role: MatchRole, listIndex: UInt64) {
        if let expires = entry.expires, expires <= now {
            expiredCount += 1
            return
        }
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
            packed.append(UInt64(tagSet) << 32 | Watchlist.actionBits(entry.action) << 24 | risk << 16 | listIndex)
            if let expires = entry.expires { expiries[value] = expires }
        }
    }

    /// The compiled watchlist, or every error found (file:line and why): no partial list.
    public func build() throws(WatchlistLoadError) -> Watchlist {
        guard errors.isEmpty else { throw WatchlistLoadError(errors: errors) }
        guard lists.count <= 0xFFFF else {
            throw WatchlistLoadError(errors: [WatchlistError(file: "", line: 0, reason: "more than 65535 list files and list= names")])
        }
        return Watchlist(builder: self)
    }

    /// `rules/phishing.txt` → `phishing`.
    public static func listName(forPath path: String) -> String {
        let base = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = base.lastIndex(of: "."), dot != base.startIndex {
            return String(base[..<dot])
        }
        return base
    }
}

extension Watchlist {
    /// Loads watch and allow list files into one compiled watchlist.
    public static func load(
        watch: [String], allow: [String] = [], now: Int64 = currentUnixSeconds(),
        invalidEntries: InvalidEntryPolicy = .reject
    ) throws(WatchlistLoadError) -> Watchlist {
        var builder = WatchlistBuilder(now: now, invalidEntries: invalidEntries)
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

/// The current time in Unix seconds (the default "now" for expiry).
public func currentUnixSeconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec)
}
