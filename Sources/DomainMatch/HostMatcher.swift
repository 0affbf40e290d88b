/// Whether an entry covers a name and all its subdomains, or that exact name only.
public enum MatchScope: Sendable, Equatable {
    /// `evil.com`: `evil.com` and every `*.evil.com`.
    case domainAndSubdomains
    /// `=login.evil.com`: that name only.
    case exact
}

/// Whether an entry reports visits or suppresses them.
public enum MatchRole: Sendable, Equatable {
    case watch
    /// An allow entry beats every watch entry at or above it (our own domains).
    case allow
}

/// The answer for one host.
public enum HostMatch: Sendable, Equatable {
    case none
    /// A watch entry covers the host but an allow entry at or below it wins.
    case allowed
    /// The most specific watch entry covering the host; `value` is what the entry was added with
    /// and the entry's name is the last `nameLength` bytes of the host.
    case watched(value: UInt32, nameLength: Int)
}

/// The compiled suffix matcher: immutable once built, shared by every reader without a lock.
///
/// A suffix trie over reversed labels (`com` → `evil` → `login`), laid out flat: names are stored
/// once in a byte arena, and a flat open-addressing table keyed by the hash of each whole name
/// points at fixed-size records. Every name that carries an entry has a record, and so does every
/// proper suffix of one (an inner node, flagged as having children). A lookup walks the host from
/// its end label by label, hashing as it goes, so at every dot the running hash is the hash of
/// that suffix (`com`, `evil.com`, `login.evil.com`): one probe per label, never a scan of the
/// list, and the walk stops at the first suffix with no record or no children, so a host
/// outside every watched zone costs a probe or two whatever its depth. A blocked Bloom filter
/// (one 64-bit word per key) in front of the table keeps those last, missing probes off the
/// table.
///
/// The storage is manually allocated so that lookups touch no reference counts; the class is
/// `@unchecked Sendable` because nothing is mutated after `init`.
public final class HostMatcher: @unchecked Sendable {
    @usableFromInline let slots: UnsafeMutablePointer<UInt64>
    @usableFromInline let slotMask: Int
    @usableFromInline let entries: UnsafeMutablePointer<MatcherEntry>
    @usableFromInline let names: UnsafeMutablePointer<UInt8>
    @usableFromInline let bloom: UnsafeMutablePointer<UInt64>
    @usableFromInline let bloomMask: Int
    /// Number of distinct names with an entry (an IP counts as a name).
    public let nameCount: Int
    /// Number of records: the names plus inner nodes of the suffix trie (`com`, `co.uk`, …).
    public let nodeCount: Int
    /// Bytes of the name arena.
    public let nameBytes: Int
    private let slotCount: Int
    private let bloomWords: Int

    init(builder: HostMatcherBuilder) {
        nameCount = builder.namedCount
        nodeCount = builder.entries.count
        nameBytes = builder.names.count
        slotCount = builder.slots.count
        slotMask = slotCount - 1
        slots = .allocate(capacity: slotCount)
        slots.initialize(from: builder.slots, count: slotCount)
        entries = .allocate(capacity: max(1, nodeCount))
        entries.initialize(from: builder.entries, count: nodeCount)
        names = .allocate(capacity: max(1, nameBytes))
        names.initialize(from: builder.names, count: nameBytes)

        // 8 bits per name (3 bits set in one 64-bit word) gives a few percent of false positives
        // and half the memory of 16 bits; at 1M names that is 1 MiB, which mostly stays in L2:
        // measured faster overall than the 2 MiB filter, whose misses went to L3 on every label.
        var words = 64
        while words * 8 < nodeCount { words <<= 1 }
        bloomWords = words
        bloomMask = words - 1
        bloom = .allocate(capacity: words)
        bloom.initialize(repeating: 0, count: words)
        for mixed in builder.hashes {
            bloom[Self.bloomWord(mixed) & bloomMask] |= Self.bloomBits(mixed)
        }
    }

    deinit {
        slots.deallocate()
        entries.deallocate()
        names.deallocate()
        bloom.deallocate()
    }

    /// Bytes used by the table, entries and Bloom filter: the cost per name beyond the names.
    public var indexBytes: Int {
        slotCount * MemoryLayout<UInt64>.stride + nodeCount * MemoryLayout<MatcherEntry>.stride
            + bloomWords * MemoryLayout<UInt64>.stride
    }

    /// The answer for a host that is already in canonical form (see ``HostNormalizer``).
    ///
    /// - Complexity: one hash step per byte and one Bloom check per label; allocation-free.
    @inlinable
    public func match(_ host: UnsafeRawBufferPointer, kind: HostKind) -> HostMatch {
        let count = host.count
        guard count > 0, let base = host.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .none }
        if kind != .name {
            let mixed = MatcherHash.hash(base, count: count, seed: MatcherHash.ipSeed)
            guard let entry = find(mixed, base, count) else { return .none }
            if entry.flags & MatcherEntry.exactAllow != 0 { return .allowed }
            if entry.flags & MatcherEntry.exactWatch != 0 { return .watched(value: entry.exactValue, nameLength: count) }
            return .none
        }
        var best = HostMatch.none
        var hasher = MatcherHash()
        var labelEnd = count
        // Dots from right to left, found eight bytes at a time.
        var i = count
        while i > 0 {
            let dot = Self.lastDot(base, before: i)
            guard dot >= 0 else { break }
            // base[dot+1..<count] is a whole suffix.
            hasher.absorbLabel(base, start: dot + 1, end: labelEnd)
            labelEnd = dot
            let length = count - 1 - dot
            // No record for this suffix, or nothing below it: no deeper entry can match.
            guard let entry = find(hasher.finish(seed: MatcherHash.nameSeed), base + dot + 1, length) else {
                return best
            }
            if entry.flags & MatcherEntry.suffixAllow != 0 {
                best = .allowed
            } else if entry.flags & MatcherEntry.suffixWatch != 0 {
                best = .watched(value: entry.suffixValue, nameLength: length)
            }
            if entry.flags & MatcherEntry.hasChildren == 0 { return best }
            i = dot
        }
        hasher.absorbLabel(base, start: 0, end: labelEnd)
        let mixed = hasher.finish(seed: MatcherHash.nameSeed)
        if let entry = find(mixed, base, count) {
            if entry.flags & (MatcherEntry.suffixAllow | MatcherEntry.exactAllow) != 0 {
                best = .allowed
            } else if entry.flags & MatcherEntry.exactWatch != 0 {
                best = .watched(value: entry.exactValue, nameLength: count)
            } else if entry.flags & MatcherEntry.suffixWatch != 0 {
                best = .watched(value: entry.suffixValue, nameLength: count)
            }
        }
        return best
    }

    /// Convenience for tests and tools: normalizes `host` first.
    public func match(_ host: String) -> HostMatch {
        switch HostNormalizer.normalize(host) {
        case .failure: return .none
        case .success(let normalized):
            var bytes = Array(normalized.name.utf8)
            return bytes.withUnsafeMutableBytes { match(UnsafeRawBufferPointer($0), kind: normalized.kind) }
        }
    }

    /// Index of the last `.` in `base[0..<end]`, or -1.
    @inlinable
    @inline(__always)
    static func lastDot(_ base: UnsafePointer<UInt8>, before end: Int) -> Int {
        var i = end
        let raw = UnsafeRawPointer(base)
        while i >= 8 {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i - 8, as: UInt64.self))
            // Exact zero-byte mask of word ^ "........": high bit set in each byte that was a dot.
            let x = word ^ 0x2E2E_2E2E_2E2E_2E2E
            let dots = ~(((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | x | 0x7F7F_7F7F_7F7F_7F7F)
            if dots != 0 { return i - 1 - dots.leadingZeroBitCount >> 3 }
            i -= 8
        }
        while i > 0 {
            i -= 1
            if base[i] == 0x2E { return i }
        }
        return -1
    }

    @inlinable
    @inline(__always)
    func find(_ mixed: UInt64, _ name: UnsafePointer<UInt8>, _ length: Int) -> MatcherEntry? {
        let bits = Self.bloomBits(mixed)
        guard bloom[Self.bloomWord(mixed) & bloomMask] & bits == bits else { return nil }
        return probe(mixed, name, length)
    }

    /// The table probe behind a positive Bloom test: kept out of line, since most lookups end
    /// at the filter.
    @inlinable
    @inline(never)
    func probe(_ mixed: UInt64, _ name: UnsafePointer<UInt8>, _ length: Int) -> MatcherEntry? {
        let tag = mixed >> 32
        var index = Int(truncatingIfNeeded: mixed) & slotMask
        while true {
            let slot = slots[index]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let entry = entries[Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1]
                if Int(entry.nameLength) == length
                    && (length == 0 || memcmpBytes(names + Int(entry.nameOffset), name, length))
                {
                    return entry
                }
            }
            index = (index + 1) & slotMask
        }
    }

    @inlinable
    static func bloomWord(_ mixed: UInt64) -> Int { Int(truncatingIfNeeded: mixed >> 22) }

    @inlinable
    static func bloomBits(_ mixed: UInt64) -> UInt64 {
        (1 << ((mixed >> 40) & 63)) | (1 << ((mixed >> 46) & 63)) | (1 << ((mixed >> 52) & 63))
    }
}

/// Byte equality without Foundation's `memcmp` import.
@inlinable
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
        if x != y { return false }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// One distinct name in the matcher, with what each kind of entry on it says.
public struct MatcherEntry: Sendable {
    @usableFromInline static let suffixWatch: UInt8 = 1
    @usableFromInline static let exactWatch: UInt8 = 2
    @usableFromInline static let suffixAllow: UInt8 = 4
    @usableFromInline static let exactAllow: UInt8 = 8
    @usableFromInline static let isIP: UInt8 = 16
    /// Some entry lies strictly below this name: a lookup that reaches it must go on to the next
    /// label. A name can be only this (an inner node of the suffix trie, such as `com`).
    @usableFromInline static let hasChildren: UInt8 = 32

    @usableFromInline var nameOffset: UInt32
    @usableFromInline var nameLength: UInt8
    @usableFromInline var flags: UInt8
    @usableFromInline var suffixValue: UInt32
    @usableFromInline var exactValue: UInt32
}

/// The hash of a name built label by label from the right, so that after each label the state
/// is the hash of that suffix (`com`, then `evil.com`, then `login.evil.com`).
///
/// Each label is absorbed as its length and then its bytes eight at a time (one unaligned load
/// and one multiply per word; a short tail is loaded as the word that ends at the label's end,
/// shifted so only the label's bytes remain), which costs a few instructions per label instead
/// of several per byte. The final mix (MurmurHash3's fmix64) spreads the bits that pick the
/// slot, the tag and the Bloom bits. Collisions only cost time: entries are compared byte for
/// byte before they match.
@usableFromInline
struct MatcherHash {
    @usableFromInline static let nameSeed: UInt64 = 0
    @usableFromInline static let ipSeed: UInt64 = 0x9E37_79B9_7F4A_7C15

    @usableFromInline var state: UInt64 = 0xCBF2_9CE4_8422_2325

    @inlinable
    init() {}

    /// Absorbs the label `base[start..<end]` (never empty for a canonical name).
    @inlinable
    @inline(__always)
    mutating func absorbLabel(_ base: UnsafePointer<UInt8>, start: Int, end: Int) {
        state = (state ^ UInt64(truncatingIfNeeded: end - start)) &* 0x9E37_79B9_7F4A_7C15
        let raw = UnsafeRawPointer(base)
        var i = start
        while end - i >= 8 {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            state = (state ^ word) &* 0xC2B2_AE3D_27D4_EB4F
            i += 8
        }
        let tail = end - i
        guard tail > 0 else { return }
        var word: UInt64
        if end >= 8 {
            // The 8 bytes ending at `end` are all inside the name: keep the last `tail` of them.
            word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self))
            word >>= UInt64(8 * (8 - tail))
        } else {
            word = 0
            for k in 0..<tail { word |= UInt64(base[i + k]) << UInt64(8 * k) }
        }
        state = (state ^ word) &* 0xC2B2_AE3D_27D4_EB4F
    }

    /// The hash of the labels absorbed so far.
    @inlinable
    @inline(__always)
    func finish(seed: UInt64) -> UInt64 {
        var k = state ^ seed
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }

    /// The hash of a whole name, labels absorbed right to left as a lookup does.
    @inlinable
    static func hash(_ base: UnsafePointer<UInt8>, count: Int, seed: UInt64) -> UInt64 {
        var hasher = MatcherHash()
        var labelEnd = count
        var i = count - 1
        while i >= 0 {
            if base[i] == 0x2E {
                hasher.absorbLabel(base, start: i + 1, end: labelEnd)
                labelEnd = i
            }
            i -= 1
        }
        hasher.absorbLabel(base, start: 0, end: labelEnd)
        return hasher.finish(seed: seed)
    }
}

/// Collects entries, merging those on the same name, then freezes them into a ``HostMatcher``.
public struct HostMatcherBuilder: Sendable {
    var names: [UInt8] = []
    var entries: [MatcherEntry] = []
    var slots: [UInt64] = Array(repeating: 0, count: 16)
    /// The mixed hash of each entry, so growing the table and building the Bloom filter never
    /// rehash the names.
    var hashes: [UInt64] = []
    /// Names that carry at least one entry (the rest are inner nodes).
    var namedCount = 0

    /// What `add` did.
    public enum AddResult: Sendable, Equatable {
        case added
        /// The same name with the same scope and role was added before; the first one stays.
        case duplicate(firstValue: UInt32)
    }

    public init() {}

    /// Number of distinct names with an entry so far.
    public var count: Int { namedCount }

    /// Adds a canonical name (from ``HostNormalizer``). IP literals are always exact.
    @discardableResult
    public mutating func add(
        _ name: UnsafeRawBufferPointer,
        kind: HostKind,
        scope: MatchScope,
        role: MatchRole,
        value: UInt32 = 0
    ) -> AddResult {
        precondition(name.count > 0 && name.count <= 255, "names are normalized before they are added")
        let isIP = kind != .name
        let scope = isIP ? .exact : scope
        let flag: UInt8 =
            switch (scope, role) {
            case (.domainAndSubdomains, .watch): MatcherEntry.suffixWatch
            case (.exact, .watch): MatcherEntry.exactWatch
            case (.domainAndSubdomains, .allow): MatcherEntry.suffixAllow
            case (.exact, .allow): MatcherEntry.exactAllow
            }
        let e = findOrCreate(name, isIP: isIP, arenaOffset: nil)
        if entries[e].flags & flag != 0 {
            return .duplicate(firstValue: scope == .exact ? entries[e].exactValue : entries[e].suffixValue)
        }
        if entries[e].flags & Self.roleFlags == 0 { namedCount += 1 }
        entries[e].flags |= flag
        // Values belong to watch entries; an allow entry on the same name must not overwrite one.
        if role == .watch {
            if scope == .exact { entries[e].exactValue = value } else { entries[e].suffixValue = value }
        }
        if !isIP { markAncestors(of: e) }
        return .added
    }

    static let roleFlags = MatcherEntry.suffixWatch | MatcherEntry.exactWatch | MatcherEntry.suffixAllow
        | MatcherEntry.exactAllow

    /// The entry for `name`, created without flags if new. A new name's bytes are appended to
    /// the arena, unless `arenaOffset` says they are already there (a suffix of a stored name).
    private mutating func findOrCreate(_ name: UnsafeRawBufferPointer, isIP: Bool, arenaOffset: Int?) -> Int {
        let base = name.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let mixed = MatcherHash.hash(base, count: name.count, seed: isIP ? MatcherHash.ipSeed : MatcherHash.nameSeed)
        if let existing = slotIndex(mixed, name, isIP: isIP) {
            return Int(truncatingIfNeeded: slots[existing] & 0xFFFF_FFFF) - 1
        }
        if (entries.count + 1) * 2 > slots.count { grow() }
        let offset = arenaOffset ?? names.count
        if arenaOffset == nil { names.append(contentsOf: name) }
        entries.append(
            MatcherEntry(
                nameOffset: UInt32(offset), nameLength: UInt8(name.count),
                flags: isIP ? MatcherEntry.isIP : 0, suffixValue: 0, exactValue: 0))
        hashes.append(mixed)
        insert(mixed, entryIndex: entries.count - 1)
        return entries.count - 1
    }

    /// Marks every proper suffix of entry `e` as having children, nearest parent first; stops at
    /// a parent already marked, whose own parents are then marked too.
    private mutating func markAncestors(of e: Int) {
        let offset = Int(entries[e].nameOffset)
        let length = Int(entries[e].nameLength)
        withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { copy in
            names.withUnsafeBytes { copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + length)])) }
            for dot in 0..<length where copy[dot] == 0x2E {
                let suffix = UnsafeRawBufferPointer(rebasing: copy[(dot + 1)...])
                let parent = findOrCreate(suffix, isIP: false, arenaOffset: offset + dot + 1)
                if entries[parent].flags & MatcherEntry.hasChildren != 0 { return }
                entries[parent].flags |= MatcherEntry.hasChildren
            }
        }
    }

    /// Freezes the entries; the builder can be dropped afterwards.
    public func build() -> HostMatcher {
        HostMatcher(builder: self)
    }

    private func slotIndex(_ mixed: UInt64, _ name: UnsafeRawBufferPointer, isIP: Bool) -> Int? {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: mixed) & mask
        return names.withUnsafeBufferPointer { arena in
            let wanted = name.baseAddress!.assumingMemoryBound(to: UInt8.self)
            while slots[index] != 0 {
                let slot = slots[index]
                if slot >> 32 == mixed >> 32 {
                    let entry = entries[Int(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1]
                    if Int(entry.nameLength) == name.count, (entry.flags & MatcherEntry.isIP != 0) == isIP,
                        memcmpBytes(arena.baseAddress! + Int(entry.nameOffset), wanted, name.count)
                    {
                        return index
                    }
                }
                index = (index + 1) & mask
            }
            return nil
        }
    }

    private mutating func insert(_ mixed: UInt64, entryIndex: Int) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: mixed) & mask
        while slots[index] != 0 { index = (index + 1) & mask }
        slots[index] = (mixed >> 32) << 32 | UInt64(entryIndex + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        for i in entries.indices { insert(hashes[i], entryIndex: i) }
    }
}
