/// Cisco Umbrella DNS logs as exported to S3 (CSV, every field quoted, one query a line), log
/// format versions 2 to 13:
///
/// ```
/// Timestamp, Most Granular Identity, Identities, InternalIp, ExternalIp, Action, QueryType, ResponseCode, Domain, Categories[, Most Granular Identity Type, Identity Types, Blocked Categories[, Rule ID, …]]
/// "2026-11-29 03:45:04","Jane Doe (jane@corp.example)","Jane Doe (jane@corp.example),PC-0042,Default Site","10.0.0.5","203.0.113.9","Blocked","1 (A)","NOERROR","login.evil-brand.com.","Phishing,Newly Seen Domains","AD Users","AD Users,Roaming Computers,Sites","Phishing"
/// ```
///
/// The column order is the one of Umbrella's "Log Formats and Versioning" page; version 2 ends
/// after Categories, version 3 adds the identity types and blocked categories, later versions
/// append columns after them (rule id, destination countries…), which are ignored. Older
/// exports put a space after some commas (`"a", "b"`); that is tolerated.
///
/// Times are UTC. `client` is InternalIp, `host` the Domain as logged (trailing dot), `action`
/// the Action (`Allowed`, `Blocked`), `rcode` the ResponseCode, `qtype` the name inside the
/// parentheses of QueryType (`1 (A)` → `A`; kept as logged without them). `user` is the most
/// granular identity when its type names a user (`AD Users`, `Directory Users`…); computers,
/// networks and sites are no users. Lines with fewer than ten fields, or whose QueryType does not
/// start with its number, are `.malformed`; the optional header line (`Timestamp,…`) is
/// `.notAVisit`.
public struct UmbrellaParser: LogParser {
    public let id = "umbrella"
    @usableFromInline let fields = CSVFields(capacity: 32)
    @usableFromInline let decoded = DecodedLine()

    public init() {}

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        fields.split(line, separator: UInt8(ascii: ","))
        guard fields.count >= 10 else { return .malformed }
        let bytes = fields.text(of: line, decodingInto: decoded, for: &event)
        guard let time = fields.range(0), let client = fields.range(3), let action = fields.range(5),
            let qtype = fields.range(6), let rcode = fields.range(7), let host = fields.range(8)
        else { return .malformed }
        guard let millis = Self.readTime(bytes, time) else {
            // The optional header line ("Include Optional Log Headers") names the columns.
            return time.count == 9 && (bytes[time.lowerBound] | 0x20) == UInt8(ascii: "t") ? .notAVisit : .badTime
        }
        // QueryType is `1 (A)`: a number first. Other CSV logs of this width (Umbrella's proxy
        // log, Zscaler) have words there.
        guard !qtype.isEmpty, bytes[qtype.lowerBound] &- 0x30 < 10 else { return .malformed }
        event.kind = .dns
        event.timeMillis = millis
        event.client = client
        event.action = action.isEmpty ? nil : action
        event.rcode = rcode.isEmpty ? nil : rcode
        event.qtype = Self.typeName(bytes, qtype)
        if let type = fields.range(10), Self.namesUser(bytes, type), let identity = fields.range(1), !identity.isEmpty {
            event.user = identity
        }
        guard !host.isEmpty, !bytes.isDash(host) else { return .noHost }
        event.host = host
        return nil
    }

    /// `yyyy-mm-dd hh:mm:ss`, UTC (also with `T`).
    @inlinable
    static func readTime(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
        let i = r.lowerBound
        guard r.count >= 19, let year = LogTime.digits(b, at: i, count: 4), b[i + 4] == 0x2D,
            let month = LogTime.digits(b, at: i + 5, count: 2), b[i + 7] == 0x2D,
            let day = LogTime.digits(b, at: i + 8, count: 2), b[i + 10] == 0x20 || b[i + 10] == 0x54,
            let (hour, minute, second, _) = LineTime.clock(b, at: i + 11, end: r.upperBound),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        return LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: 0)
    }

    /// `1 (A)` → `A`; a type without parentheses as logged; empty → `nil`.
    @inlinable
    static func typeName(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Range<Int>? {
        guard !r.isEmpty else { return nil }
        var open = r.lowerBound
        while open < r.upperBound, b[open] != UInt8(ascii: "(") { open += 1 }
        guard open < r.upperBound, b[r.upperBound - 1] == UInt8(ascii: ")"), open + 1 < r.upperBound - 1 else {
            return r
        }
        return (open + 1)..<(r.upperBound - 1)
    }

    /// Whether an identity type names users (`AD Users`, `Directory Users`, `Users`), by the
    /// word `User` in it.
    @inlinable
    static func namesUser(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard r.count >= 4 else { return false }
        for i in r.lowerBound...(r.upperBound - 4)
        where b[i] | 0x20 == UInt8(ascii: "u") && b[i + 1] == UInt8(ascii: "s") && b[i + 2] == UInt8(ascii: "e")
            && b[i + 3] == UInt8(ascii: "r")
        {
            return true
        }
        return false
    }
}
