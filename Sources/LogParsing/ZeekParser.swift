/// Zeek's (formerly Bro's) ASCII logs `dns.log`, `http.log` and `ssl.log`, tab-separated with
/// header lines that name the columns:
///
/// ```
/// #separator \x09
/// #set_separator	,
/// #empty_field	(empty)
/// #unset_field	-
/// #path	dns
/// #open	2026-11-29-03-45-04
/// #fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	trans_id	rtt	query	qclass	qclass_name	qtype	qtype_name	rcode	rcode_name	AA	TC	RD	RA	Z	answers	TTLs	rejected
/// #types	time	string	addr	port	addr	port	enum	count	interval	string	count	string	count	string	count	string	bool	bool	bool	bool	count	vector[string]	vector[interval]	bool
/// 1795923904.843012	CsulWM1Px7fIyPpCVi	10.0.0.5	43428	10.0.0.1	53	udp	14288	0.006973	login.evil-brand.com	1	C_INTERNET	1	A	0	NOERROR	F	F	T	T	0	203.0.113.7	60.000000	F
/// #close	2026-11-29-04-00-00
/// ```
///
/// The columns come from `#fields` (a new header block, after rotation or when logs are
/// concatenated, rebuilds them); `#separator` (written with `\xNN` escapes, a single byte),
/// `#unset_field` (`-`) and `#empty_field` (`(empty)`) are honoured, and both markers read as
/// "absent". `ts` is epoch seconds with a fraction, UTC. Zeek writes non-printable bytes and the
/// separator inside a value as `\xNN`; such values are decoded (into a ``DecodedLine``).
///
/// Which log a block is comes from `#path` (`dns`, `http`, `ssl`), else from its fields
/// (`query`+`qtype_name` for DNS, `method`+`host`+`uri` for HTTP, `server_name`+`cipher` for SSL):
/// - dns: host `query`, client `id.orig_h`, `qtype_name`, `rcode_name`; kind dns.
/// - http: host the `host` column (the Host header), else the authority of an absolute `uri`
///   (proxy requests, `CONNECT host:port`); client `id.orig_h`, `method`, url `uri`, status
///   `status_code`, user `username`; kind proxy.
/// - ssl: host `server_name` (SNI; lines without one are `.noHost`), client `id.orig_h`; kind proxy.
///
/// Header lines are `.notAVisit`; lines of other logs (`conn`, `files`, …) too. A data line before
/// any `#fields`, a `#` line that is no Zeek header, or a line with too few columns is `.malformed`.
public struct ZeekParser: LogParser {
    public let id = "zeek"

    /// What a header block describes.
    @usableFromInline
    enum Log: UInt8, Sendable {
        case unknown, dns, http, ssl, other
    }

    /// What a column holds, for the columns this parser reads.
    @usableFromInline
    enum Role: UInt8, Sendable {
        case none, ts, client, query, qtype, rcode, host, uri, method, status, user, serverName
    }

    @usableFromInline var separator: UInt8 = 0x09
    /// `false` after a `#separator` this parser cannot use (more than one byte).
    @usableFromInline var separatorUsable = true
    @usableFromInline var unsetField: [UInt8] = [UInt8(ascii: "-")]
    @usableFromInline var emptyField: [UInt8] = Array("(empty)".utf8)
    /// The log named by `#path`, `.unknown` without one.
    @usableFromInline var pathLog: Log = .unknown
    /// The log of the current `#fields`, `.unknown` before any.
    @usableFromInline var log: Log = .unknown
    /// The role of each column, up to the last column with a role.
    @usableFromInline var roles: [Role] = []
    @usableFromInline let decoded = DecodedLine()

    public init() {}

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        guard !line.isEmpty else { return .malformed }
        if line[0] == UInt8(ascii: "#") { return readHeader(line) }
        switch log {
        case .unknown: return .malformed
        case .other: return .notAVisit
        case .dns, .http, .ssl: break
        }
        guard separatorUsable else { return .malformed }

        // Split the columns this parser reads.
        var ts: Range<Int>?, client: Range<Int>?, query: Range<Int>?, qtype: Range<Int>?, rcode: Range<Int>?
        var host: Range<Int>?, uri: Range<Int>?, method: Range<Int>?, status: Range<Int>?, user: Range<Int>?
        var serverName: Range<Int>?
        var start = 0
        var column = 0
        let count = line.count
        while column < roles.count {
            guard start <= count else { return .malformed }
            var end = start
            while end < count, line[end] != separator { end += 1 }
            let field = start..<end
            switch roles[column] {
            case .none: break
            case .ts: ts = field
            case .client: client = field
            case .query: query = field
            case .qtype: qtype = field
            case .rcode: rcode = field
            case .host: host = field
            case .uri: uri = field
            case .method: method = field
            case .status: status = field
            case .user: user = field
            case .serverName: serverName = field
            }
            column += 1
            start = end + 1
        }
        guard let ts, client != nil else { return .malformed }
        guard let millis = JSONTime.epochMillis(line, ts) else { return .badTime }

        // Unset and empty values are absent.
        client = present(client, in: line)
        query = present(query, in: line)
        qtype = present(qtype, in: line)
        rcode = present(rcode, in: line)
        host = present(host, in: line)
        uri = present(uri, in: line)
        method = present(method, in: line)
        status = present(status, in: line)
        user = present(user, in: line)
        serverName = present(serverName, in: line)

        // Decode `\xNN` escapes in the values returned, in a copy of the line.
        var text = line
        if hasBackslash(line, client) || hasBackslash(line, query) || hasBackslash(line, qtype)
            || hasBackslash(line, rcode) || hasBackslash(line, host) || hasBackslash(line, uri)
            || hasBackslash(line, method) || hasBackslash(line, status) || hasBackslash(line, user)
            || hasBackslash(line, serverName)
        {
            let copy = decoded.copy(line)
            client = client.map { Self.decodeHexEscapes(copy, $0) }
            query = query.map { Self.decodeHexEscapes(copy, $0) }
            qtype = qtype.map { Self.decodeHexEscapes(copy, $0) }
            rcode = rcode.map { Self.decodeHexEscapes(copy, $0) }
            host = host.map { Self.decodeHexEscapes(copy, $0) }
            uri = uri.map { Self.decodeHexEscapes(copy, $0) }
            method = method.map { Self.decodeHexEscapes(copy, $0) }
            status = status.map { Self.decodeHexEscapes(copy, $0) }
            user = user.map { Self.decodeHexEscapes(copy, $0) }
            serverName = serverName.map { Self.decodeHexEscapes(copy, $0) }
            text = UnsafeRawBufferPointer(copy)
            event.text = text
        }

        event.timeMillis = millis
        event.client = client ?? 0..<0
        switch log {
        case .dns:
            event.kind = .dns
            event.qtype = qtype
            event.rcode = rcode
            guard let query else { return .noHost }
            event.host = query
        case .http:
            event.kind = .proxy
            event.method = method
            event.url = uri
            event.status = status
            event.user = user
            if let host {
                event.host = host
            } else if let uri, let authority = URLAuthority.authority(in: text, url: uri) {
                event.host = authority
            } else {
                return .noHost
            }
        default:
            event.kind = .proxy
            guard let serverName else { return .noHost }
            event.host = serverName
        }
        return nil
    }

    /// `field` unless it is empty or the unset or the empty marker.
    @inlinable
    func present(_ field: Range<Int>?, in line: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let field, !field.isEmpty else { return nil }
        if Self.equal(line, field, unsetField) || Self.equal(line, field, emptyField) { return nil }
        return field
    }

    @inlinable
    static func equal(_ line: UnsafeRawBufferPointer, _ field: Range<Int>, _ marker: [UInt8]) -> Bool {
        guard field.count == marker.count else { return false }
        var k = 0
        for i in field {
            if line[i] != marker[k] { return false }
            k += 1
        }
        return true
    }

    @inlinable
    func hasBackslash(_ line: UnsafeRawBufferPointer, _ field: Range<Int>?) -> Bool {
        guard let field else { return false }
        for i in field where line[i] == UInt8(ascii: "\\") { return true }
        return false
    }

    /// Decodes Zeek's `\xNN` escapes of `field` in place; other backslashes stay as they are.
    @inlinable
    static func decodeHexEscapes(_ bytes: UnsafeMutableRawBufferPointer, _ field: Range<Int>) -> Range<Int> {
        var read = field.lowerBound
        var write = field.lowerBound
        while read < field.upperBound {
            if bytes[read] == UInt8(ascii: "\\"), read + 3 < field.upperBound, bytes[read + 1] == UInt8(ascii: "x"),
                let high = JSONScanner.hexValue(bytes[read + 2]), let low = JSONScanner.hexValue(bytes[read + 3])
            {
                bytes[write] = UInt8(high << 4 | low)
                read += 4
            } else {
                bytes[write] = bytes[read]
                read += 1
            }
            write += 1
        }
        return field.lowerBound..<write
    }

    /// Reads a `#` header line (rare: may allocate) and updates the column roles.
    @usableFromInline
    mutating func readHeader(_ line: UnsafeRawBufferPointer) -> SkipReason {
        if line.starts(with: "#separator ".utf8) {
            // A new header block starts: forget the previous one.
            let value = Self.unescape(Array(line[11...]))
            separatorUsable = value.count == 1
            separator = value.first ?? 0x09
            unsetField = [UInt8(ascii: "-")]
            emptyField = Array("(empty)".utf8)
            pathLog = .unknown
            log = .unknown
            roles = []
            return .notAVisit
        }
        let parts = line.split(separator: separator, omittingEmptySubsequences: false).map {
            Self.unescape(Array($0))
        }
        let values = parts.dropFirst()
        switch String(decoding: parts[0], as: UTF8.self) {
        case "#set_separator", "#open", "#close", "#types":
            break
        case "#unset_field":
            if let value = values.first { unsetField = value }
        case "#empty_field":
            if let value = values.first { emptyField = value }
        case "#path":
            switch values.first.map({ String(decoding: $0, as: UTF8.self) }) {
            case "dns": pathLog = .dns
            case "http": pathLog = .http
            case "ssl": pathLog = .ssl
            default: pathLog = .other
            }
        case "#fields":
            let names = values.map { String(decoding: $0, as: UTF8.self) }
            readFields(names)
        default:
            return .malformed
        }
        return .notAVisit
    }

    /// Sets the column roles and the log kind from the `#fields` names.
    @usableFromInline
    mutating func readFields(_ names: [String]) {
        let has = Set(names)
        switch pathLog {
        case .dns, .http, .ssl, .other:
            log = pathLog
        case .unknown:
            if has.isSuperset(of: ["query", "qtype_name"]) {
                log = .dns
            } else if has.isSuperset(of: ["method", "host", "uri"]) {
                log = .http
            } else if has.isSuperset(of: ["server_name", "cipher"]) {
                log = .ssl
            } else {
                log = .other
            }
        }
        var roles: [Role] = names.map { name in
            switch (log, name) {
            case (_, "ts"): .ts
            case (_, "id.orig_h"): .client
            case (.dns, "query"): .query
            case (.dns, "qtype_name"): .qtype
            case (.dns, "rcode_name"): .rcode
            case (.http, "host"): .host
            case (.http, "uri"): .uri
            case (.http, "method"): .method
            case (.http, "status_code"): .status
            case (.http, "username"): .user
            case (.ssl, "server_name"): .serverName
            default: .none
            }
        }
        while let last = roles.last, last == .none { roles.removeLast() }
        if !roles.contains(.ts) || !roles.contains(.client) {
            // Without a time or a client no line of this block can be read.
            if log != .other { log = .unknown }
        }
        self.roles = roles
    }

    /// Decodes the `\xNN` escapes of a header value.
    @usableFromInline
    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"),
                let high = JSONScanner.hexValue(bytes[i + 2]), let low = JSONScanner.hexValue(bytes[i + 3])
            {
                out.append(UInt8(high << 4 | low))
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
