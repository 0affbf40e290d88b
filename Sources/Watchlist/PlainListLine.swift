public import DomainMatch

/// One entry of the plain list format as a value: parsed from a single line, or rendered back
/// into one.
///
/// ``PlainListParser`` hands out names that live only during a callback, which is right for a
/// 1M-line load; tools that write list files (the HTTP API) need an entry they can keep, check
/// with exactly the loader's rules, and write back in the loader's own syntax.
public struct PlainListLine: Sendable, Equatable {
    /// The canonical name (``HostNormalizer``).
    public var name: String
    public var kind: HostKind
    /// Always ``MatchScope/exact`` for an IP literal: the matcher takes IPs exactly.
    public var scope: MatchScope
    public var tags: [String]
    public var risk: Int?
    public var action: EntryAction
    /// Unix seconds.
    public var expires: Int64?
    /// `list=`, when the line names its list.
    public var list: String?

    /// Parses one line with the loader's rules; the error's reason is the loader's own text.
    ///
    /// - Returns: `nil` for a blank or comment line.
    public static func parse(_ text: String) -> Result<PlainListLine, WatchlistError>? {
        guard !text.utf8.contains(0x0A) else {
            return .failure(WatchlistError(file: "", line: 1, reason: "an entry is one line; this text has a line break"))
        }
        var result: Result<PlainListLine, WatchlistError>?
        Array(text.utf8).withUnsafeBytes { raw in
            PlainListParser(file: "").forEachEntry(in: raw) { parsed in
                result = parsed.map { entry in
                    PlainListLine(
                        name: String(decoding: entry.name, as: UTF8.self), kind: entry.kind,
                        scope: entry.kind == .name ? entry.scope : .exact, tags: entry.tags, risk: entry.risk,
                        action: entry.action, expires: entry.expires, list: entry.list)
                }
                return false
            }
        }
        return result
    }

    /// The entry as one line of the plain list format (no newline), which ``parse(_:)`` reads
    /// back as the same entry.
    public var text: String {
        var line = (scope == .exact && kind == .name ? "=" : "") + name
        if let list { line += " list=" + list }
        if let risk { line += " risk=\(risk)" }
        if !tags.isEmpty { line += " tags=" + tags.joined(separator: ",") }
        if action != .unspecified { line += " action=" + action.rawValue }
        if let expires { line += " expires=" + Self.formatExpiry(expires) }
        return line
    }

    /// `2027-01-31` for midnight UTC, else `2027-01-31T12:00:00Z`: the forms `expires=` takes.
    public static func formatExpiry(_ seconds: Int64) -> String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = civilFromDays(days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "\(year)-\(two(month))-\(two(day))"
        return rest == 0 ? date : date + "T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    /// `2027-01-31T00:00:00Z`: one form for every expiry, for JSON readers.
    public static func formatMoment(_ seconds: Int64) -> String {
        let text = formatExpiry(seconds)
        return text.count == 10 ? text + "T00:00:00Z" : text
    }

    /// The inverse of ``PlainListParser/daysFromCivil(year:month:day:)`` (Howard Hinnant's algorithm).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
