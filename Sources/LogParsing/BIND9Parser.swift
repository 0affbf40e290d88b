/// BIND 9 query logging (category `queries`), from 9.9 to 9.20:
///
/// ```
/// [<time> ][<category>: ][<severity>: ]client [@0x… ]<ip>#<port> (<qname>): [view <name>: ]query: <qname> <class> <type> <flags> (<server>)
/// 29-Nov-2026 03:45:04.843 queries: info: client @0x7f712f897098 127.0.0.3#40003 (xn--pypal-4ve.com): query: xn--pypal-4ve.com IN A +E(0)K (127.0.0.1)
/// ```
///
/// Time prefixes: `29-Nov-2026 03:45:04.827` (`print-time yes`/`local`, local time), ISO 8601
/// (`2026-11-29T03:45:04.827Z` for `iso8601-utc`, with or without an offset for `iso8601`), a syslog
/// prefix (`Nov 29 03:45:04 host named[123]: `, year-less local time, or rsyslog's ISO time), or none
/// (`print-time no`: the context's reference time is used). The `client @0x…` object pointer
/// appears since 9.11; 9.9/9.10 had none, and before 9.9 the `(<qname>)` was missing too.
/// `view <name>: ` precedes `query:` when views are configured. The host is the name after
/// `query:` as logged (any case, BIND escapes such as `\032`); `qtype` is the type (`A`, `TYPE65`).
///
/// Lines of category `rpz` (`… rpz QNAME NXDOMAIN rewrite <name>/<type>/<class> via <owner>`) follow
/// the query line: they are `.notAVisit`, with `action` set to the policy (`NXDOMAIN`, `NODATA`,
/// `Local-Data`…). Any other BIND line (`query failed`, `lame-servers`, `resolver`…) is `.notAVisit`
/// when it has a BIND prefix (BIND time, a `named` syslog tag, or `client `), `.malformed` otherwise.
public struct BIND9Parser: LogParser {
    public let id = "bind9"
    @usableFromInline var time: LineTime

    public init(context: ParserContext) {
        time = LineTime(context: context)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        time.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        var cursor = FieldCursor(line)
        var millis = time.referenceMillis
        var bindShape = false
        // Time prefix: BIND's own, ISO 8601, or syslog (then a `named` tag).
        var read = readBINDTime(&cursor)
        if read != .notATime {
            bindShape = true
        } else {
            read = time.iso8601(&cursor)
            if read == .notATime { read = time.syslog(&cursor) }
            if read != .notATime, cursor.skipSyslogTag(program: "named") { bindShape = true }
        }
        switch read {
        case .millis(let t): millis = t
        case .invalid: return .badTime
        case .notATime: break
        }
        // Optional "<category>: <severity>: ".
        var category: Range<Int>?
        for _ in 0..<2 {
            let save = cursor.position
            guard let word = cursor.nextField(), Self.isLabel(line, word) else {
                cursor.position = save
                break
            }
            if category == nil { category = word }
        }
        cursor.skipSpaces()
        guard cursor.consume("client ") else { return bindShape ? .notAVisit : .malformed }
        // "[@0x… ]<ip>#<port>[ (<qname>)]: "
        guard var address = cursor.nextField() else { return .notAVisit }
        if line[address.lowerBound] == UInt8(ascii: "@"), let next = cursor.nextField() { address = next }
        var hash = address.upperBound
        while hash > address.lowerBound, line[hash - 1] != UInt8(ascii: "#") { hash -= 1 }
        let clientEnd = hash > address.lowerBound ? hash - 1 : address.upperBound
        var colon = address.lowerBound
        while colon + 1 < line.count, !(line[colon] == UInt8(ascii: ":") && line[colon + 1] == 0x20) { colon += 1 }
        guard colon + 1 < line.count else { return .notAVisit }
        cursor.position = colon + 2
        if cursor.consume("view "), cursor.upTo(UInt8(ascii: ":")) != nil { cursor.skipSpaces() }

        event.kind = .dns
        event.timeMillis = millis
        event.client = address.lowerBound..<clientEnd
        if cursor.consume("query: ") {
            guard let qname = cursor.nextField(), cursor.nextField() != nil, let qtype = cursor.nextField() else {
                return .malformed
            }
            event.host = qname
            event.qtype = qtype
            return nil
        }
        if cursor.consume("rpz "), cursor.nextField() != nil, let policy = cursor.nextField() {
            event.action = policy  // rpz QNAME NXDOMAIN rewrite …
            if let rewritten = cursor.nextField(), cursor.consume(" "), let name = cursor.upTo(UInt8(ascii: "/")),
                line.bytes(in: rewritten, equal: "rewrite")
            {
                event.host = name
            }
        }
        return .notAVisit
    }

    /// `dd-Mmm-yyyy hh:mm:ss[.fff]`, local time.
    @inlinable
    mutating func readBINDTime(_ cursor: inout FieldCursor) -> LineTime.Read {
        let b = cursor.bytes
        let i = cursor.position
        guard i + 20 <= cursor.end, let day = LogTime.digits(b, at: i, count: 2), b[i + 2] == 0x2D,
            let month = LogTime.month(b, at: i + 3), b[i + 6] == 0x2D,
            let year = LogTime.digits(b, at: i + 7, count: 4), b[i + 11] == 0x20,
            let (hour, minute, second, next) = LineTime.clock(b, at: i + 12, end: cursor.end)
        else { return .notATime }
        let (fraction, end) = LineTime.fraction(b, at: next, end: cursor.end)
        cursor.position = end
        return time.local(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: fraction)
    }

    /// A `word:` of letters, digits, `-` and `_` (a category or severity).
    @inlinable
    static func isLabel(_ line: UnsafeRawBufferPointer, _ word: Range<Int>) -> Bool {
        guard word.count >= 2, line[word.upperBound - 1] == UInt8(ascii: ":") else { return false }
        for i in word.lowerBound..<(word.upperBound - 1) {
            let c = line[i] | 0x20
            let ok = (c >= 0x61 && c <= 0x7A) || (line[i] >= 0x30 && line[i] <= 0x39) || line[i] == 0x2D
                || line[i] == 0x5F
            if !ok { return false }
        }
        return true
    }
}
