import DomainMatch
import Watchlist

/// JSON text built by hand for the API's own responses.
///
/// A listing of a 1M-entry watchlist is one object per entry; writing them straight into a
/// string keeps that to one pass (no dictionary per entry) and fixes the key order, so a
/// response reads the same every time and tests can compare it byte for byte.
enum APIJSON {
    /// `text` as a JSON string literal, quotes included.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `{"error":"…"}`: the one shape of every error the API answers.
    static func error(_ message: String) -> String {
        "{\"error\":" + quote(message) + "}\n"
    }

    /// One watch entry: the keys of `POST /v1/watchlist`'s entries (`name` for `domain`: it
    /// may be an IP), and the file it was loaded from.
    static func entry(name: String, exact: Bool, metadata: EntryMetadata, file: String) -> String {
        var out = "{\"name\":" + quote(name) + ",\"exact\":" + (exact ? "true" : "false")
        out += ",\"list\":" + quote(metadata.list)
        out += ",\"tags\":[" + metadata.tags.map(quote).joined(separator: ",") + "]"
        out += ",\"risk\":" + (metadata.risk.map { String($0) } ?? "null")
        out += ",\"action\":" + (metadata.action == .unspecified ? "null" : quote(metadata.action.rawValue))
        out += ",\"expires\":" + (metadata.expires.map { quote(PlainListLine.formatMoment($0)) } ?? "null")
        out += ",\"file\":" + quote(file) + "}"
        return out
    }

    /// An entry of the API's own file, as it is (or was) loaded from `file`.
    static func entry(_ line: PlainListLine, file: String) -> String {
        let metadata = EntryMetadata(
            list: line.list ?? WatchlistBuilder.listName(forPath: file), tags: line.tags, risk: line.risk,
            action: line.action, expires: line.expires)
        return entry(name: line.name, exact: line.scope == .exact, metadata: metadata, file: file)
    }

    /// `{"<key>":[…],"count":N}`.
    static func list(_ key: String, _ items: [String]) -> String {
        "{\"\(key)\":[" + items.joined(separator: ",") + "],\"count\":\(items.count)}\n"
    }
}
