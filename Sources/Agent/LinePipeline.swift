public import DomainMatch
public import LogParsing
public import VisitIndex
public import Watchlist

/// What a run read, skipped (by reason) and found. Fixed-size counters: no dictionary on the
/// hot path.
public struct ScanCounters: Sendable, Equatable {
    public var linesRead = 0
    /// Lines that gave a visit with a valid host.
    public var parsed = 0
    public var hits = 0
    /// Visits to watched hosts that an allow entry suppressed.
    public var allowed = 0
    public var emptyLines = 0
    public var linesTooLong = 0
    public var bytesRead: Int64 = 0
    /// Hosts answered from the reader's cache of recent answers (not a skip; for tuning).
    public var cachedAnswers = 0
    /// Hits by the list of the entry matched (touched per hit only).
    public var hitsByList: [String: Int] = [:]
    @usableFromInline var skippedByReason = [Int](repeating: 0, count: SkipReason.allCases.count)
    @usableFromInline var invalidHostByReason = [Int](repeating: 0, count: HostRejection.allCases.count)

    public init() {}

    @inlinable
    mutating func skip(_ reason: SkipReason) {
        skippedByReason[Self.index(reason)] += 1
    }

    @inlinable
    mutating func reject(_ reason: HostRejection) {
        invalidHostByReason[Self.index(reason)] += 1
    }

    /// Position of `reason` in `SkipReason.allCases`, without building that array per line.
    @usableFromInline
    static func index(_ reason: SkipReason) -> Int {
        switch reason {
        case .notAVisit: 0
        case .malformed: 1
        case .badTime: 2
        case .noHost: 3
        case .matchLimit: 4
        }
    }

    @usableFromInline
    static func index(_ reason: HostRejection) -> Int {
        switch reason {
        case .empty: 0
        case .emptyLabel: 1
        case .labelTooLong: 2
        case .nameTooLong: 3
        case .badByte: 4
        case .invalidUTF8: 5
        case .confusableFold: 6
        case .invalidPunycode: 7
        case .badIPAddress: 8
        case .badPort: 9
        }
    }

    /// Lines skipped, by stable reason key (`malformed`, `invalid_host:bad_byte`, …); zeros omitted.
    public var skipped: [(reason: String, count: Int)] {
        var result: [(String, Int)] = []
        if emptyLines > 0 { result.append(("empty_line", emptyLines)) }
        if linesTooLong > 0 { result.append(("line_too_long", linesTooLong)) }
        for (i, reason) in SkipReason.allCases.enumerated() where skippedByReason[i] > 0 {
            result.append((reason.rawValue, skippedByReason[i]))
        }
        for (i, reason) in HostRejection.allCases.enumerated() where invalidHostByReason[i] > 0 {
            result.append(("invalid_host:" + reason.rawValue, invalidHostByReason[i]))
        }
        return result
    }

    /// Skipped lines for one reason key (as in ``skipped``).
    public func skippedCount(_ key: String) -> Int {
        skipped.first { $0.reason == key }?.count ?? 0
    }

    public var skippedTotal: Int { skipped.reduce(0) { $0 + $1.count } }

    public static func += (lhs: inout ScanCounters, rhs: ScanCounters) {
        lhs.linesRead += rhs.linesRead
        lhs.parsed += rhs.parsed
        lhs.hits += rhs.hits
        lhs.allowed += rhs.allowed
        lhs.emptyLines += rhs.emptyLines
        lhs.linesTooLong += rhs.linesTooLong
        lhs.bytesRead += rhs.bytesRead
        lhs.cachedAnswers += rhs.cachedAnswers
        lhs.hitsByList.merge(rhs.hitsByList, uniquingKeysWith: +)
        for i in lhs.skippedByReason.indices { lhs.skippedByReason[i] += rhs.skippedByReason[i] }
        for i in lhs.invalidHostByReason.indices { lhs.invalidHostByReason[i] += rhs.invalidHostByReason[i] }
    }
}

/// read → parse → normalize → match for one input, writing hits as JSON lines.
///
/// Generic over the parser so each format's `parse` is specialized and inlined into the loop;
/// per line it touches only the line's bytes, one reused `LogEvent` and one scratch buffer.
public struct LinePipeline<Parser: LogParser>: ~Copyable {
    public var parser: Parser
    /// Replaced on reload; the answer cache notices the new matcher and starts empty.
    public var watchlist: Watchlist
    public var counters = ScanCounters()
    @usableFromInline var event = LogEvent()
    @usableFromInline var cache = HostMatchCache()
    @usableFromInline let scratch: UnsafeMutableRawBufferPointer
    @usableFromInline let format: [UInt8]
    @usableFromInline let source: [UInt8]
    /// `"<file id>-` when hits carry an `id` (the daemon), else `nil`.
    @usableFromInline var idPrefix: [UInt8]?
    /// Every visit with a valid host is summed here for the visit index (the daemon); `nil`
    /// turns that off (`scan`).
    public var visits: VisitAggregator?

    /// - Parameter fileID: when given, hits get an `id` field: the file id in hex, `-`, the offset.
    public init(parser: Parser, watchlist: Watchlist, source: String, fileID: UInt64? = nil) {
        self.parser = parser
        self.watchlist = watchlist
        self.format = HitFormatter.quoted(parser.id)
        self.source = HitFormatter.quoted(source)
        self.idPrefix = fileID.map { Array(("\"" + HitIdentifier.hex($0) + "-").utf8) }
        scratch = .allocate(byteCount: HostNormalizer.outputCapacity, alignment: 8)
    }

    deinit {
        scratch.deallocate()
    }

    /// Gives later hits a new file id (the file was truncated and is read from its start).
    public mutating func setFileID(_ fileID: UInt64) {
        idPrefix = Array(("\"" + HitIdentifier.hex(fileID) + "-").utf8)
    }

    /// Processes one line (without its newline) that starts at `offset` in its input.
    @inlinable
    public mutating func process(_ line: UnsafeRawBufferPointer, offset: Int64, output: inout OutputBuffer) {
        counters.linesRead += 1
        if line.isEmpty {
            counters.emptyLines += 1
            return
        }
        event.reset()
        if let reason = parser.parse(line, into: &event) {
            counters.skip(reason)
            return
        }
        let text = event.bytes(line)
        let answer = cache.answer(UnsafeRawBufferPointer(rebasing: text[event.host]), in: watchlist.matcher, scratch: scratch)
        if visits != nil, answer.isValidHost {
            visits!.add(
                host: UnsafeRawBufferPointer(rebasing: text[event.host]), client: UnsafeRawBufferPointer(rebasing: text[event.client]),
                user: event.user.map { UnsafeRawBufferPointer(rebasing: text[$0]) }, timeMillis: event.timeMillis)
        }
        switch answer {
        case .rejected(let reason):
            counters.reject(reason)
        case .unwatched:
            counters.parsed += 1
        case .allowed:
            counters.parsed += 1
            counters.allowed += 1
        case .watched(let value, let nameLength, let host):
            counters.parsed += 1
            counters.hits += 1
            let hostBytes = UnsafeRawBufferPointer(rebasing: scratch[0..<host.count])
            emit(line: text, host: hostBytes, value: value, nameLength: nameLength, offset: offset, output: &output)
        }
    }

    @usableFromInline
    mutating func emit(
        line: UnsafeRawBufferPointer, host: UnsafeRawBufferPointer, value: UInt32, nameLength: Int,
        offset: Int64, output: inout OutputBuffer
    ) {
        let metadata = watchlist.metadata(for: value)
        counters.hitsByList[metadata.list, default: 0] += 1
        let hit = HitFormatter.Hit(
            line: line, event: event, host: host, watchedLength: nameLength,
            metadata: metadata, offset: offset)
        HitFormatter.write(hit, format: format, source: source, idPrefix: idPrefix, to: &output)
    }
}

/// The `id` of a hit: `<file id as 16 hex digits>-<offset>`.
public enum HitIdentifier {
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
