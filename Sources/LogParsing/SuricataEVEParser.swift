/// Suricata's EVE JSON log (`eve.json`), one event per line, events of type `dns`, `http` and
/// `tls`:
///
/// ```
/// {"timestamp":"2026-11-29T03:45:04.843012+0000","flow_id":1447372858311232,"in_iface":"eth0","event_type":"dns","src_ip":"10.0.0.5","src_port":43428,"dest_ip":"10.0.0.1","dest_port":53,"proto":"UDP","dns":{"type":"query","id":14288,"rrname":"login.evil-brand.com","rrtype":"A","tx_id":0,"opcode":0}}
/// {"timestamp":"2026-11-29T03:45:05.120456+0000","flow_id":1932447310293475,"event_type":"http","src_ip":"10.0.0.5","src_port":51234,"dest_ip":"203.0.113.7","dest_port":80,"proto":"TCP","tx_id":0,"http":{"hostname":"evil-brand.com","url":"\/login","http_user_agent":"Mozilla\/5.0","http_content_type":"text\/html","http_method":"GET","protocol":"HTTP\/1.1","status":200,"length":512}}
/// {"timestamp":"2026-11-29T03:45:06.000001+0000","flow_id":721093752934782,"event_type":"tls","src_ip":"10.0.0.5","src_port":51240,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","tls":{"subject":"CN=login.evil-brand.com","issuerdn":"CN=R3","sni":"login.evil-brand.com","version":"TLS 1.3"}}
/// ```
///
/// `timestamp` is ISO 8601 with an offset written without a colon (`+0000`). Only `event_type` is
/// read first, and the walk stops there: `flow`, `stats`, `alert`, `fileinfo`, `anomaly`, `drop`
/// and every other type are `.notAVisit` at that cost. Alerts carry the `http`/`tls`/`dns` object
/// of the transaction they fired on; that transaction has its own event, so alerts are
/// `.notAVisit` too (no visit counted twice).
///
/// - `http` (kind proxy): host `http.hostname` (Suricata logs a Host-header port separately as
///   `http_port`), else the authority of an absolute `http.url`; url `http.url`, method
///   `http.http_method`, status `http.status` (a number, or a string in old versions); client `src_ip`.
/// - `tls` (kind proxy): host `tls.sni`, client `src_ip`; without SNI `.noHost`.
/// - `dns` (kind dns), in the three EVE layouts:
///   - v1 (the original layout, still selectable with `version: 1` before Suricata 7):
///     `{"type":"query","rrname":…,"rrtype":…}` per query and
///     `{"type":"answer","rrname":…,"rrtype":…,"rdata":…}` per answer record;
///   - v2 (5–7): queries as in v1; one `{"version":2,"type":"answer","rcode":…,"rrname":…,"rrtype":…,
///     "answers":[…]}` per response;
///   - v3 (8): `{"version":3,"type":"request","queries":[{"rrname":…,"rrtype":…}]}` and
///     `{"version":3,"type":"response","rcode":…,"queries":[…],"answers":[…]}` (only the first
///     query of a message is read: one visit per message).
///
///   A query/request is the visit: host `rrname`, qtype `rrtype`. A v1/v2 answer's client is
///   `src_ip` (those versions log both directions with the client as source); a v3 response's
///   client is `dest_ip` (Suricata 8 logs responses from the responder). Answers and responses
///   carry `rcode` and are `.notAVisit` once this parser has seen a query (Suricata logs both by
///   default, and the query was counted); when a file has none (`requests: no`), they are the
///   visits.
///
/// Lines without an `event_type` are `.malformed`; string values with JSON escapes (Suricata's
/// `\/` in URLs) are decoded into a ``DecodedLine``.
public struct SuricataEVEParser: LogParser {
    public let id = "suricata"

    /// The fields of the full read, by slot in ``scanner``.
    @usableFromInline
    enum Field: Int, CaseIterable {
        case timestamp, srcIP, destIP
        case dnsType, dnsName, dnsType2, queryName, queryType, dnsRcode
        case hostname, url, method, status, sni

        var key: JSONKey {
            switch self {
            case .timestamp: .literal("timestamp")
            case .srcIP: .literal("src_ip")
            case .destIP: .literal("dest_ip")
            case .dnsType: .path("dns.type")
            case .dnsName: .path("dns.rrname")
            case .dnsType2: .path("dns.rrtype")
            case .queryName: .path("dns.queries.rrname")
            case .queryType: .path("dns.queries.rrtype")
            case .dnsRcode: .path("dns.rcode")
            case .hostname: .path("http.hostname")
            case .url: .path("http.url")
            case .method: .path("http.http_method")
            case .status: .path("http.status")
            case .sni: .path("tls.sni")
            }
        }
    }

    /// The event types read.
    @usableFromInline
    enum Event: UInt8 {
        case dns, http, tls
    }

    /// Reads `event_type` only.
    @usableFromInline var eventType = JSONScanner(fields: [[.literal("event_type")]])
    @usableFromInline var scanner = JSONScanner(fields: Field.allCases.map { [$0.key] })
    @usableFromInline var clock = LineTime(context: ParserContext(referenceTimeMillis: 0, timeZone: .utc))
    @usableFromInline let decoded = DecodedLine()
    /// Whether a DNS query event was seen, which makes answer events no new visits.
    @usableFromInline var seenQuery = false

    public init() {}

    @inlinable
    func value(_ field: Field) -> JSONValue { scanner[field.rawValue] }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        _ = eventType.scan(line, stopWhenAllFound: true)
        guard let type = eventType[0].string else { return .malformed }
        let kind: Event
        if line.bytes(in: type, equal: "dns") {
            kind = .dns
        } else if line.bytes(in: type, equal: "http") {
            kind = .http
        } else if line.bytes(in: type, equal: "tls") {
            kind = .tls
        } else {
            return .notAVisit
        }

        guard scanner.scan(line) else { return .malformed }
        guard let timestamp = value(.timestamp).string else { return .malformed }
        guard let millis = JSONTime.iso8601Millis(line, timestamp, clock: &clock) else { return .badTime }
        var text = line
        if let copy = scanner.decodeEscapedStrings(line, into: decoded) {
            text = copy
            event.text = copy
        }
        event.timeMillis = millis
        event.client = value(.srcIP).string ?? 0..<0

        switch kind {
        case .http:
            event.kind = .proxy
            event.url = value(.url).string
            event.method = value(.method).string
            event.status = value(.status).scalar
            if let hostname = value(.hostname).string, !hostname.isEmpty {
                event.host = hostname
            } else if let url = event.url, let authority = URLAuthority.authority(in: text, url: url) {
                event.host = authority
            } else {
                return .noHost
            }
            return nil
        case .tls:
            event.kind = .proxy
            guard let sni = value(.sni).string, !sni.isEmpty else { return .noHost }
            event.host = sni
            return nil
        case .dns:
            event.kind = .dns
            guard let dnsType = value(.dnsType).string else { return .malformed }
            event.qtype = value(.dnsType2).string ?? value(.queryType).string
            let name = value(.dnsName).string ?? value(.queryName).string
            let isQuery = text.bytes(in: dnsType, equal: "query") || text.bytes(in: dnsType, equal: "request")
            if isQuery {
                seenQuery = true
            } else if text.bytes(in: dnsType, equal: "answer") {
                event.rcode = value(.dnsRcode).string
            } else if text.bytes(in: dnsType, equal: "response") {
                event.rcode = value(.dnsRcode).string
                event.client = value(.destIP).string ?? 0..<0
            } else {
                return .notAVisit
            }
            if let name { event.host = name }
            if !isQuery, seenQuery { return .notAVisit }
            guard let name, !name.isEmpty else { return .noHost }
            return nil
        }
    }
}
