/// A forward-only reader over one line's bytes, for the field-splitting parsers.
///
/// Positions are offsets into the line, so the ranges it returns go straight into a ``LogEvent``.
/// Every method is bounds-checked against `end`; none allocates.
public struct FieldCursor {
    public let bytes: UnsafeRawBufferPointer
    public var position: Int
    public let end: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, from position: Int = 0) {
        self.bytes = bytes
        self.position = position
        self.end = bytes.count
    }

    @inlinable
    public func peek() -> UInt8? { position < end ? bytes[position] : nil }

    /// Skips spaces (and tabs); returns how many.
    @inlinable
    @discardableResult
    public mutating func skipSpaces() -> Int {
        let start = position
        while position < end, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }
        return position - start
    }

    /// The next run of non-space bytes, after skipping leading spaces; `nil` at the end.
    ///
    /// Looks for the field's end eight bytes at a time (SWAR: a space or tab byte turns into a
    /// zero byte after an xor, and the classic has-zero-byte trick finds it), since URLs and
    /// user agents make most of a proxy line's bytes.
    @inlinable
    public mutating func nextField() -> Range<Int>? {
        skipSpaces()
        let start = position
        guard let base = bytes.baseAddress else { return nil }
        while position + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            let mask = Self.zeroBytes(word ^ 0x2020_2020_2020_2020) | Self.zeroBytes(word ^ 0x0909_0909_0909_0909)
            if mask != 0 {
                position += mask.trailingZeroBitCount >> 3
                return start < position ? start..<position : nil
            }
            position += 8
        }
        while position < end, bytes[position] != 0x20 && bytes[position] != 0x09 { position += 1 }
        return start < position ? start..<position : nil
    }

    /// The value of the eight ASCII digits at `i`, or `nil` if any is not a digit (SWAR: the
    /// digits are checked and combined pairwise in three multiply steps).
    @inlinable
    public static func eightDigits(in bytes: UnsafeRawBufferPointer, at i: Int) -> UInt64? {
        guard i >= 0, i + 8 <= bytes.count, let base = bytes.baseAddress else { return nil }
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        guard word & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
            (word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
        else { return nil }
        var v = word & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 10 &+ (v >> 8)) & 0x00FF_00FF_00FF_00FF
        v = (v &* 100 &+ (v >> 16)) & 0x0000_FFFF_0000_FFFF
        v = (v &* 10000 &+ (v >> 32)) & 0x0000_0000_FFFF_FFFF
        return v
    }

    /// High bit set in each byte of `x` that is zero (exact for the lowest such byte, which is
    /// the one the caller uses).
    @inlinable
    public static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Bytes up to (not including) `delimiter`; moves past it. `nil` if the delimiter is missing.
    @inlinable
    public mutating func upTo(_ delimiter: UInt8) -> Range<Int>? {
        var i = position
        while i < end, bytes[i] != delimiter { i += 1 }
        guard i < end else { return nil }
        let range = position..<i
        position = i + 1
        return range
    }

    /// Consumes `literal` if the line continues with it.
    @inlinable
    public mutating func consume(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end - position >= count else { return false }
        let p = literal.utf8Start
        for k in 0..<count where bytes[position + k] != p[k] { return false }
        position += count
        return true
    }

    /// Reads an unsigned decimal number of at most `maxDigits` digits.
    @inlinable
    public mutating func readNumber(maxDigits: Int = 18) -> Int64? {
        var value: Int64 = 0
        let start = position
        while position < end, position - start < maxDigits {
            let d = bytes[position] &- 0x30
            if d > 9 { break }
            value = value &* 10 &+ Int64(d)
            position += 1
        }
        return position > start ? value : nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether `range` holds exactly `literal` (ASCII, case-sensitive).
    @inlinable
    public func bytes(in range: Range<Int>, equal literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        var k = 0
        for i in range {
            if self[i] != p[k] { return false }
            k += 1
        }
        return true
    }

    /// Whether the byte at `range` is a lone `-` (the "no value" mark of most log formats).
    @inlinable
    public func isDash(_ range: Range<Int>) -> Bool {
        range.count == 1 && self[range.lowerBound] == UInt8(ascii: "-")
    }
}
