/// Visits of a stretch of log lines, summed per UTC day, host, client and user before they are
/// written, so the index takes one row update per distinct visit, not one per line.
public struct VisitBatch: Sendable {
    struct Key: Hashable, Sendable {
        var day: Int32
        /// The host with its labels reversed (`com.evil.login`).
        var reversedHost: String
        var client: String
        /// "" when the log has no user.
        var user: String
    }

    struct Sums: Sendable {
        var count: Int64
        var first: Int64
        var last: Int64
    }

    var visits: [Key: Sums] = [:]
    /// Lines added.
    public internal(set) var lines = 0

    public init() {}

    public var isEmpty: Bool { visits.isEmpty }
    /// Distinct (day, host, client, user) visits.
    public var distinctVisits: Int { visits.count }

    /// Adds one visit to `host` (canonical form) at `timeMillis` (UTC).
    public mutating func add(host: String, client: String, user: String?, timeMillis: Int64) {
        lines += 1
        add(host: host, client: client, user: user, count: 1, first: timeMillis, last: timeMillis)
    }

    /// Adds `count` visits between `first` and `last` (the same UTC day).
    mutating func add(host: String, client: String, user: String?, count: Int64, first: Int64, last: Int64) {
        let key = Key(
            day: VisitIndex.day(ofMillis: first), reversedHost: VisitIndex.reversedLabels(host), client: client,
            user: user ?? "")
        if var sums = visits[key] {
            sums.count += count
            sums.first = min(sums.first, first)
            sums.last = max(sums.last, last)
            visits[key] = sums
        } else {
            visits[key] = Sums(count: count, first: first, last: last)
        }
    }
}
