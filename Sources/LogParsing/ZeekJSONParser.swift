/// Zeek's JSON logs (`redef LogAscii::use_json = T;`): one object per line, the same fields as the
/// ASCII `dns.log`, `http.log` and `ssl.log` (see ``ZeekParser``), with unset fields left out:
///
/// ```
/// {"ts":1795923904.843012,"uid":"CsulWM1Px7fIyPpCVi","id.orig_h":"10.0.0.5","id.orig_p":43428,"id.resp_h":"10.0.0.1","id.resp_p":53,"proto":"udp","trans_id":14288,"rtt":0.006973,"query":"login.evil-brand.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["203.0.113.7"],"TTLs":[60.0],"rejected":false}
/// ```
///
/// Dotted names such as `id.orig_h` are literal keys (a nested `"id":{"orig_h":…}`, written by some
/// shippers, is read too). `ts` is epoch seconds with a fraction (the default), integer epoch
/// milliseconds (`JSON::TS_MILLIS`), or an ISO 8601 string (`JSON::TS_ISO8601`,
/// `"2026-11-29T03:45:04.843012Z"`).
///
/// Which log a line belongs to comes from `_path` when present (`"_path":"dns"`, written by
/// log shippers and Zeek's JSON streaming setups); otherwise from its keys: `query`, `qtype_name`,
/// `rcode_name` or `trans_id` → dns; `trans_depth` with `uri`, `method` or `host` and no `call_id` (which
/// `sip.log` has) → http; `server_name`, `cipher` or `ssl_history` → ssl. Fields and skip rules
/// are those of ``ZeekParser``: dns host `query`; http host `host`, else the authority of an
/// absolute `uri`; ssl host `server_name`.
///
/// Lines of other Zeek logs (a `ts` and a `uid`, `_path` or `id.orig_h`) are `.notAVisit`; JSON
/// without that shape, or not JSON, is `.malformed`. String values with JSON escapes are decoded
/// (into a ``DecodedLine``).
public struct ZeekJSONParser: LogParser {
    public let id = "zeek-json"

    /// The fields looked for, by slot in the scanner.
    @usableFromInline
    enum Field: Int, CaseIterable {
        case ts, uid, path, client, query, qtype, rcode, host, uri, method, status, user, serverName
        case transDepth, callID, cipher, sslHistory, transID

        var keys: [JSONKey] {
            switch self {
            case .ts: [.literal("ts")]
            case .uid: [.literal("uid")]
            case .path: [.literal("_path")]
            case .client: [.literal("id.orig_h"), .path("id.orig_h")]
            case .query: [.literal("query")]
            case .qtype: [.literal("qtype_name")]
            case .rcode: [.literal("rcode_name")]
            case .host: [.literal("host")]
            case .uri: [.literal("uri")]
            case .method: [.literal("method")]
            case .status: [.literal("status_code")]
            case .user: [.literal("username")]
            case .serverName: [.literal("server_name")]
            case .transDepth: [.literal("trans_depth")]
            case .callID: [.literal("call_id")]
            case .cipher: [.literal("cipher")]
            case .sslHistory: [.literal("ssl_history")]
            case .transID: [.literal("trans_id")]
            }
        }
    }

    /// Which Zeek log a line is from.
    @usableFromInline
    enum Log: UInt8 {
        case dns, http, ssl, other
    }

    @usableFromInline var scanner: JSONScanner
    @usableFromInline var clock: LineTime
    @usableFromInline let decoded = DecodedLine()

    public init() {
        scanner = JSONScanner(fields: Field.allCases.map(\.keys))
        clock = LineTime(context: ParserContext(referenceTimeMillis: 0, timeZone: .utc))
    }

    @inlinable
    func value(_ field: Field) -> JSONValue { scanner[field.rawValue] }

    @inlinable
    func has(_ field: Field) -> Bool { scanner[field.rawValue].kind != .missing }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        guard scanner.scan(line) else { return .malformed }
        let ts = value(.ts)
        guard ts.kind != .missing, has(.uid) || has(.path) || has(.client) else { return .malformed }

        let log: Log
        if let path = value(.path).string {
            log =
                line.bytes(in: path, equal: "dns") ? .dns
                : line.bytes(in: path, equal: "http") ? .http : line.bytes(in: path, equal: "ssl") ? .ssl : .other
        } else if has(.query) || has(.qtype) || has(.rcode) || has(.transID) {
            log = .dns
        } else if has(.transDepth), has(.uri) || has(.method) || has(.host), !has(.callID) {
            log = .http
        } else if has(.serverName) || has(.cipher) || has(.sslHistory) {
            log = .ssl
        } else {
            log = .other
        }
        guard log != .other else { return .notAVisit }

        let millis: Int64?
        switch ts.kind {
        case .number: millis = JSONTime.epochMillis(line, ts.range)
        case .string: millis = JSONTime.iso8601Millis(line, ts.range, clock: &clock)
        default: millis = nil
        }
        guard let millis else { return .badTime }

        var text = line
        if let copy = scanner.decodeEscapedStrings(line, into: decoded) {
            text = copy
            event.text = copy
        }
        event.timeMillis = millis
        event.client = value(.client).string ?? 0..<0
        switch log {
        case .dns:
            event.kind = .dns
            event.qtype = value(.qtype).string
            event.rcode = value(.rcode).string
            guard let query = value(.query).string, !query.isEmpty else { return .noHost }
            event.host = query
        case .http:
            event.kind = .proxy
            event.method = value(.method).string
            event.url = value(.uri).string
            event.status = value(.status).scalar
            event.user = value(.user).string
            if let host = value(.host).string, !host.isEmpty {
                event.host = host
            } else if let uri = event.url, let authority = URLAuthority.authority(in: text, url: uri) {
                event.host = authority
            } else {
                return .noHost
            }
        default:
            event.kind = .proxy
            guard let serverName = value(.serverName).string, !serverName.isEmpty else { return .noHost }
            event.host = serverName
        }
        return nil
    }
}
