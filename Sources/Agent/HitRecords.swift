#if canImport(Glibc)
import Glibc
#endif
import LogParsing
import VisitIndex

/// Hits as the index's `hit` table keeps them (for `GET /v1/hits`), taken from the JSON lines
/// the sinks were given.
///
/// The lines are our own (``HitFormatter`` and ``RetroHunt`` write them, fields in a fixed
/// order), so the few fields the table needs are found by a scan of the bytes: a hit costs about
/// a microsecond here, not the tens a JSON decoder takes, which matters when every line is a hit.
enum HitRecords {
    /// One ``StoredHit`` per hit line of `output` (JSON objects, each ending in a newline).
    /// A line that does not read back (never expected: we wrote it) is left out and counted.
    static func stored(fromLines output: [UInt8]) -> (hits: [StoredHit], unreadable: Int) {
        var hits: [StoredHit] = []
        var unreadable = 0
        output.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                if let hit = stored(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) { hits.append(hit) } else { unreadable += 1 }
                start = end + 1
            }
        }
        return (hits, unreadable)
    }

    /// The hit on one line: `time` (always first), `list`, `id` (hits of `hostwatch scan` have
    /// none: the line itself names them) and `retro`.
    static func stored(_ line: UnsafeRawBufferPointer) -> StoredHit? {
        let prefix = Array(#"{"time":""#.utf8)
        guard line.count >= prefix.count + 24, line.starts(with: prefix),
            let millis = millis(rfc3339: UnsafeRawBufferPointer(rebasing: line[prefix.count..<(prefix.count + 24)])),
            let list = stringValue(#","list":"#, in: line)
        else { return nil }
        let json = String(decoding: line, as: UTF8.self)
        let id = stringValue(#","id":"#, in: line, last: true) ?? json
        let retro = find(Array(#","retro":true"#.utf8), in: line) != nil
        return StoredHit(id: id, timeMillis: millis, list: list, retro: retro, json: json)
    }

    /// The JSON string after `key` (which ends in `:`), unescaped; `last`: the last such key
    /// (the `id` field closes the object).
    static func stringValue(_ key: String, in line: UnsafeRawBufferPointer, last: Bool = false) -> String? {
        guard var at = find(Array(key.utf8), in: line, last: last), at < line.count, line[at] == UInt8(ascii: "\"") else {
            return nil
        }
        at += 1
        var value: [UInt8] = []
        while at < line.count {
            let byte = line[at]
            if byte == UInt8(ascii: "\"") { return String(decoding: value, as: UTF8.self) }
            if byte == UInt8(ascii: "\\") {
                at += 1
                guard at < line.count else { return nil }
                switch line[at] {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                case UInt8(ascii: "u"):
                    // Only control characters are written as \u00XX.
                    guard at + 4 < line.count, let code = UInt8(String(decoding: line[(at + 1)...(at + 4)], as: UTF8.self), radix: 16)
                    else { return nil }
                    value.append(code)
                    at += 4
                default: value.append(line[at])
                }
            } else {
                value.append(byte)
            }
            at += 1
        }
        return nil
    }

    /// Where the bytes after the first (or last) occurrence of `needle` start (`memchr` and
    /// `memcmp`: C speed in a debug build too).
    static func find(_ needle: [UInt8], in line: UnsafeRawBufferPointer, last: Bool = false) -> Int? {
        guard let base = line.baseAddress, !needle.isEmpty else { return nil }
        var from = 0
        var found: Int?
        needle.withUnsafeBytes { key in
            while line.count - from >= key.count, let hit = memchr(base + from, Int32(key[0]), line.count - from - key.count + 1) {
                let at = UnsafeRawPointer(hit) - base
                if memcmp(hit, key.baseAddress!, key.count) == 0 {
                    found = at + key.count
                    if !last { return }
                }
                from = at + 1
            }
        }
        return found
    }

    /// The hit's own `2026-11-29T12:34:56.789Z`, read by the parsers' ISO 8601 reader.
    static func millis(rfc3339 text: UnsafeRawBufferPointer) -> Int64? {
        var time = LineTime(context: ParserContext(referenceTimeMillis: 0, timeZone: .utc))
        var cursor = FieldCursor(text)
        guard case .millis(let millis) = time.iso8601(&cursor), cursor.position == text.count else { return nil }
        return millis
    }
}
