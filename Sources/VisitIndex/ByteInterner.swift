#if canImport(Glibc)
import Glibc
#endif

/// Byte strings → dense ids (0, 1, 2, …): how the aggregator names hosts and (client, user)
/// pairs without a `String` or an allocation per line.
///
/// Built for a probe per log line over hundreds of thousands of names, where each cache miss
/// costs more than all the arithmetic: a slot holds a 32-bit tag of the hash beside the id, so
/// a probe touches a record only when the tag agrees, and a record keeps its name's bytes
/// inline (up to ``inlineCapacity``; longer names go to an overflow arena), so a hit costs two
/// misses: slot and record.
///
/// A key is one or two byte strings (`second` is `nil` or not, which is part of the key), each
/// cut at 1,024 bytes.
public struct ByteInterner: Sendable {
    /// Record layout: hash (8), first length (2), second length (2), has second (1), 3 spare,
    /// then the bytes, or the offset of the bytes in ``overflow`` (4).
    @usableFromInline static let stride = 64
    @usableFromInline static let headerSize = 16
    @usableFromInline static let inlineCapacity = stride - headerSize

    /// Open addressing: tag << 32 | (id + 1); 0 is an empty slot.
    @usableFromInline var slots: [UInt64] = Array(repeating: 0, count: 1024)
    @usableFromInline var records: [UInt8] = []
    @usableFromInline var overflow: [UInt8] = []
    public private(set) var count = 0

    public init() {}

    /// Bytes held, to bound memory.
    public var byteCount: Int { records.count + overflow.count + slots.count * 8 }

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
        let tag = hash >> 32
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            if stored >> 32 == tag {
                let id = Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1
                if equals(id, hash, a, b) { return UInt32(id) }
            }
            slot = (slot + 1) & mask
        }
        let id = count
        append(hash, a, b)
        slots[slot] = tag << 32 | UInt64(id + 1)
        if count * 2 > slots.count { grow() }
        return UInt32(id)
    }

    @usableFromInline
    mutating func append(_ hash: UInt64, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer?) {
        let at = records.count
        records.append(contentsOf: repeatElement(0, count: Self.stride))
        let total = a.count + (b?.count ?? 0)
        var overflowAt = -1
        if total > Self.inlineCapacity {
            overflowAt = overflow.count
            overflow.append(contentsOf: a)
            if let b { overflow.append(contentsOf: b) }
        }
        records.withUnsafeMutableBytes { raw in
            let record = raw.baseAddress! + at
            record.storeBytes(of: hash, as: UInt64.self)
            record.storeBytes(of: UInt16(a.count), toByteOffset: 8, as: UInt16.self)
            record.storeBytes(of: UInt16(b?.count ?? 0), toByteOffset: 10, as: UInt16.self)
            record.storeBytes(of: b == nil ? 0 : 1, toByteOffset: 12, as: UInt8.self)
            let body = record + Self.headerSize
            if overflowAt >= 0 {
                body.storeBytes(of: UInt32(overflowAt), as: UInt32.self)
            } else {
                if a.count > 0 { body.copyMemory(from: a.baseAddress!, byteCount: a.count) }
                if let b, b.count > 0 { (body + a.count).copyMemory(from: b.baseAddress!, byteCount: b.count) }
            }
        }
        count += 1
    }

    @inlinable
    func equals(_ id: Int, _ hash: UInt64, _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer?) -> Bool {
        records.withUnsafeBytes { raw in
            let record = raw.baseAddress! + id * Self.stride
            guard record.load(as: UInt64.self) == hash,
                Int(record.load(fromByteOffset: 8, as: UInt16.self)) == a.count,
                Int(record.load(fromByteOffset: 10, as: UInt16.self)) == (b?.count ?? 0),
                (record.load(fromByteOffset: 12, as: UInt8.self) == 1) == (b != nil)
            else { return false }
            return overflow.withUnsafeBytes { spill in
                let (first, second) = Self.parts(record, spill)
                return Self.same(first, a) && (b == nil || Self.same(second!, b!))
            }
        }
    }

    /// Whether `id` is the key (`first`, `second`): for checking a remembered id against the
    /// next line's bytes, whose record is still in cache.
    @inlinable
    public func isKey(_ id: UInt32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer? = nil) -> Bool {
        let a = Self.clamp(first)
        let b = second.map(Self.clamp)
        return records.withUnsafeBytes { raw in
            let record = raw.baseAddress! + Int(id) * Self.stride
            guard Int(record.load(fromByteOffset: 8, as: UInt16.self)) == a.count,
                Int(record.load(fromByteOffset: 10, as: UInt16.self)) == (b?.count ?? 0),
                (record.load(fromByteOffset: 12, as: UInt8.self) == 1) == (b != nil)
            else { return false }
            return overflow.withUnsafeBytes { spill in
                let (x, y) = Self.parts(record, spill)
                return Self.same(x, a) && (b == nil || Self.same(y!, b!))
            }
        }
    }

    @inlinable
    static func same(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
        x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
    }

    /// The bytes of the record at `record`: inline, or in the overflow arena `spill`.
    @inlinable
    static func parts(_ record: UnsafeRawPointer, _ spill: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) {
        let firstLength = Int(record.load(fromByteOffset: 8, as: UInt16.self))
        let secondLength = Int(record.load(fromByteOffset: 10, as: UInt16.self))
        let hasSecond = record.load(fromByteOffset: 12, as: UInt8.self) == 1
        var start = record + headerSize
        if firstLength + secondLength > inlineCapacity {
            start = spill.baseAddress! + Int(record.load(fromByteOffset: headerSize, as: UInt32.self))
        }
        let first = UnsafeRawBufferPointer(start: start, count: firstLength)
        return (first, hasSecond ? UnsafeRawBufferPointer(start: start + firstLength, count: secondLength) : nil)
    }

    @usableFromInline
    mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        records.withUnsafeBytes { raw in
            for id in 0..<count {
                let hash = (raw.baseAddress! + id * Self.stride).load(as: UInt64.self)
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = (hash >> 32) << 32 | UInt64(id + 1)
            }
        }
    }

    /// Calls `body` with the bytes of `id`'s first and second parts.
    public func withBytes<T>(_ id: UInt32, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer?) throws -> T) rethrows -> T {
        try records.withUnsafeBytes { raw in
            try overflow.withUnsafeBytes { spill in
                let (first, second) = Self.parts(raw.baseAddress! + Int(id) * Self.stride, spill)
                return try body(first, second)
            }
        }
    }

    /// Folds `bytes` into `hash` eight bytes at a time.
    @inlinable @inline(__always)
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
