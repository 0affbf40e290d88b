/// CoreDNS query logs from the `log` plugin in its default `{common}` format (or `{combined}`,
/// which appends the opcode):
///
/// ```
/// {remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}
/// [INFO] 10.0.0.5:41717 - 26543 "A IN login.evil-brand.com. udp 38 false 512" NOERROR qr,rd,ra 110 0.000140027s
/// [INFO] [::1]:50759 - 29008 "AAAA IN example.org. udp 45 false 512" NXDOMAIN qr,rd,ra,ad 145 0.000127s
/// ```
///
/// The plugin writes through Go's `log` package with flags 0 (`coremain.LogFlags`), so a line
/// carries no time of its own; the level tag `[INFO] ` comes from CoreDNS's `plugin/pkg/log`.
/// Time prefixes read: RFC 3339 (`2026-11-29T03:45:04.123Z [INFO] …`, as `kubectl logs
/// --timestamps`, Docker and older CoreDNS releases write), a syslog prefix (`Nov 29 03:45:04 host
/// coredns[812]: [INFO] …`, local time), or none: then the line gets the context's reference
/// time, which a daemon tailing the file keeps at "now" — the same choice as BIND's
/// `print-time no`. (Old CoreDNS wrote `{remote} - [{when}] "…"`; that bracketed time is read too.)
///
/// `client` is the remote address without port or brackets, `host` the query name as logged
/// (with its trailing dot), `qtype` the type, `rcode` the response code. Every query line is a
/// visit (the plugin logs each query once, with its answer). Other CoreDNS lines (`[INFO]
/// plugin/reload: …`, `[ERROR] plugin/errors: …`, `[WARNING] …`, the `CoreDNS-1.11.1` banner) are
/// `.notAVisit`; custom `log` formats are not read.
public struct CoreDNSParser: LogParser {
    public let id = "coredns"
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
        var read = time.iso8601(&cursor)
        if read == .notATime { read = time.syslog(&cursor) }
        switch read {
        case .millis(let t): millis = t
        case .invalid: return .badTime
        case .notATime: break
        }
        // The level tag, after at most a host and a syslog tag.
        cursor.skipSpaces()
        let afterTime = cursor.position
        var level: Range<Int>?
        for _ in 0..<3 {
            guard let field = cursor.nextField() else { break }
            if Self.isLevelTag(line, field) {
                level = field
                break
            }
            if read == .notATime { break }  // no prefix: the tag must come first
        }
        guard let level else { return Self.isBanner(line, from: afterTime) ? .notAVisit : .malformed }
        guard line.bytes(in: level, equal: "[INFO]"), let remote = cursor.nextField() else { return .notAVisit }
        // {remote}:{port}, [v6]:{port}; the old format has no port.
        guard let client = Self.address(line, remote) else { return .notAVisit }
        guard let dash = cursor.nextField(), line.isDash(dash) else { return .notAVisit }
        cursor.skipSpaces()
        if cursor.consume("[") {  // old: - [29/Nov/2026:03:45:04 +0000]
            guard let t = CombinedParser.readTime(line, at: cursor.position) else { return .badTime }
            millis = t
            cursor.position += 27
        } else {
            guard let queryID = cursor.nextField(), line[queryID.lowerBound] &- 0x30 < 10 else { return .notAVisit }
        }
        cursor.skipSpaces()
        guard cursor.consume("\""), let inside = cursor.upTo(UInt8(ascii: "\"")) else { return .malformed }
        var query = FieldCursor(UnsafeRawBufferPointer(rebasing: line[0..<inside.upperBound]), from: inside.lowerBound)
        guard let qtype = query.nextField(), query.nextField() != nil,  // class
            let name = query.nextField(),
            let rcode = cursor.nextField()
        else { return .malformed }

        event.kind = .dns
        event.timeMillis = millis
        event.client = client
        event.host = name
        event.qtype = qtype
        event.rcode = rcode
        return nil
    }

    /// The address of `{remote}:{port}` or `[v6]:{port}` (or a bare address).
    @inlinable
    static func address(_ line: UnsafeRawBufferPointer, _ field: Range<Int>) -> Range<Int>? {
        guard !field.isEmpty else { return nil }
        if line[field.lowerBound] == UInt8(ascii: "[") {
            var close = field.lowerBound + 1
            while close < field.upperBound, line[close] != UInt8(ascii: "]") { close += 1 }
            guard close < field.upperBound, close > field.lowerBound + 1 else { return nil }
            return (field.lowerBound + 1)..<close
        }
        var colon = field.upperBound - 1
        var colons = 0
        var i = field.lowerBound
        while i < field.upperBound {
            if line[i] == UInt8(ascii: ":") {
                colons += 1
                colon = i
            }
            i += 1
        }
        // One colon: IPv4 with port; none: a bare address; several: a bare IPv6 address.
        return colons == 1 ? (colon > field.lowerBound ? field.lowerBound..<colon : nil) : field
    }

    /// The lines CoreDNS prints when it starts: `CoreDNS-1.11.1`, `linux/amd64, go1.20.7, ae2bbc2`,
    /// and one `zone:port` line per server block (`.:53`, `example.org.:53`, `dns://.:53`).
    @inlinable
    static func isBanner(_ line: UnsafeRawBufferPointer, from start: Int) -> Bool {
        var cursor = FieldCursor(line, from: start)
        if cursor.consume("CoreDNS-") || cursor.consume("linux/") || cursor.consume("darwin/")
            || cursor.consume("windows/") || cursor.consume("freebsd/")
        {
            return true
        }
        cursor.position = start
        guard let word = cursor.nextField(), cursor.nextField() == nil else { return false }
        var i = word.upperBound
        while i > word.lowerBound, line[i - 1] &- 0x30 < 10 { i -= 1 }
        return i < word.upperBound && i - 1 > word.lowerBound && line[i - 1] == UInt8(ascii: ":")
    }

    /// `[INFO]`, `[ERROR]`, `[WARNING]`, `[DEBUG]`, `[FATAL]`.
    @inlinable
    static func isLevelTag(_ line: UnsafeRawBufferPointer, _ field: Range<Int>) -> Bool {
        line.bytes(in: field, equal: "[INFO]") || line.bytes(in: field, equal: "[ERROR]")
            || line.bytes(in: field, equal: "[WARNING]") || line.bytes(in: field, equal: "[DEBUG]")
            || line.bytes(in: field, equal: "[FATAL]")
    }
}
