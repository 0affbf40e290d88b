/// Squid's native `squid` logformat, the default of `access_log`:
///
/// ```
/// logformat squid %ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt
/// 1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html
/// ```
///
/// Time is epoch seconds with milliseconds; the elapsed field is right-aligned, so fields may be
/// separated by several spaces. The user (`%[un`) is the authenticated, ident or external-ACL
/// user, `-` when none. For `CONNECT` the URL is `host:port`; otherwise the host comes from the
/// URL's authority. Squid logs `error:…` URLs for requests it could not parse: those lines are
/// visits without a host.
public struct SquidNativeParser: LogParser {
    public let id = "squid"

    public init() {}

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        var cursor = FieldCursor(line)
        // %ts.%03tu: epoch seconds, a dot, three digits of milliseconds.
        guard let time = cursor.nextField() else { return .malformed }
        var seconds: Int64 = 0
        var millis: Int64 = 0
        if time.count == 14, line[time.lowerBound + 10] == UInt8(ascii: "."),
            let high = FieldCursor.eightDigits(in: line, at: time.lowerBound),
            let low = LogTime.digits(line, at: time.lowerBound + 8, count: 2),
            let fraction = LogTime.digits(line, at: time.lowerBound + 11, count: 3)
        {
            // The shape of every epoch time from 2001 to 2286: ten digits, a dot, three.
            seconds = Int64(high) * 100 + Int64(low)
            millis = Int64(fraction)
        } else {
            var i = time.lowerBound
            while i < time.upperBound, line[i] &- 0x30 < 10 {
                seconds = seconds &* 10 &+ Int64(line[i] &- 0x30)
                i += 1
            }
            guard i > time.lowerBound, i - time.lowerBound <= 12 else { return .malformed }
            if i < time.upperBound {
                guard line[i] == UInt8(ascii: ".") else { return .malformed }
                guard time.upperBound - i == 4, let fraction = LogTime.digits(line, at: i + 1, count: 3) else {
                    return .badTime
                }
                millis = Int64(fraction)
            }
        }
        guard let elapsed = cursor.nextField(), line[elapsed.lowerBound] &- 0x30 < 10,  // %6tr
            let client = cursor.nextField(),
            let result = cursor.nextField(),
            cursor.nextField() != nil,  // %<st bytes
            let method = cursor.nextField(),
            let url = cursor.nextField(),
            let user = cursor.nextField()
        else { return .malformed }
        // %Ss/%03>Hs: "TCP_DENIED/403"
        var slash = result.upperBound - 4  // a three-digit status, the usual case
        if slash < result.lowerBound || line[slash] != UInt8(ascii: "/") {
            slash = result.lowerBound
            while slash < result.upperBound, line[slash] != UInt8(ascii: "/") { slash += 1 }
        }
        guard slash < result.upperBound else { return .malformed }

        event.kind = .proxy
        event.timeMillis = seconds &* 1000 &+ millis
        event.client = client
        event.action = result.lowerBound..<slash
        event.status = (slash + 1)..<result.upperBound
        event.method = method
        event.url = url
        event.user = line.isDash(user) ? nil : user
        guard let host = URLAuthority.authority(in: line, url: url) else { return .noHost }
        event.host = host
        return nil
    }
}
