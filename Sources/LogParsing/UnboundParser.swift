/// Unbound's `log-queries`, `log-replies` and `log-local-actions` lines:
///
/// ```
/// [1795923904] unbound[19341:0] info: 127.0.0.16 EVIL-BRAND.COM. A IN
/// [1795923904] unbound[19341:0] info: 127.0.0.16 EVIL-BRAND.COM. A IN NXDOMAIN 0.000000 1 43
/// [1795923904] unbound[19341:0] info: evil-brand.com. always_nxdomain 127.0.0.16@40016 EVIL-BRAND.COM. A IN
/// ```
///
/// Prefixes: `[<epoch>] <ident>[<pid>:<tid>] <type>: ` (the default), `Nov 29 03:45:04 <ident>[…] ` with
/// `log-time-ascii: yes` (strftime `%b %d %H:%M:%S`, local time, no year),
/// `2026-11-29T03:45:04.123+01:00 <ident>[…] ` with `log-time-iso: yes` (since 1.21), and syslog
/// (`Nov 29 03:45:04 host unbound: [19341:0] info: `, or rsyslog's ISO time; when stderr is captured
/// the own prefix follows the syslog one: `… host unbound[122]: [1725008283] unbound[122:0] info: `).
/// `<type>` is `info`,
/// or `query`/`reply` with `log-tag-queryreply: yes`.
///
/// - A query line `<client> <name> <type> <class>` is a visit (the client has no port, IPv4 or IPv6).
/// - A reply line adds `<rcode> <seconds> <cached> <size>`: it is `.notAVisit` once this parser has
///   seen a query line (the query was counted), and a visit carrying `rcode` otherwise
///   (setups that log replies only).
/// - Local-action lines (`<zone> <action> <client>@<port> <name> <type> <class>`) are `.notAVisit`,
///   with `action` set (`always_nxdomain`); other Unbound lines too.
/// Lines without an Unbound prefix are `.malformed`.
public struct UnboundParser: LogParser {
    public let id = "unbound"
    @usableFromInline var time: LineTime
    /// Whether a query line was seen, which makes reply lines no new visits.
    @usableFromInline var seenQuery = false

    public init(context: ParserContext) {
        time = LineTime(context: context)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        time.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        var cursor = FieldCursor(line)
        let read: LineTime.Read
        if cursor.consume("[") {
            guard let seconds = cursor.readNumber(maxDigits: 12), cursor.consume("]") else { return .malformed }
            read = .millis(seconds &* 1000)
        } else {
            let iso = time.iso8601(&cursor)
            read = iso != .notATime ? iso : time.syslog(&cursor)
        }
        guard case .millis(let millis) = read else { return read == .invalid ? .badTime : .malformed }
        // "<ident>[pid:tid]" (own log file) or "[host ]<ident>[pid]: [pid:tid]" (syslog).
        guard let first = cursor.nextField() else { return .malformed }
        if !Self.endsWithThreadID(line, first) {
            var tag = first
            if line[tag.upperBound - 1] != UInt8(ascii: ":") {
                guard let next = cursor.nextField() else { return .malformed }
                tag = next
            }
            guard line[tag.upperBound - 1] == UInt8(ascii: ":"), var ids = cursor.nextField() else {
                return .malformed
            }
            // stderr captured by syslog repeats Unbound's own "[epoch] ident[pid:tid]" prefix.
            if line[ids.lowerBound] == UInt8(ascii: "["), line[ids.upperBound - 1] == UInt8(ascii: "]"),
                line.isDigits((ids.lowerBound + 1)..<(ids.upperBound - 1)), let next = cursor.nextField()
            {
                ids = next
            }
            guard Self.endsWithThreadID(line, ids) else { return .malformed }
        }
        guard let type = cursor.nextField(), line[type.upperBound - 1] == UInt8(ascii: ":") else {
            return .malformed
        }
        let tagged = line.bytes(in: type, equal: "info:") || line.bytes(in: type, equal: "query:")
            || line.bytes(in: type, equal: "reply:")
        guard tagged else { return .notAVisit }

        // Up to 9 fields of the message.
        var fields: (Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>, Range<Int>) =
            (0..<0, 0..<0, 0..<0, 0..<0, 0..<0, 0..<0)
        var count = 0
        while let field = cursor.nextField() {
            switch count {
            case 0: fields.0 = field
            case 1: fields.1 = field
            case 2: fields.2 = field
            case 3: fields.3 = field
            case 4: fields.4 = field
            case 5: fields.5 = field
            default: break
            }
            count += 1
            if count > 8 { return .notAVisit }
        }
        event.kind = .dns
        event.timeMillis = millis
        if count == 6, Self.isName(line, fields.0) {  // local action
            event.action = fields.1
            var at = fields.2.lowerBound
            while at < fields.2.upperBound, line[at] != UInt8(ascii: "@") { at += 1 }
            event.client = fields.2.lowerBound..<at
            event.host = fields.3
            event.qtype = fields.4
            return .notAVisit
        }
        guard count == 4 || count == 8, Self.isAddress(line, fields.0), Self.isName(line, fields.1) else {
            return .notAVisit
        }
        event.client = fields.0
        event.host = fields.1
        event.qtype = fields.2
        if count == 4 {
            seenQuery = true
            return nil
        }
        event.rcode = fields.4
        return seenQuery ? .notAVisit : nil
    }

    /// Whether `field` ends with `[<digits>:<hex>]`.
    @inlinable
    static func endsWithThreadID(_ line: UnsafeRawBufferPointer, _ field: Range<Int>) -> Bool {
        guard field.count >= 5, line[field.upperBound - 1] == UInt8(ascii: "]") else { return false }
        var i = field.upperBound - 2
        var sawColon = false
        while i >= field.lowerBound {
            let b = line[i]
            if b == UInt8(ascii: "[") { return sawColon && i + 1 < field.upperBound - 1 }
            if b == UInt8(ascii: ":") {
                if sawColon { return false }
                sawColon = true
            } else if !b.isHexDigit {
                return false
            }
            i -= 1
        }
        return false
    }

    /// An IPv4 or IPv6 address: hex digits, dots and colons, not ending with a dot.
    @inlinable
    static func isAddress(_ line: UnsafeRawBufferPointer, _ field: Range<Int>) -> Bool {
        guard !field.isEmpty, line[field.upperBound - 1] != UInt8(ascii: ".") else { return false }
        for i in field where !(line[i].isHexDigit || line[i] == UInt8(ascii: ".") || line[i] == UInt8(ascii: ":")) {
            return false
        }
        return true
    }

    /// A domain name as Unbound logs it: ending with a dot.
    @inlinable
    static func isName(_ line: UnsafeRawBufferPointer, _ field: Range<Int>) -> Bool {
        !field.isEmpty && line[field.upperBound - 1] == UInt8(ascii: ".")
    }
}

extension UInt8 {
    @inlinable
    var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self | 0x20 >= 0x61 && self | 0x20 <= 0x66)
    }
}
