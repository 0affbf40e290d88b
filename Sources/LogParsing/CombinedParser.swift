/// Squid's `combined` logformat, which is also Apache's combined log format:
///
/// ```
/// logformat combined %>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h" "%{User-Agent}>h" %Ss:%Sh
/// 127.0.0.4 - carol [29/Nov/2026:03:45:04 +0000] "CONNECT www.evil-brand.com:443 HTTP/1.1" 403 3468 "-" "Mozilla/5.0" TCP_DENIED:HIER_NONE
/// ```
///
/// Shapes read:
/// - Squid: the trailing `%Ss:%Sh` gives `action` (`TCP_DENIED`);
/// - Apache combined (no trailing field) and Apache common (no referer and user agent either);
/// - request `CONNECT host:port HTTP/1.1` (host from the authority), `GET http://host:port/path HTTP/1.1`
///   (host from the URL's authority); origin-server requests (`GET /index.html HTTP/1.1`) and the
///   `"-"` written for garbage requests are visits without a host (`.noHost`).
///
/// The time `[dd/Mmm/yyyy:hh:mm:ss ±hhmm]` carries its own offset. The user is the authenticated
/// user (`%[un`) unless `-`, else the ident user (`%[ui`) unless `-`, else `nil`. Quoted fields may
/// contain `\"` escapes.
public struct CombinedParser: LogParser {
    public let id = "combined"

    public init() {}

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        var cursor = FieldCursor(line)
        guard let client = cursor.nextField(),
            let ident = cursor.nextField(),
            let user = cursor.nextField()
        else { return .malformed }
        cursor.skipSpaces()
        guard cursor.consume("[") else { return .malformed }
        guard let time = Self.readTime(line, at: cursor.position) else { return .badTime }
        cursor.position += 27  // "29/Nov/2026:03:45:04 +0000]"
        cursor.skipSpaces()
        guard let request = Self.quoted(&cursor), cursor.skipSpaces() > 0,
            let status = cursor.nextField(),
            cursor.nextField() != nil  // %<st bytes
        else { return .malformed }
        // Optional "referer" "user-agent" and Squid's %Ss:%Sh.
        cursor.skipSpaces()
        if cursor.peek() == UInt8(ascii: "\"") {
            guard Self.quoted(&cursor) != nil, cursor.skipSpaces() > 0, Self.quoted(&cursor) != nil else {
                return .malformed
            }
        }
        if let tail = cursor.nextField() {
            var colon = tail.lowerBound
            while colon < tail.upperBound, line[colon] != UInt8(ascii: ":") { colon += 1 }
            event.action = tail.lowerBound..<colon
        }

        event.kind = .proxy
        event.timeMillis = time
        event.client = client
        event.status = status
        event.user = !line.isDash(user) ? user : !line.isDash(ident) ? ident : nil
        // "%rm %ru HTTP/%rv"
        // A cursor over the line up to the closing quote: same offsets, bounded by the request.
        var req = FieldCursor(UnsafeRawBufferPointer(rebasing: line[0..<request.upperBound]), from: request.lowerBound)
        guard let method = req.nextField(), !line.isDash(method), let url = req.nextField() else { return .noHost }
        event.method = method
        event.url = url
        guard let host = URLAuthority.authority(in: line, url: url) else { return .noHost }
        event.host = host
        return nil
    }

    /// `dd/Mmm/yyyy:hh:mm:ss ±hhmm]` at `i`, in UTC milliseconds.
    @inlinable
    static func readTime(_ b: UnsafeRawBufferPointer, at i: Int) -> Int64? {
        guard i + 27 <= b.count, let day = LogTime.digits(b, at: i, count: 2), b[i + 2] == 0x2F,
            let month = LogTime.month(b, at: i + 3), b[i + 6] == 0x2F,
            let year = LogTime.digits(b, at: i + 7, count: 4), b[i + 11] == 0x3A,
            let hour = LogTime.digits(b, at: i + 12, count: 2), b[i + 14] == 0x3A,
            let minute = LogTime.digits(b, at: i + 15, count: 2), b[i + 17] == 0x3A,
            let second = LogTime.digits(b, at: i + 18, count: 2), b[i + 20] == 0x20,
            b[i + 21] == 0x2B || b[i + 21] == 0x2D,
            let offH = LogTime.digits(b, at: i + 22, count: 2), let offM = LogTime.digits(b, at: i + 24, count: 2),
            b[i + 26] == 0x5D,  // ']'
            (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        let offset = Int64((b[i + 21] == 0x2D ? -1 : 1) * (offH * 3600 + offM * 60))
        let wall = LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: 0)
        return wall - offset * 1000
    }

    /// The inside of a `"…"` field starting at the cursor (with `\"` and `\\` escapes); moves past it.
    @inlinable
    static func quoted(_ cursor: inout FieldCursor) -> Range<Int>? {
        guard cursor.consume("\"") else { return nil }
        let start = cursor.position
        var i = start
        while i < cursor.end {
            let b = cursor.bytes[i]
            if b == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if b == UInt8(ascii: "\"") {
                cursor.position = i + 1
                return start..<i
            }
            i += 1
        }
        return nil
    }
}
