/// Any log written as one JSON object per line, with the fields named in the source's options:
///
/// ```toml
/// [[source]]
/// path = "/var/log/gateway/dns.json"
/// format = "json"
/// kind = "dns"
/// time_format = "epoch_millis"
/// fields = { time = "@ts", client = "src.ip", host = "dns.question.name", qtype = "dns.question.type", rcode = "dns.rcode" }
/// ```
/// ```
/// {"@ts":1795923904843,"src":{"ip":"10.0.0.5","port":53211},"dns":{"question":{"name":"login.evil-brand.com","type":"A"},"rcode":"NOERROR"}}
/// ```
///
/// `fields` maps hostwatch fields (`time`, `client`, `user`, `host`, `url`, `method`, `status`,
/// `action`, `qtype`, `rcode`) to key paths. A dotted path is read nested first, then with the
/// dots as part of the keys, most nested first: `src.ip` is `{"src":{"ip":…}}`, else
/// `{"src.ip":…}` (and `a.b.c` tries `a`→`b`→`c`, `a`→`b.c`, `a.b`→`c`, then `a.b.c`). A path through
/// an array looks into its first element. `time` and `host` or `url` are required; without `host`
/// the host is the URL's authority. Values may be strings or numbers (a number is used as
/// written); `null`, `""` and `"-"` are absent.
///
/// The time is read with ``TimeFormat`` (`time_format`, default `iso8601`); local times are in
/// the context's zone. The kind (`proxy` or `dns`) comes from the options. Lines that are not a
/// JSON object are `.malformed`, and so are objects without the time; objects with neither the
/// host nor the URL key are `.notAVisit` (a server's other messages, in the same file), those
/// whose host and URL are empty, `null` or without a host are `.noHost`. String values with JSON
/// escapes are decoded (into a ``DecodedLine``).
public struct JSONFieldsParser: LogParser {
    public let id = "json"

    /// The hostwatch fields, in slot order.
    public static let fieldNames = ["time", "client", "user", "host", "url", "method", "status", "action", "qtype", "rcode"]

    @usableFromInline var scanner: JSONScanner
    @usableFromInline let timeFormat: TimeFormat
    @usableFromInline var clock: LineTime
    @usableFromInline let kind: LogEvent.Kind
    @usableFromInline let decoded = DecodedLine()

    public init(options: FormatOptions, context: ParserContext) throws(FormatError) {
        for (field, path) in options.fields.sorted(by: { $0.key < $1.key }) {
            guard Self.fieldNames.contains(field) else {
                throw FormatError("json: unknown field '\(field)' (known: \(Self.fieldNames.joined(separator: ", ")))")
            }
            guard !path.isEmpty, !path.hasPrefix("."), !path.hasSuffix("."), !path.contains("..") else {
                throw FormatError("json: field '\(field)' has the key path '\(path)'; write keys joined by single dots (src.ip)")
            }
        }
        guard options.fields["time"] != nil else { throw FormatError("json: fields must say which key holds 'time'") }
        guard options.fields["host"] != nil || options.fields["url"] != nil else {
            throw FormatError("json: fields must say which key holds 'host' or 'url'")
        }
        do {
            timeFormat = try TimeFormat(options.timeFormat ?? "iso8601")
        } catch {
            throw FormatError("json: \(error.message)")
        }
        scanner = JSONScanner(fields: Self.fieldNames.map { name in
            options.fields[name].map(JSONKey.nestedThenLiteral) ?? []
        })
        clock = LineTime(context: context)
        kind = options.kind
    }

    public mutating func setReferenceTime(_ millis: Int64) {
        clock.setReference(millis)
    }

    /// Slots, in the order of ``fieldNames``.
    @usableFromInline
    enum Slot: Int {
        case time, client, user, host, url, method, status, action, qtype, rcode
    }

    /// The value of `slot` when it is a string or a number that says something.
    @inlinable
    func present(_ slot: Slot, in text: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let range = scanner[slot.rawValue].scalar, !range.isEmpty, !text.isDash(range) else { return nil }
        return range
    }

    @inlinable
    public mutating func parse(_ line: UnsafeRawBufferPointer, into event: inout LogEvent) -> SkipReason? {
        guard scanner.scan(line) else { return .malformed }
        guard let time = scanner[Slot.time.rawValue].scalar else { return .malformed }
        let millis: Int64
        switch timeFormat.read(line, time, clock: &clock) {
        case .millis(let t): millis = t
        case .invalid, .notATime: return .badTime
        }
        var text = line
        if let copy = scanner.decodeEscapedStrings(line, into: decoded) {
            text = copy
            event.text = copy
        }
        event.kind = kind
        event.timeMillis = millis
        event.client = present(.client, in: text) ?? 0..<0
        event.user = present(.user, in: text)
        event.url = present(.url, in: text)
        event.method = present(.method, in: text)
        event.status = present(.status, in: text)
        event.action = present(.action, in: text)
        event.qtype = present(.qtype, in: text)
        event.rcode = present(.rcode, in: text)
        if let host = present(.host, in: text) {
            event.host = host
        } else if let url = event.url, let authority = URLAuthority.authority(in: text, url: url) {
            event.host = authority
        } else if scanner[Slot.host.rawValue].kind == .missing, scanner[Slot.url.rawValue].kind == .missing {
            return .notAVisit
        } else {
            return .noHost
        }
        return nil
    }
}
