/// Splits one line into fields, keeping the fields' byte ranges in a fixed-capacity table the
/// parser owns: no allocation per line.
///
/// Two ways of splitting:
/// - ``split(_:separator:quoting:)``: RFC 4180 CSV (`,`, tab or any other byte). A field that
///   starts with `"` (after optional spaces, which real exports put after the comma) runs to the
///   next lone `"`; inside it the separator is an ordinary byte and `""` stands for one `"`. The
///   range of a quoted field is its inside, without the quotes. Export quirks are tolerated: a
///   stray `"` inside an unquoted field is kept as a byte, bytes between a closing quote and the
///   next separator are dropped, an unterminated quote runs to the end of the line, and a trailing
///   `\r` is not part of the last field.
/// - ``splitWords(_:)``: runs of spaces or tabs separate fields, and a field that starts with `"`
///   runs to the next `"` followed by a space or the end (W3C Extended logs as ProxySG writes them).
///
/// A field that holds `""` escapes must be unescaped before use: ``hasEscapes(_:)`` tells which,
/// and ``unescape(_:in:)`` rewrites it in place in the parser's ``DecodedLine`` copy of the line
/// (unescaping only shrinks the field, so every other range stays valid there).
///
/// Fields beyond ``capacity`` are counted in ``extra`` but not stored: a line with too many
/// columns never crashes, and a parser can reject it or read the columns it has.
///
/// One parser instance owns one table; like ``DecodedLine`` it is a reference, so it is not
/// shared between inputs.
public final class CSVFields: @unchecked Sendable {
    /// The most fields one line can keep.
    public let capacity: Int
    /// Fields kept for the last line (at most ``capacity``).
    @inlinable public var count: Int { kept }
    /// Fields of the last line beyond ``capacity`` (counted, not kept).
    @inlinable public var extra: Int { dropped }
    /// Whether any kept field of the last line has `""` escapes.
    @inlinable public var anyEscaped: Bool { sawEscapes }

    @usableFromInline var kept = 0
    @usableFromInline var dropped = 0
    @usableFromInline var sawEscapes = false

    @usableFromInline let starts: UnsafeMutablePointer<Int>
    @usableFromInline let ends: UnsafeMutablePointer<Int>
    @usableFromInline let escaped: UnsafeMutablePointer<Bool>

    public init(capacity: Int = 128) {
        self.capacity = max(capacity, 1)
        starts = .allocate(capacity: self.capacity)
        ends = .allocate(capacity: self.capacity)
        escaped = .allocate(capacity: self.capacity)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        escaped.deallocate()
    }

    /// The byte range of field `index` (0-based) of the last line, inside its quotes;
    /// `nil` past the fields kept.
    @inlinable
    public func range(_ index: Int) -> Range<Int>? {
        guard index >= 0, index < kept else { return nil }
        return starts[index]..<ends[index]
    }

    /// Whether field `index` holds `""` escapes (then it must be unescaped before use).
    @inlinable
    public func hasEscapes(_ index: Int) -> Bool {
        index >= 0 && index < kept && escaped[index]
    }

    /// Rewrites field `index` in `copy` (a copy of the line, same offsets) with each `""` turned
    /// into `"`; returns the field's new, shorter range there.
    @inlinable
    public func unescape(_ index: Int, in copy: UnsafeMutableRawBufferPointer) -> Range<Int> {
        guard index >= 0, index < kept else { return 0..<0 }
        let start = starts[index]
        let end = min(ends[index], copy.count)
        guard escaped[index], start < end else { return start..<end }
        var read = start
        var write = start
        while read < end {
            let b = copy[read]
            copy[write] = b
            write += 1
            read += (b == 0x22 && read + 1 < end && copy[read + 1] == 0x22) ? 2 : 1
        }
        return start..<write
    }

    /// When a kept field has `""` escapes: copies `line` into `decoded`, unescapes every such
    /// field there (``range(_:)`` then gives the unescaped ranges) and returns the copy, which
    /// the parser must point ``LogEvent/text`` at. `nil` (the usual case) when no field has one.
    @inlinable
    public func unescapeAll(
        _ line: UnsafeRawBufferPointer, into decoded: DecodedLine
    ) -> UnsafeMutableRawBufferPointer? {
        guard sawEscapes else { return nil }
        let copy = decoded.copy(line)
        for i in 0..<kept where escaped[i] {
            ends[i] = unescape(i, in: copy).upperBound
            escaped[i] = false
        }
        sawEscapes = false
        return copy
    }

    /// The bytes the field ranges index after ``unescapeAll(_:into:)``: `line`, or the decoded
    /// copy, which `event` is then pointed at.
    @inlinable
    public func text(
        of line: UnsafeRawBufferPointer, decodingInto decoded: DecodedLine, for event: inout LogEvent
    ) -> UnsafeRawBufferPointer {
        guard let copy = unescapeAll(line, into: decoded) else { return line }
        event.text = UnsafeRawBufferPointer(copy)
        return event.text!
    }

    @inlinable
    func reset() {
        kept = 0
        dropped = 0
        sawEscapes = false
    }

    @inlinable
    func append(_ start: Int, _ end: Int, escapes: Bool) {
        if kept < capacity {
            starts[kept] = start
            ends[kept] = end
            escaped[kept] = escapes
            kept += 1
            if escapes { sawEscapes = true }
        } else {
            dropped += 1
        }
    }

    /// The line's end without a trailing `\r`.
    @inlinable
    static func contentEnd(_ line: UnsafeRawBufferPointer) -> Int {
        var end = line.count
        if end > 0, line[end - 1] == 0x0D { end -= 1 }
        return end
    }

    /// Splits `line` on `separator` (RFC 4180); with `quoting` off, `"` is an ordinary byte.
    /// An empty line has one empty field.
    @inlinable
    public func split(_ line: UnsafeRawBufferPointer, separator: UInt8, quoting: Bool = true) {
        reset()
        let end = Self.contentEnd(line)
        var i = 0
        while true {
            // Optional spaces before an opening quote (`"a", "b"`).
            var q = i
            if quoting, separator != 0x20, separator != 0x09 {
                while q < end, line[q] == 0x20 || line[q] == 0x09 { q += 1 }
            }
            if quoting, q < end, line[q] == 0x22 {
                let start = q + 1
                var j = start
                var escapes = false
                var close = end
                while j < end {
                    if line[j] == 0x22 {
                        if j + 1 < end, line[j + 1] == 0x22 {
                            escapes = true
                            j += 2
                            continue
                        }
                        close = j
                        break
                    }
                    j += 1
                }
                append(start, close, escapes: escapes)
                // Skip whatever follows the closing quote up to the separator.
                j = close
                while j < end, line[j] != separator { j += 1 }
                if j >= end { return }
                i = j + 1
            } else {
                var j = i
                while j < end, line[j] != separator { j += 1 }
                append(i, j, escapes: false)
                if j >= end { return }
                i = j + 1
            }
        }
    }

    /// Splits `line` into words separated by runs of spaces or tabs; a word that starts with
    /// `"` runs to the next `"` that ends the line or precedes a space or tab.
    @inlinable
    public func splitWords(_ line: UnsafeRawBufferPointer) {
        reset()
        let end = Self.contentEnd(line)
        var i = 0
        while true {
            while i < end, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
            if i >= end { return }
            if line[i] == 0x22 {
                let start = i + 1
                var j = start
                while j < end {
                    if line[j] == 0x22, j + 1 == end || line[j + 1] == 0x20 || line[j + 1] == 0x09 { break }
                    j += 1
                }
                append(start, j, escapes: false)
                i = j + 1
            } else {
                let start = i
                while i < end, line[i] != 0x20 && line[i] != 0x09 { i += 1 }
                append(start, i, escapes: false)
            }
        }
    }
}
