/// Zscaler Internet Access (ZIA) web logs from an NSS feed, in the CSV shape of the sample web log
/// on Zscaler's "NSS Feed Output Format: Web Logs" page: the Splunk web feed's field order (the
/// order of the Zscaler Splunk App's `zscalernss-web` events), every field quoted, comma-separated:
///
/// ```
/// "%s{time}","%s{login}","%s{proto}","%s{eurl}","%s{action}","%s{appname}","%s{appclass}","%d{reqsize}","%d{respsize}","%d{stime}","%d{ctime}","%s{urlclass}","%s{urlsupercat}","%s{urlcat}","%s{malwarecat}","%s{threatname}","%d{riskscore}","%s{dlpeng}","%s{dlpdict}","%s{location}","%s{dept}","%s{cip}","%s{sip}","%s{reqmethod}","%s{respcode}","%s{ua}","%s{ereferer}","%s{ruletype}","%s{rulelabel}","%s{contenttype}","%s{unscannabletype}","%s{deviceowner}","%s{devicehostname}","%s{keyprotectiontype}"
/// "Mon Nov 29 03:45:04 2026","jane@corp.example","HTTPS","login.evil-brand.com/signin?next=%2F","Blocked","General Browsing","General Browsing","812","65","0","0","Security","Security","Phishing","None","None","0","None","None","HQ","Sales","10.0.0.5","0.0.0.0","GET","403","Mozilla/5.0 (Windows NT 10.0; Win64; x64)","None","URL Filtering","Block Phishing","Other","None","jdoe","PC-0042","N/A"
/// ```
///
/// Three shapes are read, told apart by the column count and the column after `%s{sip}`:
/// - 33 columns: the Splunk feed order above without `%s{keyprotectiontype}`;
/// - 34 columns: as above (the documented sample);
/// - 34 or 35 columns with `%s{cintip}` between `%s{cip}` and `%s{sip}` (the Splunk feed's second
///   version, which also writes `%s{eua}` for `%s{ua}`), recognized by a request method (letters)
///   one column later than usual.
/// More columns after these are ignored. Zscaler writes no header line.
///
/// `%s{time}` is `Www Mmm dd hh:mm:ss yyyy` in the zone configured on the feed (GMT unless changed),
/// so it is read in the context's zone: set the source's time zone to the feed's. URLs (`%s{eurl}`)
/// have no scheme (`login.evil-brand.com/path`, `login.evil-brand.com:443` for CONNECT) and Zscaler
/// hex-encodes bytes ≤ 0x20 or ≥ 0x7F in them as `%HH` (left for the pipeline); `""` inside quotes
/// is unescaped. An optional syslog header before the first quoted field (as a syslog server writes
/// the feed to a file: `Nov 29 03:45:05 nss01 "Mon Nov 29…`) is skipped.
///
/// Filled: `time`, `host` (the URL's authority), `client` (`%s{cip}`), `user` (`%s{login}`; `nil`
/// when `None`, empty, or equal to `%s{location}`, which Zscaler logs as the login of
/// unauthenticated traffic), `method` (`%s{reqmethod}`), `url`, `status` (`%s{respcode}`),
/// `action` (`Allowed`, `Blocked`; `None`/`NA`/`N/A` values are `nil`). Kind `proxy`.
/// Lines of any other shape (fewer than 33 columns, a first column that is no such time) are
/// `.malformed`.
public struct ZscalerCSVParser: LogParser {
    public let id = "zscaler"
    @usableFromInline var time: LineTime
    @usableFromInline let fields = CSVFields(capacity: 48)
    @usableFromInline let decoded = DecodedLine()

    public init(context: ParserContext) {
        time = LineTime(context: context)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        time.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        let start = Self.csvStart(line)
        let payload = UnsafeRawBufferPointer(rebasing: line[start...])
        fields.split(payload, separator: UInt8(ascii: ","))
        guard fields.count >= 33 else { return .malformed }
        var bytes = payload
        var shift = start
        if let copy = fields.unescapeAll(payload, into: decoded) {
            bytes = UnsafeRawBufferPointer(copy)
            event.text = bytes
            shift = 0
        }
        // %s{cintip} before %s{sip} moves the columns after it one on.
        var extra = 0
        if fields.count >= 34, let a = fields.range(23), let b = fields.range(24), !Self.isWord(bytes, a),
            Self.isWord(bytes, b)
        {
            extra = 1
        }
        guard let stamp = fields.range(0), let login = fields.range(1), let url = fields.range(3),
            let action = fields.range(4), let location = fields.range(19), let client = fields.range(21),
            let method = fields.range(23 + extra), let status = fields.range(24 + extra)
        else { return .malformed }
        switch readTime(bytes, stamp) {
        case .notATime: return .malformed
        case .invalid: return .badTime
        case .millis(let millis): event.timeMillis = millis
        }
        event.kind = .proxy
        event.client = client.shiftedIntoLine(by: shift)
        if !Self.isNone(bytes, login), !Self.same(bytes, login, location) {
            event.user = login.shiftedIntoLine(by: shift)
        }
        event.action = Self.isNone(bytes, action) ? nil : action.shiftedIntoLine(by: shift)
        event.method = Self.isNone(bytes, method) ? nil : method.shiftedIntoLine(by: shift)
        event.status = Self.isNone(bytes, status) ? nil : status.shiftedIntoLine(by: shift)
        event.url = url.isEmpty ? nil : url.shiftedIntoLine(by: shift)
        guard !Self.isNone(bytes, url), let host = URLAuthority.authority(inSchemelessURL: url, of: bytes) else {
            return .noHost
        }
        event.host = host.shiftedIntoLine(by: shift)
        return nil
    }

    /// Where the CSV starts: at a leading quote, else after the first space that precedes a quote
    /// (a syslog header), else at the start (an unquoted feed).
    @inlinable
    static func csvStart(_ line: UnsafeRawBufferPointer) -> Int {
        guard let first = line.first, first != UInt8(ascii: "\"") else { return 0 }
        var i = 1
        while i < line.count {
            if line[i] == UInt8(ascii: "\"") { return line[i - 1] == 0x20 ? i : 0 }
            i += 1
        }
        return 0
    }

    /// `Www Mmm dd hh:mm:ss yyyy` (`%s{time}`; the day also space-padded or with one digit), local to
    /// the feed's zone.
    @inlinable
    mutating func readTime(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> LineTime.Read {
        var i = r.lowerBound
        let end = r.upperBound
        guard end - i >= 20, URLAuthority.isLetter(b[i]), URLAuthority.isLetter(b[i + 1]),
            URLAuthority.isLetter(b[i + 2]), b[i + 3] == 0x20, let month = LogTime.month(b, at: i + 4),
            b[i + 7] == 0x20
        else { return .notATime }
        i += 8
        if b[i] == 0x20 { i += 1 }
        var day = 0
        let dayStart = i
        while i < end, i - dayStart < 2, let d = LogTime.digits(b, at: i, count: 1) {
            day = day * 10 + d
            i += 1
        }
        guard i > dayStart, i < end, b[i] == 0x20,
            let (hour, minute, second, afterClock) = LineTime.clock(b, at: i + 1, end: end),
            afterClock + 5 == end, b[afterClock] == 0x20, let year = LogTime.digits(b, at: afterClock + 1, count: 4)
        else { return .notATime }
        return time.local(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millis: 0)
    }

    /// Whether a field is a non-empty run of ASCII letters (a request method such as `GET`, `None`).
    @inlinable
    static func isWord(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        !r.isEmpty && r.allSatisfy { URLAuthority.isLetter(b[$0]) }
    }

    /// Whether a field says "no value": empty, `None`, `NA`, `N/A` or `-`.
    @inlinable
    static func isNone(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        r.isEmpty || b.isDash(r) || b.bytes(in: r, equal: "None") || b.bytes(in: r, equal: "NA")
            || b.bytes(in: r, equal: "N/A")
    }

    /// Whether two fields hold the same bytes.
    @inlinable
    static func same(_ b: UnsafeRawBufferPointer, _ x: Range<Int>, _ y: Range<Int>) -> Bool {
        guard x.count == y.count else { return false }
        for k in 0..<x.count where b[x.lowerBound + k] != b[y.lowerBound + k] { return false }
        return true
    }
}
