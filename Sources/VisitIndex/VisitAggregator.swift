/// Sums visits per UTC day, host, client and user straight from log bytes, so the pipeline can
/// count every line without making a `String` or allocating per line: a line costs one hash of
/// its host, client and user bytes and one probe of an open-addressing table. Only a new
/// (day, host, client, user) appends to the arena. ``drain(normalize:)`` turns the sums into a
/// ``VisitBatch`` once per batch.
public struct VisitAggregator: Sendable {
    struct Entry: Sendable {
        var hash: UInt64
        var offset: UInt32
        var hostLength: UInt16
        var clientLength: UInt16
        var userLength: UInt16
        /// The user field was absent (`-`), as opposed to empty.
        var hasUser: Bool
        var day: Int32
        var count: Int64
        var first: Int64
        var last: Int64
    }

    var slots: [Int32] = Array(repeating: -1, count: 1024)
    var entries: [Entry] = []
    var arena: [UInt8] = []
    /// Lines added since the last drain.
    public private(set) var lines = 0

    public init() {}

    /// Distinct (day, host, client, user) since the last drain.
    public var distinctVisits: Int { entries.count }

    /// Counts one visit. `host` is as logged (normalized at drain time, once per distinct host).
    @inlinable
    public mutating func add(
        host: UnsafeRawBufferPointer, client: UnsafeRawBufferPointer, user: UnsafeRawBufferPointer?, timeMillis: Int64
    ) {
        let day = VisitIndex.day(ofMillis: timeMillis)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(UInt32(bitPattern: day))
        hash = Self.mix(hash, host)
        hash = Self.mix(hash &* 0x9E37_79B9_7F4A_7C15, client)
        if let user { hash = Self.mix(hash &* 0xC2B2_AE3D_27D4_EB4F, user) }
        insert(hash: hash, day: day, host: host, client: client, user: user, timeMillis: timeMillis)
    }

    /// Folds `bytes` into `hash` eight bytes at a time.
    @inlinable
    static func mix(_ hash: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = hash ^ UInt64(bytes.count)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x0000_0100_0000_01B3
        return h ^ (h >> 32)
    }

    @usableFromInline
    mutating func insert(
        hash: UInt64, day: Int32, host: UnsafeRawBufferPointer, client: UnsafeRawBufferPointer,
        user: UnsafeRawBufferPointer?, timeMillis: Int64
    ) {
        lines += 1
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            let entry = entries[index]
            if entry.hash == hash, entry.day == day, matches(entry, host, client, user) {
                entries[index].count += 1
                if timeMillis < entry.first { entries[index].first = timeMillis }
                if timeMillis > entry.last { entries[index].last = timeMillis }
                return
            }
            slot = (slot + 1) & mask
        }
        // A new visit: keep its bytes, then grow the table at half full.
        let clamp = { (b: UnsafeRawBufferPointer) in UnsafeRawBufferPointer(rebasing: b[0..<min(b.count, 1024)]) }
        let (h, c, u) = (clamp(host), clamp(client), user.map(clamp))
        entries.append(
            Entry(
                hash: hash, offset: UInt32(arena.count), hostLength: UInt16(h.count), clientLength: UInt16(c.count),
                userLength: UInt16(u?.count ?? 0), hasUser: u != nil, day: day, count: 1, first: timeMillis, last: timeMillis))
        arena.append(contentsOf: h)
        arena.append(contentsOf: c)
        if let u { arena.append(contentsOf: u) }
        slots[slot] = Int32(entries.count - 1)
        if entries.count * 2 > slots.count { grow() }
    }

    func matches(_ entry: Entry, _ host: UnsafeRawBufferPointer, _ client: UnsafeRawBufferPointer, _ user: UnsafeRawBufferPointer?) -> Bool {
        guard Int(entry.hostLength) == min(host.count, 1024), Int(entry.clientLength) == min(client.count, 1024),
            entry.hasUser == (user != nil), Int(entry.userLength) == min(user?.count ?? 0, 1024)
        else { return false }
        return arena.withUnsafeBytes { stored in
            // Three comparisons in a row, no array of parts: this runs for every line.
            func same(_ part: UnsafeRawBufferPointer, at: Int) -> Bool {
                let n = min(part.count, 1024)
                var i = 0
                while i < n {
                    if stored[at + i] != part[i] { return false }
                    i += 1
                }
                return true
            }
            let clientAt = Int(entry.offset) + Int(entry.hostLength)
            guard same(host, at: Int(entry.offset)), same(client, at: clientAt) else { return false }
            guard let user else { return true }
            return same(user, at: clientAt + Int(entry.clientLength))
        }
    }

    mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (index, entry) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: entry.hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    /// The sums as a batch for ``VisitIndex/write(_:)``, and empties the aggregator (keeping its
    /// capacity). `normalize` turns a host as logged into its canonical name, or `nil` to drop it;
    /// it runs once per distinct entry.
    public mutating func drain(normalize: (UnsafeRawBufferPointer) -> String?) -> VisitBatch {
        var batch = VisitBatch()
        arena.withUnsafeBytes { bytes in
            for entry in entries {
                var at = Int(entry.offset)
                let host = UnsafeRawBufferPointer(rebasing: bytes[at..<(at + Int(entry.hostLength))])
                at += Int(entry.hostLength)
                let client = String(decoding: bytes[at..<(at + Int(entry.clientLength))], as: UTF8.self)
                at += Int(entry.clientLength)
                let user = entry.hasUser ? String(decoding: bytes[at..<(at + Int(entry.userLength))], as: UTF8.self) : nil
                guard let name = normalize(host) else { continue }
                batch.add(host: name, client: client, user: user, count: entry.count, first: entry.first, last: entry.last)
            }
        }
        batch.lines = lines
        entries.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = -1 }
        lines = 0
        return batch
    }
}
