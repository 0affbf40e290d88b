import LogParsing
import Watchlist

/// Writes hits as JSON objects, one per line, with exactly the fields of DESIGN.md.
///
/// Field order is fixed: `time host watched list tags risk kind client user method url status
/// action qtype rcode format source offset`. Fields the log does not have (`method`…`rcode`)
/// are left out; `user` and `risk` are `null` when unknown. Text taken from a log is escaped
/// byte by byte: control characters as `\u00XX`, and each byte of an invalid UTF-8 sequence as
/// U+FFFD, so every line is valid JSON whatever the log held.
public enum HitFormatter {
    /// The parts of a hit that come from the line and the match.
    public struct Hit {
        /// The bytes the event's ranges index (the line, or the parser's decoded copy).
        public var line: UnsafeRawBufferPointer
        public var event: LogEvent
        /// The canonical host.
        public var host: UnsafeRawBufferPointer
        /// Length of the watched name, the host's suffix.
        public var watchedLength: Int
        public var metadata: EntryMetadata
        public var offset: Int64
    }

    /// Appends one hit and its newline. `format` and `source` are pre-escaped JSON strings
    /// (quotes included), computed once per input.
    ///
    /// `idPrefix`, when given (`hostwatch run`), is the `"<file id>-` start of the hit's `id`
    /// field; the offset and closing quote are appended. The id names the line for good, so a
    /// hit written twice (after a crash) can be recognised.
    public static func write(
        _ hit: Hit, format: [UInt8], source: [UInt8], idPrefix: [UInt8]? = nil, to out: inout OutputBuffer
    ) {
        out.append("{\"time\":\"")
        appendTime(hit.event.timeMillis, to: &out)
        out.append("\",\"host\":")
        appendString(hit.host, to: &out)
        out.append(",\"watched\":")
        appendString(UnsafeRawBufferPointer(rebasing: hit.host[(hit.host.count - hit.watchedLength)...]), to: &out)
        out.append(",\"list\":")
        appendString(hit.metadata.list, to: &out)
        out.append(",\"tags\":[")
        for (i, tag) in hit.metadata.tags.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendString(tag, to: &out)
        }
        out.append("],\"risk\":")
        if let risk = hit.metadata.risk { out.append(String(risk)) } else { out.append("null") }
        out.append(",\"kind\":")
        out.append(hit.event.kind == .proxy ? "\"proxy\"" : "\"dns\"")
        out.append(",\"client\":")
        appendString(UnsafeRawBufferPointer(rebasing: hit.line[hit.event.client]), to: &out)
        out.append(",\"user\":")
        if let user = hit.event.user {
            appendString(UnsafeRawBufferPointer(rebasing: hit.line[user]), to: &out)
        } else {
            out.append("null")
        }
        appendOptional("method", hit.event.method, hit.line, &out)
        appendOptional("url", hit.event.url, hit.line, &out)
        appendOptional("status", hit.event.status, hit.line, &out)
        appendOptional("action", hit.event.action, hit.line, &out)
        appendOptional("qtype", hit.event.qtype, hit.line, &out)
        appendOptional("rcode", hit.event.rcode, hit.line, &out)
        out.append(",\"format\":")
        format.withUnsafeBytes { out.append($0) }
        out.append(",\"source\":")
        source.withUnsafeBytes { out.append($0) }
        out.append(",\"offset\":")
        out.append(String(hit.offset))
        if let idPrefix {
            out.append(",\"id\":")
            idPrefix.withUnsafeBytes { out.append($0) }
            out.append(String(hit.offset))
            out.append(UInt8(ascii: "\""))
        }
        out.append("}\n")
    }

    static func appendOptional(
        _ key: StaticString, _ range: Range<Int>?, _ line: UnsafeRawBufferPointer, _ out: inout OutputBuffer
    ) {
        guard let range else { return }
        out.append(",\"")
        out.append(key)
        out.append("\":")
        appendString(UnsafeRawBufferPointer(rebasing: line[range]), to: &out)
    }

    /// A JSON string literal for `text`, quotes included (for values computed once per input).
    public static func quoted(_ text: String) -> [UInt8] {
        var out = OutputBuffer(fd: -1, name: "")
        appendString(text, to: &out)
        return out.bytes
    }

    static func appendString(_ text: String, to out: inout OutputBuffer) {
        var copy = text
        copy.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Appends `bytes` as a JSON string literal.
    static func appendString(_ bytes: UnsafeRawBufferPointer, to out: inout OutputBuffer) {
        out.append(UInt8(ascii: "\""))
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b >= 0x20 && b < 0x80 {
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(b)
                i += 1
            } else if b < 0x20 {
                out.append("\\u00")
                out.append(hexDigit(b >> 4))
                out.append(hexDigit(b & 0xF))
                i += 1
            } else {
                let length = validUTF8SequenceLength(bytes, at: i)
                if length == 0 {
                    out.append(0xEF); out.append(0xBF); out.append(0xBD)  // U+FFFD
                    i += 1
                } else {
                    out.append(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + length)]))
                    i += length
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }

    /// Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629 table), or 0.
    static func validUTF8SequenceLength(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Int {
        let b0 = bytes[i]
        let n = bytes.count
        func cont(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            k < n && bytes[k] >= low && bytes[k] <= high
        }
        switch b0 {
        case 0xC2...0xDF: return cont(i + 1) ? 2 : 0
        case 0xE0: return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(i + 1) && cont(i + 2) ? 3 : 0
        case 0xED: return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0
        case 0xF0: return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF1...0xF3: return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0
        case 0xF4: return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0
        default: return 0
        }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-29T03:45:04.827Z`.
    static func appendTime(_ millis: Int64, to out: inout OutputBuffer) {
        out.append(rfc3339(millis))
    }

    /// RFC 3339 UTC with milliseconds for `millis` since the epoch.
    public static func rfc3339(_ millis: Int64) -> String {
        let (seconds, ms) = millis.quotientAndRemainder(dividingBy: 1000)
        var s = seconds, m = ms
        if m < 0 { m += 1000; s -= 1 }
        var days = s / 86_400
        var secondOfDay = s % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, mo, d) = LogTime.civil(fromDays: Int(days))
        func pad(_ v: some BinaryInteger, _ width: Int) -> String {
            let t = String(v)
            return t.count >= width ? t : String(repeating: "0", count: width - t.count) + t
        }
        return "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(m, 3))Z"
    }
}
