/// What a host as logged comes to: rejected, or valid with the matcher's answer.
public enum HostAnswer: Sendable, Equatable {
    /// The host failed normalization.
    case rejected(HostRejection)
    /// A valid host that no entry covers.
    case unwatched(NormalizedHost)
    /// A valid host that a watch entry covers but an allow entry wins for.
    case allowed(NormalizedHost)
    /// A valid host under a watch entry; see ``HostMatch/watched(value:nameLength:)``.
    case watched(value: UInt32, nameLength: Int, host: NormalizedHost)

    /// The host passed normalization (whatever the matcher said).
    @inlinable
    public var isValidHost: Bool {
        if case .rejected = self { return false }
        return true
    }
}

/// Normalizes and matches hosts as they are logged, remembering recent answers; owned by one
/// reader.
///
/// Proxy and DNS traffic repeats itself: a page load asks for the same few hosts many times, and
/// a handful of hosts make most of a day's lines. Normalization is a pure function of the bytes
/// as logged and the matcher is immutable, so the answer for the same raw bytes against the same
/// matcher is always the same: a repeated host costs one hash, one slot and one byte comparison
/// instead of a normalization and a walk of the matcher's large tables.
///
/// Direct-mapped: 2,048 slots keyed by the raw host bytes (up to 64; longer hosts are not
/// cached). It holds a reference to the matcher it answered for and empties itself when handed
/// another one (a reload), so an answer never outlives its watchlist. Not shared between
/// threads, so there is no lock.
public struct HostMatchCache: ~Copyable {
    @usableFromInline static let slotCount = 4096
    @usableFromInline static let keyCapacity = 48

    @usableFromInline let keys: UnsafeMutableRawPointer
    @usableFromInline let answers: UnsafeMutablePointer<CachedAnswer>
    @usableFromInline var matcher: HostMatcher?
    @usableFromInline var hitCount = 0
    @usableFromInline var missCount = 0

    /// Lookups answered from the cache, and lookups that were worked out.
    public var hits: Int { hitCount }
    public var misses: Int { missCount }

    public init() {
        keys = .allocate(byteCount: Self.slotCount * Self.keyCapacity, alignment: 64)
        answers = .allocate(capacity: Self.slotCount)
        answers.initialize(repeating: CachedAnswer(), count: Self.slotCount)
    }

    deinit {
        keys.deallocate()
        answers.deallocate()
    }

    /// Normalizes `raw` into `scratch` (``HostNormalizer/outputCapacity`` bytes) and matches it.
    ///
    /// For `.watched` the canonical host is always in `scratch` (hits need it); for the other
    /// answers `scratch` holds it only when the answer was worked out rather than remembered.
    @inlinable
    public mutating func answer(
        _ raw: UnsafeRawBufferPointer, in matcher: HostMatcher, scratch: UnsafeMutableRawBufferPointer
    ) -> HostAnswer {
        if self.matcher !== matcher { reset(for: matcher) }
        let count = raw.count
        guard count > 0, count <= Self.keyCapacity, let base = raw.baseAddress else {
            return Self.workOut(raw, matcher: matcher, scratch: scratch)
        }
        let slot = Int(truncatingIfNeeded: Self.hash(base, count: count)) & (Self.slotCount - 1)
        let key = keys + slot * Self.keyCapacity
        let cached = answers[slot]
        if Int(cached.keyLength) == count,
            memcmpBytes(key.assumingMemoryBound(to: UInt8.self), base.assumingMemoryBound(to: UInt8.self), count)
        {
            hitCount &+= 1
            if case .watched = cached.answer {
                // The hit's JSON needs the canonical bytes: rare, so they are worked out again.
                return Self.workOut(raw, matcher: matcher, scratch: scratch)
            }
            return cached.answer
        }
        missCount &+= 1
        let answer = Self.workOut(raw, matcher: matcher, scratch: scratch)
        key.copyMemory(from: base, byteCount: count)
        answers[slot] = CachedAnswer(keyLength: UInt8(count), answer: answer)
        return answer
    }

    /// Normalize, then match: the answer without the cache.
    @inlinable
    public static func workOut(
        _ raw: UnsafeRawBufferPointer, matcher: HostMatcher, scratch: UnsafeMutableRawBufferPointer
    ) -> HostAnswer {
        switch HostNormalizer.normalize(raw, into: scratch) {
        case .failure(let reason):
            return .rejected(reason)
        case .success(let host):
            switch matcher.match(UnsafeRawBufferPointer(rebasing: scratch[0..<host.count]), kind: host.kind) {
            case .none: return .unwatched(host)
            case .allowed: return .allowed(host)
            case .watched(let value, let nameLength): return .watched(value: value, nameLength: nameLength, host: host)
            }
        }
    }

    @usableFromInline
    mutating func reset(for matcher: HostMatcher) {
        answers.update(repeating: CachedAnswer(), count: Self.slotCount)
        self.matcher = matcher
    }

    /// A quick hash of the whole key, eight bytes at a time.
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

/// One remembered answer; the key's bytes sit in the cache's key arena.
@usableFromInline
struct CachedAnswer {
    /// 0 marks an empty slot (an empty host is never cached).
    @usableFromInline var keyLength: UInt8
    @usableFromInline var answer: HostAnswer

    @inlinable
    init(keyLength: UInt8 = 0, answer: HostAnswer = .rejected(.empty)) {
        self.keyLength = keyLength
        self.answer = answer
    }
}
