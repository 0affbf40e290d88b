/// Cisco Umbrella secure web gateway (SWG, formerly the intelligent proxy) logs as exported to S3
/// (`proxylogs/…csv.gz`): CSV, every field quoted, one request a line, times in UTC:
///
/// ```
/// <timestamp><policy identity label><internal client ip><external client ip><destination ip><content type><action><url><referer><user agent><status code><request size><response size><response body size><sha256><categories><av detections><PUAs><AMP disposition><AMP malware name><AMP score><policy identity type><blocked categories><identities><identity types><request method><DLP status><certificate errors><file name><ruleset ID><rule ID><destination list IDs><isolate action><file action><warn status><forwarding method><producer><MSP organization ID><blocked destination countries><application IDs><hostname><data center><egress><server name>…
/// "2026-11-29 03:45:04","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.20","text/html","BLOCKED","https://login.evil-brand.com/signin?next=%2F","","Mozilla/5.0 (Windows NT 10.0; Win64; x64)","403","812","1024","","","Phishing","","","","","","AD Users","Phishing","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","signin","","","","","","","","SWA"
/// ```
///
/// The column order is the one of Umbrella's "Web Log Formats" page (49 columns in its newest
/// example, ending with the organization ID); newer log versions only append columns, which are read
/// when present (request method, server name) and otherwise ignored. Older exports put a space after some commas (`"1.1.1.91", "3.4.5.6"`); that
/// is tolerated.
///
/// Filled: `time` (`yyyy-mm-dd hh:mm:ss`, UTC), `client` (internal client IP, or the external IP
/// when Umbrella saw no internal one, as for network identities), `action` (`ALLOWED`, `BLOCKED`,
/// `WARNED`… as logged), `url`, `status`, `method` (request method, when the line has it), `user`
/// (the policy identity label when the policy identity type names users, `AD Users`,
/// `Directory Users`…; computers, networks and sites are no users) and `host`: the URL's authority;
/// when that is an IP address, the server name column (the TLS SNI, the 44th column) instead,
/// if the line has one. The hostname column before it names Umbrella's proxy, not the destination.
/// Kind `proxy`.
///
/// Lines with fewer than eleven columns, or whose status column is neither empty nor a number (an
/// Umbrella DNS log line, for example), are `.malformed`; the optional header line ("Include
/// Optional Log Headers": its first column is a name, `timestamp`, not a time) is `.notAVisit`; a request whose
/// URL has no host is `.noHost`.
public struct UmbrellaProxyParser: LogParser {
    public let id = "umbrella-proxy"
    @usableFromInline let fields = CSVFields(capacity: 64)
    @usableFromInline let decoded = DecodedLine()

    public init() {}

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        fields.split(line, separator: UInt8(ascii: ","))
        guard fields.count >= 11 else { return .malformed }
        let bytes = fields.text(of: line, decodingInto: decoded, for: &event)
        guard let stamp = fields.range(0), let internalIP = fields.range(2), let externalIP = fields.range(3),
            let action = fields.range(6), let url = fields.range(7), let status = fields.range(10)
        else { return .malformed }
        guard let millis = UmbrellaParser.readTime(bytes, stamp) else {
            // The optional header line names the columns.
            return Self.isColumnName(bytes, stamp) ? .notAVisit : .badTime
        }
        guard status.isEmpty || bytes.isDigits(status) else { return .malformed }
        event.kind = .proxy
        event.timeMillis = millis
        event.client = internalIP.isEmpty ? externalIP : internalIP
        event.action = action.isEmpty ? nil : action
        event.status = status.isEmpty ? nil : status
        event.url = url.isEmpty ? nil : url
        if let method = fields.range(25), !method.isEmpty { event.method = method }
        if let type = fields.range(21), UmbrellaParser.namesUser(bytes, type), let identity = fields.range(1),
            !identity.isEmpty
        {
            event.user = identity
        }
        guard var host = URLAuthority.authority(in: bytes, url: url) else { return .noHost }
        if URLAuthority.isIPLiteral(in: bytes, authority: host), let serverName = fields.range(43),
            !serverName.isEmpty
        {
            host = serverName
        }
        event.host = host
        return nil
    }

    /// Whether a field is a column name of the header line (`timestamp`, `Timestamp`): letters, `_`,
    /// `-` and spaces only, starting with a letter. Other formats' times (`Sun Nov 29 03:45:04 2026`)
    /// are no names.
    @inlinable
    static func isColumnName(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty, URLAuthority.isLetter(b[r.lowerBound]) else { return false }
        return r.allSatisfy { URLAuthority.isLetter(b[$0]) || b[$0] == 0x5F || b[$0] == 0x2D || b[$0] == 0x20 }
    }
}
