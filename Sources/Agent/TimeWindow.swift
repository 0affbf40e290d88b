import Foundation
import Watchlist

/// The `since` of a query (`hostwatch visited --since`, `GET /v1/visited?since=`,
/// `GET /v1/hits?since=`), kept in one place so the CLI and the API read it alike.
public enum TimeWindow {
    /// What a query covers when it names no `since`.
    public static let defaultSince = "30d"

    /// What an error says the forms are.
    public static let forms = "like 30d, 12h or 2026-11-01"

    /// `30d`, `12h` (before `now`; at most 100,000 of either) or a UTC date `YYYY-MM-DD` (from
    /// 00:00 UTC), in Unix milliseconds; `nil` when `text` is none of these.
    public static func sinceMillis(_ text: String, now: Int64) -> Int64? {
        if let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0, amount <= 100_000 {
            switch unit {
            case "d": return now - amount * 86_400_000
            case "h": return now - amount * 3_600_000
            default: break
            }
        }
        // The date rules of a watchlist's `expires=` (month lengths, leap years): one calendar.
        guard text.utf8.count == 10, let seconds = PlainListParser.parseExpiry(Substring(text)) else { return nil }
        return seconds * 1000
    }

    /// The current time in Unix milliseconds.
    public static func nowMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
