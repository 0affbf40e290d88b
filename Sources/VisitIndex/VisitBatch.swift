/// Visits given as strings, for tests and tools that build them by hand; written through a
/// ``VisitAggregator`` like the daemon's own.
public struct VisitBatch: Sendable {
    var aggregator = VisitAggregator()

    public init() {}

    public var isEmpty: Bool { aggregator.distinctVisits == 0 }
    /// Distinct (day, host, client, user) visits.
    public var distinctVisits: Int { aggregator.distinctVisits }
    /// Visits added (each `add` is one line).
    public var lines: Int { aggregator.lines }

    /// Adds one visit to `host` (canonical form) at `timeMillis` (UTC).
    public mutating func add(host: String, client: String, user: String?, timeMillis: Int64) {
        var (host, client, user) = (host, client, user)
        host.withUTF8 { h in
            client.withUTF8 { c in
                if user == nil {
                    aggregator.add(host: UnsafeRawBufferPointer(h), client: UnsafeRawBufferPointer(c), user: nil, timeMillis: timeMillis)
                } else {
                    user!.withUTF8 { u in
                        aggregator.add(
                            host: UnsafeRawBufferPointer(h), client: UnsafeRawBufferPointer(c), user: UnsafeRawBufferPointer(u),
                            timeMillis: timeMillis)
                    }
                }
            }
        }
    }
}

extension VisitIndex {
    /// Writes visits given as canonical names (an empty name is skipped).
    public func write(_ batch: VisitBatch) throws {
        var aggregator = batch.aggregator
        try write(&aggregator) { raw, out in
            guard raw.count <= out.count else { return nil }
            out.copyMemory(from: raw)
            return raw.count
        }
    }
}
