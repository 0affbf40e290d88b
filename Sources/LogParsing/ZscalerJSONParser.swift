/// Zscaler Internet Access web logs sent by NSS / Cloud NSS as JSON. NSS feed output formats are
/// user-defined strings of `%s{field}` tokens; the JSON web feed that SIEM integrations document
/// (Splunk, Datadog, Sumo Logic) is
///
/// ```
/// \{ "sourcetype" : "zscalernss-web", "event" :\{"datetime":"%s{time}","reason":"%s{reason}","event_id":"%d{recordid}","protocol":"%s{proto}","action":"%s{action}",…,"requestmethod":"%s{reqmethod}",…,"ClientIP":"%s{cip}","status":"%s{respcode}","user":"%s{elogin}","url":"%s{eurl}","vendor":"Zscaler","hostname":"%s{ehost}",…\}\}
/// { "sourcetype" : "zscalernss-web", "event" :{"datetime":"Sun Nov 29 03:45:04 2026","reason":"Allowed","event_id":"7301234567890123457","protocol":"HTTPS","action":"Allowed","transactionsize":"1093","responsesize":"568","requestsize":"525","urlcategory":"Phishing","serverip":"203.0.113.7","requestmethod":"GET","refererURL":"None","useragent":"Mozilla/5.0","product":"NSS","location":"HQ","ClientIP":"10.0.0.5","status":"200","user":"alice@corp.example","url":"login.evil-brand.com/signin","vendor":"Zscaler","hostname":"login.evil-brand.com"}}
/// ```
///
/// Read, by key (inside `event`, or at the top level for feeds written without the wrapper):
/// - time: `datetime` or `time` (`%s{time}`, `Sun Nov 29 03:45:04 2026`), or the
///   `yyyy-mm-dd hh:mm:ss` that some feed strings build from `%d{yy}-%02d{mth}-…`, or
///   `TimeGenerated` (Microsoft Sentinel's feed); read as UTC (an NSS feed's time zone defaults to GMT);
/// - client `ClientIP` / `cip` / `src`; user `user` / `login` / `suser`; method `requestmethod` /
///   `reqmethod` / `requestMethod`; status `status` / `respcode` / `outcome`; action `action` /
///   `act` (`Allowed`, `Blocked`);
/// - url `url` / `eurl` / `request`: Zscaler logs URLs without the scheme (`host/path`, or
///   `host:port` for CONNECT);
/// - host `hostname` / `ehost` / `dhost`, else the host part of the URL.
///
/// `None`, `NA`, `-` and empty values are absent. Lines whose `sourcetype` is another Zscaler feed
/// (`zscalernss-dns`, `zscalernss-fw`, `zscalernss-tunnel`…) are `.notAVisit`; JSON without a time
/// and a URL or host is `.malformed`. Zscaler percent-encodes unusual URL bytes itself (the pipeline
/// decodes those); JSON escapes in values are decoded here (into a ``DecodedLine``).
public struct ZscalerJSONParser: LogParser {
    public let id = "zscaler-json"

    /// The fields looked for, by slot in the scanner; each key is looked for inside `event` first.
    @usableFromInline
    enum Field: Int, CaseIterable {
        case time, client, user, url, host, method, status, action, sourcetype

        var names: [String] {
            switch self {
            case .time: ["datetime", "time", "TimeGenerated"]
            case .client: ["ClientIP", "cip", "src"]
            case .user: ["user", "login", "suser"]
            case .url: ["url", "eurl", "request"]
            case .host: ["hostname", "ehost", "dhost"]
            case .method: ["requestmethod", "reqmethod", "requestMethod"]
            case .status: ["status", "respcode", "outcome"]
            case .action: ["action", "act"]
            case .sourcetype: ["sourcetype"]
            }
        }

        var keys: [JSONKey] {
            if self == .sourcetype { return [.literal("sourcetype")] }
            return names.map { JSONKey(segments: ["event", $0]) } + names.map { JSONKey.literal($0) }
        }
    }

    @usableFromInline var scanner = JSONScanner(fields: Field.allCases.map(\.keys))
    @usableFromInline let decoded = DecodedLine()

    public init() {}

    @inlinable
    func value(_ field: Field) -> JSONValue { scanner[field.rawValue] }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        guard scanner.scan(line) else { return .malformed }
        if let sourcetype = value(.sourcetype).string, !line.bytes(in: sourcetype, equal: "zscalernss-web") {
            return .notAVisit
        }
        guard let time = value(.time).string, value(.url).kind != .missing || value(.host).kind != .missing else {
            return .malformed
        }
        guard let millis = Self.readTime(line, time) else { return .badTime }
        var text = line
        if let copy = scanner.decodeEscapedStrings(line, into: decoded) {
            text = copy
            event.text = copy
        }
        event.kind = .proxy
        event.timeMillis = millis
        event.client = present(value(.client).string, in: text) ?? 0..<0
        event.user = present(value(.user).string, in: text)
        event.method = present(value(.method).string, in: text)
        event.status = present(value(.status).scalar, in: text)
        event.action = present(value(.action).string, in: text)
        let url = present(value(.url).string, in: text)
        event.url = url
        if let host = present(value(.host).string, in: text) {
            event.host = host
        } else if let url, let host = Self.host(in: text, url: url) {
            event.host = host
        } else {
            return .noHost
        }
        return nil
    }

    /// `range` unless it says nothing: empty, `None`, `NA` or `-`.
    @inlinable
    func present(_ range: Range<Int>?, in text: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let range, !range.isEmpty else { return nil }
        if text.isDash(range) || text.bytes(in: range, equal: "None") || text.bytes(in: range, equal: "NA") {
            return nil
        }
        return range
    }

    /// The host of a URL as Zscaler logs it: `host/path`, `host:port`, or with a scheme.
    @inlinable
    static func host(in text: UnsafeRawBufferPointer, url: Range<Int>) -> Range<Int>? {
        if let authority = URLAuthority.authority(in: text, url: url) { return authority }
        // No scheme but a path: the part before the path, if it is a bare authority.
        let end = URLAuthority.firstPathByte(in: text, from: url.lowerBound, to: url.upperBound)
        guard url.lowerBound < end, end < url.upperBound else { return nil }
        return URLAuthority.authority(in: text, url: url.lowerBound..<end)
    }

    /// `Sun Nov 29 03:45:04 2026` (day zero-, space- or not padded), `2026-11-29 03:45:04` (a
    /// two-digit year is 20yy), or ISO 8601 with `T`; UTC.
    @inlinable
    static func readTime(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let end = range.upperBound
        var year = 0, month = 0, day = 0
        if i + 4 <= end, LogTime.month(b, at: i) == nil, b[i + 3] == 0x20, LogTime.month(b, at: i + 4) != nil {
            // "Sun Nov 29 03:45:04 2026"
            i += 4
            guard let m = LogTime.month(b, at: i), i + 4 <= end, b[i + 3] == 0x20 else { return nil }
            month = m
            i += 4
            if i < end, b[i] == 0x20 { i += 1 }
            let dayStart = i
            while i < end, i - dayStart < 2, let d = LogTime.digits(b, at: i, count: 1) {
                day = day * 10 + d
                i += 1
            }
            guard i > dayStart, i < end, b[i] == 0x20 else { return nil }
            i += 1
            guard let (hour, minute, second, next) = LineTime.clock(b, at: i, end: end), next + 5 == end,
                b[next] == 0x20, let y = LogTime.digits(b, at: next + 1, count: 4)
            else { return nil }
            year = y
            return utc(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: 0)
        }
        // "2026-11-29 03:45:04", "26-11-29 03:45:04", "2026-11-29T03:45:04Z"
        let yearDigits = i + 4 < end && b[i + 4] == 0x2D ? 4 : 2
        guard let y = LogTime.digits(b, at: i, count: yearDigits) else { return nil }
        year = yearDigits == 4 ? y : 2000 + y
        i += yearDigits
        guard i + 15 <= end, b[i] == 0x2D, let m = LogTime.digits(b, at: i + 1, count: 2), b[i + 3] == 0x2D,
            let d = LogTime.digits(b, at: i + 4, count: 2), b[i + 6] == 0x20 || b[i + 6] == 0x54,
            let (hour, minute, second, next) = LineTime.clock(b, at: i + 7, end: end)
        else { return nil }
        let (millis, after) = LineTime.fraction(b, at: next, end: end)
        guard after == end || (after + 1 == end && b[after] == 0x5A) else { return nil }
        return utc(year: year, month: m, day: d, hour: hour, minute: minute, second: second, millis: millis)
    }

    @inlinable
    static func utc(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else {
            return nil
        }
        return LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
    }
}
