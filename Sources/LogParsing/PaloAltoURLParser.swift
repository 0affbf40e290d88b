/// Palo Alto Networks PAN-OS URL filtering logs: THREAT logs of subtype `url`, as the firewall
/// (or Panorama) forwards them to syslog in the default CSV payload:
///
/// ```
/// <14>Nov 29 03:45:04 fw01 1,2026/11/29 03:45:04,012801096514,THREAT,url,2561,2026/11/29 03:45:04,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:04,28191,1,52984,80,37679,80,0x403000,tcp,block-url,"login.evil-brand.com/signin?next=/",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,"Mozilla/5.0 (Windows NT 10.0; Win64; x64)",,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",…
/// ```
///
/// The payload's columns are those of PAN-OS 10.x/11.x "Threat Log Fields" (0-based here):
/// `0` FUTURE_USE, `1` Receive Time, `2` Serial Number, `3` Type, `4` Threat/Content Type,
/// `5` FUTURE_USE, `6` Generated Time, `7` Source Address, `8` Destination Address,
/// `9` NAT Source IP, `10` NAT Destination IP, `11` Rule Name, `12` Source User,
/// `13` Destination User, `14` Application, `15` Virtual System, `16` Source Zone,
/// `17` Destination Zone, `18` Inbound Interface, `19` Outbound Interface, `20` Log Action,
/// `21` FUTURE_USE, `22` Session ID, `23` Repeat Count, `24` Source Port, `25` Destination Port,
/// `26` NAT Source Port, `27` NAT Destination Port, `28` Flags, `29` Protocol, `30` Action,
/// `31` URL/Filename, `32` Threat ID, `33` Category, `34` Severity, `35` Direction, … ,
/// `46` User Agent, `48` X-Forwarded-For, `49` Referer, … , `59` Device Name, … , `63` HTTP Method,
/// and more after it (versions only ever append columns, so older, shorter lines read the same).
///
/// The syslog header is optional: BSD (`<pri>Mmm dd hh:mm:ss host `, also without `<pri>` as
/// rsyslog writes files), RFC 5424 (`<pri>1 2026-11-29T03:45:04+01:00 host - - - - `), or none.
/// It has no commas, so the CSV starts at the field that holds the line's first comma. PAN-OS
/// quotes the URL and any field with a comma; `""` inside quotes is unescaped.
///
/// Only `THREAT` lines of subtype `url` are visits; TRAFFIC, SYSTEM, CONFIG, other THREAT subtypes
/// (`virus`, `spyware`, `vulnerability`, `file`, `wildfire`…) and the other log types are
/// `.notAVisit`. A line whose Receive Time column is not a PAN-OS time is `.malformed`, and so is
/// a `url` line with fewer than 32 columns.
///
/// Filled: `time` from Generated Time (`yyyy/mm/dd hh:mm:ss`, the firewall's local time, read in
/// the context's zone), `client` from Source Address, `user` from Source User (`domain\user`; empty
/// is `nil`), `action` from Action (`alert`, `allow`, `block-url`, `continue`, `override`,
/// `block-continue`, `block-override`…), `url` from URL/Filename, `method` from HTTP Method when the
/// line has that column and it is not empty; `host` is the URL's authority (the URL has no scheme:
/// `host[:port]/path`, `[v6]:port/path`); no status. Kind `proxy`.
public struct PaloAltoURLParser: LogParser {
    public let id = "paloalto"
    @usableFromInline var time: LineTime
    @usableFromInline let fields = CSVFields(capacity: 72)
    @usableFromInline let decoded = DecodedLine()

    public init(context: ParserContext) {
        time = LineTime(context: context)
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        time.setReference(millis)
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        // The CSV payload starts after the last space before the first comma.
        var comma = 0
        while comma < line.count, line[comma] != UInt8(ascii: ",") { comma += 1 }
        guard comma < line.count else { return .malformed }
        var start = comma
        while start > 0, line[start - 1] != 0x20 { start -= 1 }
        let payload = UnsafeRawBufferPointer(rebasing: line[start...])
        fields.split(payload, separator: UInt8(ascii: ","))
        guard fields.count >= 7, let receive = fields.range(1), Self.clock(payload, receive) != nil,
            let type = fields.range(3), let subtype = fields.range(4)
        else { return .malformed }
        guard payload.bytes(in: type, equal: "THREAT"), payload.bytes(in: subtype, equal: "url") else {
            return .notAVisit
        }
        guard fields.count >= 32 else { return .malformed }

        // Ranges index the line (shifted by the header's length), or the unescaped copy.
        var bytes = payload
        var shift = start
        if let copy = fields.unescapeAll(payload, into: decoded) {
            bytes = UnsafeRawBufferPointer(copy)
            event.text = bytes
            shift = 0
        }
        guard let generated = fields.range(6), let client = fields.range(7), let user = fields.range(12),
            let action = fields.range(30), let url = fields.range(31)
        else { return .malformed }
        guard let t = Self.clock(bytes, generated) else { return .badTime }
        let read = time.local(
            year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second, millis: 0)
        guard case .millis(let millis) = read else { return .badTime }

        event.kind = .proxy
        event.timeMillis = millis
        event.client = client.shiftedIntoLine(by: shift)
        event.user = user.isEmpty ? nil : user.shiftedIntoLine(by: shift)
        event.action = action.isEmpty ? nil : action.shiftedIntoLine(by: shift)
        event.url = url.isEmpty ? nil : url.shiftedIntoLine(by: shift)
        if let method = fields.range(63), !method.isEmpty { event.method = method.shiftedIntoLine(by: shift) }
        guard let host = URLAuthority.authority(inSchemelessURL: url, of: bytes) else { return .noHost }
        event.host = host.shiftedIntoLine(by: shift)
        return nil
    }

    /// `yyyy/mm/dd hh:mm:ss`, exactly the field; `nil` for any other shape.
    @inlinable
    static func clock(
        _ b: UnsafeRawBufferPointer, _ r: Range<Int>
    ) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        let i = r.lowerBound
        guard r.count == 19, let year = LogTime.digits(b, at: i, count: 4), b[i + 4] == UInt8(ascii: "/"),
            let month = LogTime.digits(b, at: i + 5, count: 2), b[i + 7] == UInt8(ascii: "/"),
            let day = LogTime.digits(b, at: i + 8, count: 2), b[i + 10] == 0x20,
            let (hour, minute, second, _) = LineTime.clock(b, at: i + 11, end: r.upperBound)
        else { return nil }
        return (year, month, day, hour, minute, second)
    }
}

extension URLAuthority {
    /// The authority of a URL as firewalls and cloud proxies log it, usually without a scheme:
    /// `host[:port]/path?query` gives `host[:port]` (also `[v6]:port`, `user@host`); a URL that does
    /// start with `scheme://` goes through ``authority(in:url:)``. `nil` for an empty authority.
    @inlinable
    public static func authority(inSchemelessURL url: Range<Int>, of line: UnsafeRawBufferPointer) -> Range<Int>? {
        guard !url.isEmpty else { return nil }
        let stop = firstPathByte(in: line, from: url.lowerBound, to: url.upperBound)
        // "scheme://": the first path byte is the first slash of "://", after a scheme word.
        if stop > url.lowerBound + 1, stop + 1 < url.upperBound, line[stop - 1] == 0x3A, line[stop] == 0x2F,
            line[stop + 1] == 0x2F, isLetter(line[url.lowerBound]),
            (url.lowerBound..<(stop - 1)).allSatisfy({ isSchemeByte(line[$0]) })
        {
            return authority(in: line, url: url)
        }
        return url.lowerBound < stop ? url.lowerBound..<stop : nil
    }
}

extension Range where Bound == Int {
    /// The same range `offset` bytes further on (a field of a payload that starts `offset` bytes
    /// into the line).
    @inlinable
    func shiftedIntoLine(by offset: Int) -> Range<Int> {
        (lowerBound + offset)..<(upperBound + offset)
    }
}
