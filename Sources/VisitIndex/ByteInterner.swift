#if canImport(Glibc)
import Glibc
#endif

/// Byte strings → dense ids (0, 1, 2, …), the bytes kept in one arena: how the aggregator names
/// hosts and (client, user) pairs without a `String` or an allocation per line.
///
/// A key is one or two byte strings (`second` is `nil` or not, which is part of the key), each
/// cut at 1,024 bytes.
public struct ByteInterner: Sendable {
    @usableFromInline struct Span: Sendable {
        @usableFromInline var hash: UInt64
        @usableFromInline var offset: UInt32
        @usableFromInline var firstLength: UInt16
        @usableFromInline var secondLength: UInt16
        @usableFromInline var hasSecond: Bool

        @usableFromInline
        init(hash: UInt64, offset: UInt32, firstLength: UInt16, secondLength: UInt16, hasSecond: Bool) {
            (self.hash, self.offset, self.firstLength, self.secondLength, self.hasSecond) =
                (hash, offset, firstLength, secondLength, hasSecond)
        }
    }

    /// Open addressing: id + 1, or 0 for an empty slot.
    @usableFromInline var slots: [UInt32] = Array(repeating: 0, count: 1024)
    @usableFromInline var spans: [Span] = []
    @usableFromInline var arena: [UInt8] = []

    public init() {}

    public var count: Int { spans.count }
    /// Bytes held (arena and tables), to bound memory.
    public var byteCount: Int { arena.count + spans.count * MemoryLayout<Span>.stride + slots.count * 4 }

    @usableFromInline static let maxLength = 1024

    @inlinable
    static func clamp(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        bytes.count <= maxLength ? bytes : UnsafeRawBufferPointer(rebasing: bytes[0..<maxLength])
    }

    /// The id of `first` (and `second`), adding it if new.
    @inlinable
    public mutating func intern(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer? = nil) -> UInt32 {
        let a = Self.clamp(first)
        let b = second.map(Self.clamp)
        var hash = Self.mix(0xCBF2_9CE4_8422_2325, a)
        if let b { hash = Self.mix(hash &* 0x9E37_79B9_7F4A_7C15, b) }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            let id = Int(stored - 1)
            if spans[id].hash == hash, equals(id, a, b) { return UInt32(id) }
            slot = (slot + 1) & mask
        }
        let id = UInt32(spans.count)
        spans.append(
            Span(
                hash: hash, offset: UInt32(truncatingIfNeeded: arena.count), firstLength: UInt16(a.count),
                secondLength: UInt16(b?.count ?? 0), hasSecond: b != nil))
        arena.append(contentsOf: a)
        if let b { arena.append(contentsOf: b) }
        slots[slot] = id + 1
        if spans.count * 2 > slots.count { grow() }
        return id
    }

    @inlinable
    func equals(_ id: Int, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer?) -> Bool {
        let span = spans[id]
        guard Int(span.firstLength) == a.count, span.hasSecond == (b != nil), Int(span.secondLength) == (b?.count ?? 0)
        else { return false }
        return arena.withUnsafeBytes { stored in
            let at = Int(span.offset)
            if a.count > 0, memcmp(stored.baseAddress! + at, a.baseAddress!, a.count) != 0 { return false }
            guard let b, b.count > 0 else { return true }
            return memcmp(stored.baseAddress! + at + a.count, b.baseAddress!, b.count) == 0
        }
    }

    @usableFromInline
    mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, span) in spans.enumerated() {
            var slot = Int(truncatingIfNeeded: span.hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(id + 1)
        }
    }

    /// Calls `body` with the bytes of `id`'s first and second parts.
    public func withBytes<T>(_ id: UInt32, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        let span = spans[Int(id)]
        return try arena.withUnsafeBytes { stored in
            let at = Int(span.offset)
            let first = UnsafeRawBufferPointer(rebasing: stored[at..<(at + Int(span.firstLength))])
            let secondAt = at + Int(span.firstLength)
            let second =
                span.hasSecond ? UnsafeRawBufferPointer(rebasing: stored[secondAt..<(secondAt + Int(span.secondLength))]) : nil
            return try body(first, second)
        }
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
}
