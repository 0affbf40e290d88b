/// Sums visits per UTC day, host and (client, user) straight from log bytes, so the pipeline
/// counts every line without making a `String` or allocating per line: a line costs three probes
/// of open-addressing tables (host, who, visit), and only something new appends to them.
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
    }

    @usableFromInline var hosts = ByteInterner()
    /// (client, user); a missing user (`-`) differs from an empty one.
    @usableFromInline var whos = ByteInterner()
    /// Open addressing over ``visits``: index + 1, or 0 for an empty slot.
    @usableFromInline var slots: [UInt32] = Array(repeating: 0, count: 1024)
    @usableFromInline var visits: [Visit] = []
    /// Lines added since the last write.
    public var lines: Int { lineCount }
    @usableFromInline var lineCount = 0

    /// The index's row ids of ``hosts`` and ``whos`` by local id (0: not known yet; -1: a host
    /// that is not a valid name), valid while ``idEpoch`` is the index's.
    var hostRowIDs: [Int64] = []
    var whoRowIDs: [Int64] = []
    var idEpoch = -1

    public init() {}

    /// Distinct (day, host, client, user) since the last write.
    public var distinctVisits: Int { visits.count }

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
        let hostID = hosts.intern(host)
        let whoID = whos.intern(client, user)
        let day = VisitIndex.day(ofMillis: first)
        var hash = (UInt64(hostID) << 32 | UInt64(whoID)) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(UInt32(bitPattern: day)) &* 0xC2B2_AE3D_27D4_EB4F
        hash ^= hash >> 31
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            let index = Int(stored - 1)
            if visits[index].host == hostID, visits[index].who == whoID, visits[index].day == day {
                visits[index].count += count
                if first < visits[index].first { visits[index].first = first }
                if last > visits[index].last { visits[index].last = last }
                return
            }
            slot = (slot + 1) & mask
        }
        visits.append(Visit(host: hostID, who: whoID, day: day, count: count, first: first, last: last))
        slots[slot] = UInt32(visits.count)
        if visits.count * 2 > slots.count { growSlots() }
    }

    @usableFromInline
    mutating func growSlots() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, visit) in visits.enumerated() {
            var hash = (UInt64(visit.host) << 32 | UInt64(visit.who)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= UInt64(UInt32(bitPattern: visit.day)) &* 0xC2B2_AE3D_27D4_EB4F
            hash ^= hash >> 31
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
    }

    /// Empties the sums after a write (keeping capacity). The names stay interned unless they
    /// hold more than `maxNameBytes`, so a long-lived reader's memory stays bounded.
    mutating func clearVisits(maxNameBytes: Int = 64 << 20) {
        visits.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
        lineCount = 0
        if hosts.byteCount + whos.byteCount > maxNameBytes {
            hosts = ByteInterner()
            whos = ByteInterner()
            hostRowIDs = []
            whoRowIDs = []
        }
    }
}
