import Foundation
import LogParsing
import VisitIndex

/// Hits as the index's `hit` table keeps them (for `GET /v1/hits`), taken from the JSON lines
/// the sinks were given.
enum HitRecords {
    /// One ``StoredHit`` per hit line of `output` (JSON objects, each ending in a newline).
    /// A line that does not read back (never expected: we wrote it) is left out and counted.
    static func stored(fromLines output: [UInt8]) -> (hits: [StoredHit], unreadable: Int) {
        var hits: [StoredHit] = []
        var unreadable = 0
        var start = 0
        while start < output.count {
            let end = output[start...].firstIndex(of: UInt8(ascii: "\n")) ?? output.count
            let line = Array(output[start..<end])
            start = end + 1
            if let hit = stored(line) { hits.append(hit) } else { unreadable += 1 }
        }
        return (hits, unreadable)
    }

    struct Fields: Decodable {
        var time: String
        var list: String
        var id: String?
        var retro: Bool?
    }

    static func stored(_ line: [UInt8]) -> StoredHit? {
        guard let fields = try? JSONDecoder().decode(Fields.self, from: Data(line)),
            let millis = millis(rfc3339: Array(fields.time.utf8))
        else { return nil }
        let json = String(decoding: line, as: UTF8.self)
        // Hits of `hostwatch scan` carry no id: the line itself names them.
        return StoredHit(
            id: fields.id ?? json, timeMillis: millis, list: fields.list, retro: fields.retro ?? false, json: json)
    }

    /// `2026-11-29T12:34:56.789Z` (the hit's own format) in ms since the epoch.
    static func millis(rfc3339 t: [UInt8]) -> Int64? {
        guard t.count == 24, t[4] == UInt8(ascii: "-"), t[7] == UInt8(ascii: "-"), t[10] == UInt8(ascii: "T"),
            t[13] == UInt8(ascii: ":"), t[16] == UInt8(ascii: ":"), t[19] == UInt8(ascii: "."), t[23] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                guard t[i] >= 48, t[i] <= 57 else { return nil }
                value = value * 10 + Int(t[i] - 48)
            }
            return value
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19), let ms = number(20..<23)
        else { return nil }
        let days = LogTime.daysFromCivil(year: y, month: mo, day: d)
        return Int64(((days * 24 + h) * 60 + mi) * 60 + s) * 1000 + Int64(ms)
    }
}
