/// Sums visits per UTC day, host and (client, user) straight from log bytes, so the pipeline
/// counts every line without making a `String` or allocating per line: a line costs three probes
/// of open-addressing tables (host, who, visit), and only something new appends to them. The
/// tables are laid out so that a probe is one or two cache misses: at a few hundred thousand
/// hosts, misses are what a line costs.
///
/// Hosts and (client, user) pairs are interned into dense local ids that outlive a batch, with
/// the index's row id of each remembered beside it: a host is normalized and looked up in the
/// database once for as long as the aggregator lives, not once per batch.
/// ``VisitIndex/write(_:)`` takes the sums and empties them.
public struct VisitAggregator: Sendable {
    @usableFromInline struct Visit: Sendable {
        @usableFromInline var host: UInt32
        @usableFromInline var who: UInt32
        @usableFromInline var day: Int32
        @usableFromInline var count: Int64
        @usableFromInline var first: Int64
        @usableFromInline var last: Int64

        @usableFromInline
        init(host: UInt32, who: UInt32, day: Int32, count: Int64, first: Int64, last: Int64) {
            (self.host, self.who, self.day, self.count, self.first, self.last) = (host, who, day, count, first, last)
        }

        @usableFromInline static let empty = Visit(host: 0, who: 0, day: 0, count: 0, first: 0, last: 0)
    }

    @usableFromInline var hosts = ByteInterner()
    /// (client, user); a missing user (`-`) differs from an empty one.
    @usableFromInline var whos = ByteInterner()
    /// Open addressing over the visits themselves (a probe is one cache miss, not two); a
    /// count of 0 marks an empty slot.
    @usableFromInline var table: [Visit] = Array(repeating: .empty, count: 1024)
    @usableFromInline var used = 0
    /// Lines added since the last write.
    public var lines: Int { lineCount }
    @usableFromInline var lineCount = 0
    /// The previous line's host, who and visit slot (-1: none): in a log, the requests of a page
    /// view come one after the other, so most lines repeat the previous one's host and client and
    /// cost two byte comparisons of data still in cache instead of three probes.
    @usableFromInline var lastHost: Int = -1
    @usableFromInline var lastWho: Int = -1
    @usableFromInline var lastSlot: Int = -1

    /// The index's row ids of ``hosts`` and ``whos`` by local id (0: not known yet; -1: a host
    /// that is not a valid name), valid while ``idEpoch`` is the index's.
    var hostRowIDs: [Int64] = []
    var whoRowIDs: [Int64] = []
    var idEpoch = -1

    public init() {}

    /// Distinct (day, host, client, user) since the last write.
    public var distinctVisits: Int { used }

    /// The visits summed since the last write, in no particular order.
    var visits: some Sequence<Visit> { table.lazy.filter { $0.count != 0 } }

    /// Counts one visit. `host` is as logged (normalized when first written).
    @inlinable
    public mutating func add(
        host: UnsafeRawBufferPointer, client: UnsafeRawBufferPointer, user: UnsafeRawBufferPointer?, timeMillis: Int64
    ) {
        add(host: host, client: client, user: user, count: 1, first: timeMillis, last: timeMillis)
    }

    /// Counts `count` visits between `first` and `last` (one UTC day).
    @inlinable
    public mutating func add(
        host: UnsafeRawBufferPointer, client: UnsafeRawBufferPointer, user: UnsafeRawBufferPointer?,
        count: Int64, first: Int64, last: Int64
    ) {
        lineCount += Int(count)
        let hostID: UInt32
        if lastHost >= 0, hosts.isKey(UInt32(lastHost), host) {
            hostID = UInt32(lastHost)
        } else {
            hostID = hosts.intern(host)
            lastHost = Int(hostID)
        }
        let whoID: UInt32
        if lastWho >= 0, whos.isKey(UInt32(lastWho), client, user) {
            whoID = UInt32(lastWho)
        } else {
            whoID = whos.intern(client, user)
            lastWho = Int(whoID)
        }
        let day = VisitIndex.day(ofMillis: first)
        if lastSlot >= 0, table[lastSlot].count != 0, table[lastSlot].host == hostID, table[lastSlot].who == whoID,
            table[lastSlot].day == day
        {
            table[lastSlot].count += count
            if first < table[lastSlot].first { table[lastSlot].first = first }
            if last > table[lastSlot].last { table[lastSlot].last = last }
            return
        }
        let mask = table.count - 1
        var slot = Self.slot(hostID, whoID, day) & mask
        while table[slot].count != 0 {
            if table[slot].host == hostID, table[slot].who == whoID, table[slot].day == day {
                table[slot].count += count
                if first < table[slot].first { table[slot].first = first }
                if last > table[slot].last { table[slot].last = last }
                lastSlot = slot
                return
            }
            slot = (slot + 1) & mask
        }
        table[slot] = Visit(host: hostID, who: whoID, day: day, count: count, first: first, last: last)
        lastSlot = slot
        used += 1
        if used * 2 > table.count { grow() }
    }

    @inlinable
    static func slot(_ host: UInt32, _ who: UInt32, _ day: Int32) -> Int {
        var hash = (UInt64(host) << 32 | UInt64(who)) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(UInt32(bitPattern: day)) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: hash ^ (hash >> 31))
    }

    @usableFromInline
    mutating func grow() {
        lastSlot = -1
        let old = table
        table = Array(repeating: .empty, count: old.count * 2)
        let mask = table.count - 1
        for visit in old where visit.count != 0 {
            var slot = Self.slot(visit.host, visit.who, visit.day) & mask
            while table[slot].count != 0 { slot = (slot + 1) & mask }
            table[slot] = visit
        }
    }

    /// Empties the sums after a write (keeping capacity). The names stay interned unless they
    /// hold more than `maxNameBytes`, so a long-lived reader's memory stays bounded.
    mutating func clearVisits(maxNameBytes: Int = 64 << 20) {
        if used > 0 {
            for i in table.indices { table[i].count = 0 }
        }
        used = 0
        lineCount = 0
        lastSlot = -1
        if hosts.byteCount + whos.byteCount > maxNameBytes {
            hosts = ByteInterner()
            whos = ByteInterner()
            (lastHost, lastWho) = (-1, -1)
            hostRowIDs = []
            whoRowIDs = []
        }
    }
}
