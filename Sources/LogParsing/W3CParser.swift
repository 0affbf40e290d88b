/// The W3C Extended Log File Format, driven by its `#Fields:` directive, as written by Blue Coat /
/// Symantec ProxySG, Microsoft IIS and Microsoft Forefront TMG / ISA Server:
///
/// ```
/// #Software: SGOS 6.7.5.3
/// #Version: 1.0
/// #Date: 2026-11-29 03:40:00
/// #Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id
/// 2026-11-29 03:45:04 112 10.0.0.5 alice corp\staff - OBSERVED "Phishing" -  200 TCP_NC_MISS GET text/html http login.evil-brand.com 80 /signin ?next=1 - "Mozilla/5.0 (Windows NT 10.0)" 10.0.0.1 5120 420 -
/// ```
///
/// Values are separated by runs of spaces (ProxySG quotes values that hold spaces and writes `-`
/// for unset ones); a data line that holds a tab is split on tabs instead (TMG writes its W3C
/// files tab-separated, with unquoted user agents). Directives (`#Software:`, `#Version:`,
/// `#Date:`, `#Remark:`, `#Start-Date:`…) are `.notAVisit`; a new `#Fields:` (after a restart or
/// a logging change) rebuilds the column map. Data lines before any `#Fields:`, and lines with
/// fewer values than it names (cut off), are `.malformed`.
///
/// Fields read (others are skipped):
/// - time: `date` + `time` (`2026-11-29 03:45:04`, optional fraction), UTC as the W3C draft and
///   all three products specify; else `x-timestamp-unix` (epoch seconds, ProxySG / WSS);
/// - host, by preference: `cs-host` / `cs(Host)`, the authority of `cs-uri`, then the SNI or
///   certificate name (`x-cs-sni`, `x-rs-certificate-hostname`), then the outbound host name
///   (`r-host` of TMG, `r-dns` of ProxySG); a name beats an IP address, so an IP-only
///   `cs-host`/`cs-uri` gives way to the SNI;
/// - `url`: `cs-uri`; `client`: `c-ip`; `user`: `cs-username`, else `cs-userdn` (`-` and TMG's
///   `anonymous` are no user); `method`: `cs-method` (TMG: `s-operation`); `status`: `sc-status`;
///   `action`: `s-action` (`TCP_DENIED`), else `sc-filter-result` (`DENIED`), else TMG's `action`.
///
/// IIS logs only `cs-uri-stem` (a path) and logs `cs-host` / `cs(Host)` only when enabled;
/// lines without any host source are `.noHost`.
public struct W3CParser: LogParser {
    public let id = "w3c"

    /// Where each field of interest is, as column indexes; -1 when the `#Fields:` lacks it.
    @usableFromInline
    struct Columns: Sendable {
        @usableFromInline var date = -1
        @usableFromInline var time = -1
        @usableFromInline var unixTime = -1
        @usableFromInline var client = -1
        @usableFromInline var user = -1
        @usableFromInline var userDN = -1
        @usableFromInline var method = -1
        @usableFromInline var uri = -1
        @usableFromInline var hostHeader = -1
        @usableFromInline var sni = -1
        @usableFromInline var remoteHost = -1
        @usableFromInline var status = -1
        @usableFromInline var action = -1
        @usableFromInline var filterResult = -1
        @usableFromInline var tmgAction = -1
        /// How many fields the directive names; shorter lines are cut off.
        @usableFromInline var width = 0

        init() {}

        /// Maps the names of a `#Fields:` directive; returns `nil` when none is known.
        init?(names: [String]) {
            var known = false
            width = names.count
            for (index, name) in names.enumerated() {
                let field: WritableKeyPath<Columns, Int>?
                switch name.lowercased() {
                case "date": field = \.date
                case "time": field = \.time
                case "x-timestamp-unix": field = \.unixTime
                case "c-ip": field = \.client
                case "cs-username": field = \.user
                case "cs-userdn": field = \.userDN
                case "cs-method", "s-operation": field = \.method
                case "cs-uri": field = \.uri
                case "cs-host", "cs(host)": field = \.hostHeader
                case "x-cs-sni", "x-rs-certificate-hostname": field = \.sni
                case "r-host", "r-dns": field = \.remoteHost
                case "sc-status": field = \.status
                case "s-action": field = \.action
                case "sc-filter-result": field = \.filterResult
                case "action": field = \.tmgAction
                default: field = nil
                }
                // The first occurrence wins (cs-host and cs(Host) both present: either is fine).
                if let field, self[keyPath: field] < 0 {
                    self[keyPath: field] = index
                    known = true
                }
            }
            if !known { return nil }
        }
    }

    @usableFromInline var columns: Columns?
    /// Whether the data lines under the current `#Fields:` are tab-separated (decided on the
    /// first data line).
    @usableFromInline var tabSeparated: Bool?
    @usableFromInline let fields = CSVFields(capacity: 256)

    public init(context: ParserContext) {}

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        if !line.isEmpty, line[0] == UInt8(ascii: "#") { return directive(line) }
        guard let columns else { return .malformed }
        if tabSeparated == nil { tabSeparated = line.firstIndex(of: 0x09) != nil }
        if tabSeparated == true {
            fields.split(line, separator: 0x09, quoting: false)
        } else {
            fields.splitWords(line)
        }
        if fields.count == 0 { return .notAVisit }  // a blank line
        if fields.count + fields.extra < columns.width { return .malformed }  // cut off

        // Time: date + time (UTC), or epoch seconds.
        if let date = value(columns.date, line), let time = value(columns.time, line) {
            guard let t = Self.readTime(line, date: date, time: time) else { return .badTime }
            event.timeMillis = t
        } else if let unix = value(columns.unixTime, line) {
            var cursor = FieldCursor(UnsafeRawBufferPointer(rebasing: line[0..<unix.upperBound]), from: unix.lowerBound)
            guard let seconds = cursor.readNumber(maxDigits: 12), cursor.position == unix.upperBound
                || line[cursor.position] == UInt8(ascii: ".")
            else { return .badTime }
            event.timeMillis = seconds &* 1000
        } else {
            return .badTime
        }

        event.kind = .proxy
        if let client = value(columns.client, line) { event.client = client }
        if let user = value(columns.user, line), !Self.isAnonymous(line, user) {
            event.user = user
        } else if let user = value(columns.userDN, line) {
            event.user = user
        }
        event.method = value(columns.method, line)
        event.status = value(columns.status, line)
        event.action = value(columns.action, line) ?? value(columns.filterResult, line) ?? value(columns.tmgAction, line)
        let uri = value(columns.uri, line)
        event.url = uri

        // Host: the first name among the sources, else the first address.
        var address: Range<Int>?
        for source in 0..<4 {
            let candidate: Range<Int>?
            switch source {
            case 0: candidate = value(columns.hostHeader, line)
            case 1: candidate = uri.flatMap { URLAuthority.authority(in: line, url: $0) }
            case 2: candidate = value(columns.sni, line)
            default: candidate = value(columns.remoteHost, line)
            }
            guard let candidate else { continue }
            if !URLAuthority.isIPLiteral(in: line, authority: candidate) {
                event.host = candidate
                return nil
            }
            if address == nil { address = candidate }
        }
        guard let address else { return .noHost }
        event.host = address
        return nil
    }

    /// The range of column `index` unless it is absent, empty or `-`.
    @inlinable
    func value(_ index: Int, _ line: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let range = fields.range(index), !range.isEmpty, !line.isDash(range) else { return nil }
        return range
    }

    /// A `#…:` directive line; `#Fields:` installs a new column map.
    @usableFromInline
    mutating func directive(_ line: UnsafeRawBufferPointer) -> SkipReason {
        var i = 1
        while i < line.count, Self.isDirectiveNameByte(line[i]) { i += 1 }
        guard i > 1, i < line.count, line[i] == UInt8(ascii: ":") else { return .malformed }
        if line.bytes(in: 0..<i, equal: "#Fields") {
            let text = String(decoding: line[(i + 1)...], as: UTF8.self)
            let names = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            columns = Columns(names: names) ?? Columns()
            tabSeparated = nil
        }
        return .notAVisit
    }

    @inlinable
    static func isDirectiveNameByte(_ b: UInt8) -> Bool {
        UInt8(ascii: "a") <= b | 0x20 && b | 0x20 <= UInt8(ascii: "z") || b == UInt8(ascii: "-")
    }

    /// TMG logs `anonymous` when the user was not authenticated.
    @inlinable
    static func isAnonymous(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count == 9 else { return false }
        let word: StaticString = "anonymous"
        let p = word.utf8Start
        for k in 0..<9 where line[range.lowerBound + k] | 0x20 != p[k] { return false }
        return true
    }

    /// `yyyy-mm-dd` and `hh:mm:ss[.fff]`, UTC.
    @inlinable
    static func readTime(_ b: UnsafeRawBufferPointer, date: Range<Int>, time: Range<Int>) -> Int64? {
        let d = date.lowerBound
        guard date.count == 10, let year = LogTime.digits(b, at: d, count: 4), b[d + 4] == 0x2D,
            let month = LogTime.digits(b, at: d + 5, count: 2), b[d + 7] == 0x2D,
            let day = LogTime.digits(b, at: d + 8, count: 2),
            let (hour, minute, second, next) = LineTime.clock(b, at: time.lowerBound, end: time.upperBound)
        else { return nil }
        let (millis, end) = LineTime.fraction(b, at: next, end: time.upperBound)
        guard end == time.upperBound, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second <= 60
        else { return nil }
        return LogTime.utcMillis(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: millis)
    }

    /// Certain when the first lines hold a `#Fields:` or `#Software:` directive (without one no
    /// data line can be read); 0 otherwise.
    public func sniff(_ firstLines: [UnsafeRawBufferPointer]) -> Double {
        for line in firstLines where line.count > 8 {
            if line.bytes(in: 0..<8, equal: "#Fields:") { return 1 }
            if line.count > 10, line.bytes(in: 0..<10, equal: "#Software:") { return 1 }
        }
        return 0
    }
}
