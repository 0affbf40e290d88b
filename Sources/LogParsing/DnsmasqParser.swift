/// dnsmasq's `log-queries` lines:
///
/// ```
/// Nov 29 03:45:04 dnsmasq[19383]: query[A] px.tracker.ads-network.io from 127.0.0.13
/// ```
///
/// Prefixes: `Nov 29 03:45:04 dnsmasq[pid]: ` (`log-facility` file: strftime `%b %e %H:%M:%S`, local
/// time, no year), the same with a host field when written by syslog
/// (`Nov 29 03:45:04 myhost dnsmasq[pid]: `), and rsyslog's RFC 3339 time
/// (`2026-11-29T03:45:04.123456+00:00 myhost dnsmasq[pid]: `). TCP queries are logged under a forked
/// child's pid. With `log-queries=extra` the message starts with a serial number and the
/// requestor's `address/port` (`123 127.0.0.1/40000 query[A] …`), with `log-queries=proto` (2.91)
/// also with `UDP`/`TCP`.
///
/// Only `query[<type>] <name> from <client>` lines are visits; `forwarded`, `reply`, `cached`,
/// `config`, `/etc/hosts`, `validation`, DHCP and other dnsmasq lines are `.notAVisit`. Lines without
/// a dnsmasq prefix are `.malformed`.
public struct DnsmasqParser: LogParser {
    public let id = "dnsmasq"
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
        var read = time.syslog(&cursor)
        if read == .notATime { read = time.iso8601(&cursor) }
        guard cursor.skipSyslogTag(program: "dnsmasq") else { return .malformed }
        guard case .millis(let millis) = read else { return read == .invalid ? .badTime : .malformed }

        // Optional "UDP"/"TCP", serial number and "address/port" (log-queries=extra, =proto).
        var field = cursor.nextField()
        if let f = field, line.bytes(in: f, equal: "UDP") || line.bytes(in: f, equal: "TCP") {
            field = cursor.nextField()
        }
        if let f = field, line.isDigits(f) || line.bytes(in: f, equal: "*") {
            field = cursor.nextField()
            if let f = field, f.contains(where: { line[$0] == UInt8(ascii: "/") }) { field = cursor.nextField() }
        }
        // "query[TYPE] name from client"
        guard let source = field, source.count > 7, line.bytes(in: source.lowerBound..<(source.lowerBound + 6), equal: "query["),
            line[source.upperBound - 1] == UInt8(ascii: "]")
        else { return .notAVisit }
        guard let name = cursor.nextField(), let from = cursor.nextField(), line.bytes(in: from, equal: "from"),
            let client = cursor.nextField()
        else { return .malformed }
        event.kind = .dns
        event.timeMillis = millis
        event.qtype = (source.lowerBound + 6)..<(source.upperBound - 1)
        event.host = name
        event.client = client
        return nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether `range` is a non-empty run of ASCII digits.
    @inlinable
    public func isDigits(_ range: Range<Int>) -> Bool {
        !range.isEmpty && range.allSatisfy { self[$0] >= 0x30 && self[$0] <= 0x39 }
    }
}
