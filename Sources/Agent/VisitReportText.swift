import Foundation
public import VisitIndex

/// How `hostwatch visited` (and later the HTTP API) shows a ``VisitReport``.
public enum VisitReportText {
    /// A summary line, then one row per client and user, newest first.
    public static func table(_ report: VisitReport, sinceMillis: Int64) -> String {
        let since = rfc3339(sinceMillis).prefix(10)
        guard report.visited else { return "\(report.domain): no visits since \(since)\n" }
        let visits = report.visitors.reduce(0) { $0 + $1.count }
        var out = "\(report.domain): visited by \(report.visitors.count) client/user pair(s), \(visits) visit(s) since \(since)\n"
        let header = ["CLIENT", "USER", "VISITS", "FIRST SEEN", "LAST SEEN", "HOSTS"]
        let rows = report.visitors.map { v in
            [v.client, v.user ?? "-", String(v.count), rfc3339(v.first), rfc3339(v.last), v.hosts.joined(separator: ",")]
        }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for row in [header] + rows {
            out += row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }
        return out
    }

    /// One JSON object: the domain, whether it was visited, hosts and visitors with RFC 3339 times.
    public static func json(_ report: VisitReport, sinceMillis: Int64) -> String {
        let object: [String: Any] = [
            "domain": report.domain,
            "since": rfc3339(sinceMillis),
            "visited": report.visited,
            "hosts": report.hosts.map { ["host": $0.host, "count": $0.count, "first": rfc3339($0.first), "last": rfc3339($0.last)] },
            "visitors": report.visitors.map { v -> [String: Any] in
                [
                    "client": v.client, "user": v.user.map { $0 as Any } ?? NSNull(), "count": v.count,
                    "first": rfc3339(v.first), "last": rfc3339(v.last), "hosts": v.hosts,
                ]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `2026-11-29T03:45:04.827Z`.
    static func rfc3339(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}
