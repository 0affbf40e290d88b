/// A small cache of recent answers in front of a ``HostMatcher``, owned by one reader.
///
/// Proxy and DNS traffic repeats itself: a page load asks for the same few hosts many times, and
/// a handful of hosts make most of a day's lines. Remembering the last answer per host turns a
/// repeated lookup into one hash, one slot and one byte comparison, and keeps the matcher's
/// large tables out of the cache for those lines.
///
/// The cache is direct-mapped (2,048 slots, hosts up to 48 bytes; longer ones go straight to the
/// matcher) and stores the host bytes, so an answer is only reused for the very same host. It
/// holds a reference to the matcher it answered for: given another matcher (a reload), it empties
/// itself first, so an answer never outlives the watchlist it came from. Not shared between
/// threads: each reader owns one, so there is no lock.
public struct HostMatchCache: ~Copyable {
    @usableFromInline static let slotCount = 2048
    @usableFromInline static let keyCapacity = 48

    @usableFromInline let keys: UnsafeMutableRawPointer
    @usableFromInline let answers: UnsafeMutablePointer<CachedAnswer>
    @usableFromInline var matcher: HostMatcher?
    /// Lookups answered from the cache, and lookups that went to the matcher.
    public var hits: Int { hitCount }
    public var misses: Int { missCount }
    @usableFromInline var hitCount = 0
    @usableFromInline var missCount = 0

    public init() {
        keys = .allocate(byteCount: Self.slotCount * Self.keyCapacity, alignment: 64)
        answers = .allocate(capacity: Self.slotCount)
        answers.initialize(repeating: CachedAnswer(), count: Self.slotCount)
    }

    deinit {
        keys.deallocate()
        answers.deallocate()
    }

    /// The same answer as `matcher.match(host, kind: kind)`.
    @inlinable
    public mutating func match(_ host: UnsafeRawBufferPointer, kind: HostKind, in matcher: HostMatcher) -> HostMatch {
        if self.matcher !== matcher { reset(for: matcher) }
        let count = host.count
        guard count > 0, count <= Self.keyCapacity, let base = host.baseAddress else {
            return matcher.match(host, kind: kind)
        }
        let slot = Int(truncatingIfNeeded: Self.hash(base, count: count)) & (Self.slotCount - 1)
        let key = keys + slot * Self.keyCapacity
        let answer = answers[slot]
        if Int(answer.keyLength) == count, answer.kind == kind.rawValue,
            memcmpBytes(key.assumingMemoryBound(to: UInt8.self), base.assumingMemoryBound(to: UInt8.self), count)
        {
            hitCount &+= 1
            return answer.match
        }
        missCount &+= 1
        let match = matcher.match(host, kind: kind)
        key.copyMemory(from: base, byteCount: count)
        answers[slot] = CachedAnswer(keyLength: UInt8(count), kind: kind.rawValue, match: match)
        return match
    }

    @usableFromInline
    mutating func reset(for matcher: HostMatcher) {
        answers.update(repeating: CachedAnswer(), count: Self.slotCount)
        self.matcher = matcher
    }

    /// A quick hash of the whole host, eight bytes at a time.
    @inlinable
    static func hash(_ base: UnsafeRawPointer, count: Int) -> UInt64 {
        var h = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while count - i >= 8 {
            h = (h ^ UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* 0xFF51_AFD7_ED55_8CCD
            i += 8
        }
        if i < count {
            var tail: UInt64 = 0
            if count >= 8 {
                tail = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
            } else {
                for k in 0..<count { tail |= UInt64(base.load(fromByteOffset: k, as: UInt8.self)) << UInt64(8 * k) }
            }
            h = (h ^ tail) &* 0xFF51_AFD7_ED55_8CCD
        }
        return h ^ (h >> 29)
    }
}

/// One cached answer: which host it is for (length and kind; the bytes sit in the key arena)
/// and what the matcher said.
@usableFromInline
struct CachedAnswer {
    /// 0 marks an empty slot (no host is empty).
    @usableFromInline var keyLength: UInt8
    @usableFromInline var kind: UInt8
    @usableFromInline var match: HostMatch

    @inlinable
    init(keyLength: UInt8 = 0, kind: UInt8 = 0, match: HostMatch = .none) {
        self.keyLength = keyLength
        self.kind = kind
        self.match = match
    }
}
