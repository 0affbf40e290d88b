/// A key a ``JSONScanner`` looks for: the object keys from the top-level object down to the value.
///
/// `JSONKey.path("dns.rrname")` is the key `rrname` inside the object under `dns`;
/// `JSONKey.literal("id.orig_h")` is the one top-level key `id.orig_h` (Zeek writes dotted names
/// as plain keys). Where a path crosses an array, the scanner looks into the array's first element:
/// `JSONKey.path("dns.queries.rrname")` finds `{"dns":{"queries":[{"rrname":"a.example"}, …]}}`.
public struct JSONKey: Sendable, Equatable {
    public var segments: [String]

    public init(segments: [String]) {
        self.segments = segments
    }

    /// Nested objects, one per dot-separated segment.
    public static func path(_ dotted: String) -> JSONKey {
        JSONKey(segments: dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
    }

    /// One key, dots and all.
    public static func literal(_ key: String) -> JSONKey {
        JSONKey(segments: [key])
    }

    /// Every way to read a dotted name, most nested first and the literal key last: `a.b.c` is
    /// `a`→`b`→`c`, then `a`→`b.c`, `a.b`→`c`, then `a.b.c`. Names with more than five dots give only
    /// the nested and the literal reading.
    public static func nestedThenLiteral(_ dotted: String) -> [JSONKey] {
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return [JSONKey(segments: parts)] }
        guard parts.count <= 6 else { return [JSONKey(segments: parts), JSONKey(segments: [dotted])] }
        // Each of the parts.count - 1 dots either splits or joins; more splits first.
        let dots = parts.count - 1
        var masks = Array(0..<(1 << dots))
        masks.sort { a, b in
            a.nonzeroBitCount != b.nonzeroBitCount ? a.nonzeroBitCount > b.nonzeroBitCount : a > b
        }
        return masks.map { mask in
            var segments: [String] = []
            var current = parts[0]
            for d in 0..<dots {
                if mask & (1 << (dots - 1 - d)) != 0 {
                    segments.append(current)
                    current = parts[d + 1]
                } else {
                    current += "." + parts[d + 1]
                }
            }
            segments.append(current)
            return JSONKey(segments: segments)
        }
    }
}

/// What a ``JSONScanner`` found for one wanted key.
public struct JSONValue: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case missing
        case string
        case number
        case `true`
        case `false`
        case null
        case object
        case array
    }

    public var kind: Kind
    /// For a string, the bytes between the quotes (still escaped when ``hasEscapes``); for a
    /// number or a literal, its bytes; for an object or array, everything from `{`/`[` to `}`/`]`.
    public var range: Range<Int>
    /// Whether a string holds `\` escapes (then decode it before use, see
    /// ``JSONScanner/decodeString(_:_:)``).
    public var hasEscapes: Bool

    public static let missing = JSONValue(kind: .missing, range: 0..<0, hasEscapes: false)

    @inlinable
    public init(kind: Kind, range: Range<Int>, hasEscapes: Bool) {
        self.kind = kind
        self.range = range
        self.hasEscapes = hasEscapes
    }

    /// The range of a string value, `nil` for anything else.
    @inlinable
    public var string: Range<Int>? { kind == .string ? range : nil }

    /// The range of a string or number value (status codes come as either), `nil` otherwise.
    @inlinable
    public var scalar: Range<Int>? { kind == .string || kind == .number ? range : nil }
}

/// Walks one JSON object (one log line) on its bytes and picks out the values of a fixed set of
/// keys, without building anything: no `String`, no dictionary, no allocation per line.
///
/// The wanted keys are compiled at init into a small trie of key segments (`dns` → `rrname`);
/// the walk compares each key it meets byte by byte against the children of the trie node of the
/// object it is in, and skips (while checking) every value nobody asked for. Results go into
/// ``values``, one slot per wanted field, each the first alternative key (in the order given)
/// that the line has.
///
/// The whole line is checked as JSON (RFC 8259): one object, nothing but whitespace after it,
/// well-formed strings (escapes included), numbers and literals, nesting at most ``maxDepth``
/// deep. Leniencies: control bytes inside strings are accepted, UTF-8 is not checked, and a key
/// written with escapes never matches a wanted key (log writers escape only unusual keys).
public struct JSONScanner: Sendable {
    /// Deepest nesting of objects and arrays accepted; deeper lines are malformed.
    public static let maxDepth = 32

    /// One node of the key trie. Node 0 is the top-level object.
    @usableFromInline
    struct Node: Sendable {
        /// The key segment, `keyStart..<keyEnd` in ``keyBytes``.
        @usableFromInline var keyStart: Int
        @usableFromInline var keyEnd: Int
        /// Children are `firstChild..<firstChild + childCount` in ``nodes``.
        @usableFromInline var firstChild: Int
        @usableFromInline var childCount: Int
        /// The field this key fills (-1: none) and how much that field prefers it (0 best).
        @usableFromInline var slot: Int
        @usableFromInline var rank: Int

        @usableFromInline
        init(keyStart: Int, keyEnd: Int, firstChild: Int, childCount: Int, slot: Int, rank: Int) {
            self.keyStart = keyStart
            self.keyEnd = keyEnd
            self.firstChild = firstChild
            self.childCount = childCount
            self.slot = slot
            self.rank = rank
        }
    }

    @usableFromInline let nodes: [Node]
    @usableFromInline let keyBytes: [UInt8]
    /// What the last ``scan(_:stopWhenAllFound:)`` found, by field.
    @usableFromInline var found: [JSONValue]
    /// Rank of the key each found value came from.
    @usableFromInline var ranks: [Int]
    @usableFromInline var unfound: Int

    /// - Parameter fields: for each field (its index is the slot in ``values``), the keys that
    ///   may hold it, preferred first.
    public init(fields: [[JSONKey]]) {
        // Build a tree with one node per distinct key prefix, then lay it out breadth first so
        // each node's children sit next to each other.
        struct Draft {
            var key: [UInt8]
            var children: [Int] = []
            var slot = -1
            var rank = Int.max
        }
        var drafts = [Draft(key: [])]
        for (slot, alternatives) in fields.enumerated() {
            for (rank, key) in alternatives.enumerated() {
                var at = 0
                for segment in key.segments {
                    let bytes = Array(segment.utf8)
                    if let existing = drafts[at].children.first(where: { drafts[$0].key == bytes }) {
                        at = existing
                    } else {
                        drafts.append(Draft(key: bytes))
                        drafts[at].children.append(drafts.count - 1)
                        at = drafts.count - 1
                    }
                }
                // A key listed for two fields keeps the first; the same key twice keeps its best rank.
                if at != 0, drafts[at].slot == -1 || (drafts[at].slot == slot && rank < drafts[at].rank) {
                    drafts[at].slot = slot
                    drafts[at].rank = rank
                }
            }
        }
        var order = [0]
        var position = [0: 0]
        var i = 0
        while i < order.count {
            for child in drafts[order[i]].children {
                position[child] = order.count
                order.append(child)
            }
            i += 1
        }
        var keyBytes: [UInt8] = []
        var nodes: [Node] = []
        for id in order {
            let draft = drafts[id]
            let start = keyBytes.count
            keyBytes += draft.key
            nodes.append(
                Node(
                    keyStart: start, keyEnd: keyBytes.count,
                    firstChild: draft.children.first.map { position[$0]! } ?? 0,
                    childCount: draft.children.count, slot: draft.slot, rank: draft.slot < 0 ? 0 : draft.rank))
        }
        self.nodes = nodes
        self.keyBytes = keyBytes
        found = Array(repeating: .missing, count: fields.count)
        ranks = Array(repeating: Int.max, count: fields.count)
        unfound = fields.count
    }

    /// What the last ``scan(_:stopWhenAllFound:)`` found, by field.
    @inlinable
    public var values: [JSONValue] { found }

    /// The value found for field `slot` by the last scan.
    @inlinable
    public subscript(slot: Int) -> JSONValue { found[slot] }

    /// Walks `line` and fills ``values``. Returns whether the line is one well-formed JSON object
    /// (trailing spaces, tabs, CR allowed).
    ///
    /// With `stopWhenAllFound`, the walk ends as soon as every field has a value from its first
    /// alternative key, and the rest of the line is not checked: a cheap look at a leading key
    /// (`event_type`) before deciding whether the whole line is worth reading.
    @inlinable
    public mutating func scan(_ line: UnsafeRawBufferPointer, stopWhenAllFound: Bool = false) -> Bool {
        for i in found.indices {
            found[i] = .missing
            ranks[i] = .max
        }
        unfound = found.count
        var walk = Walk(bytes: line, position: 0, stopWhenAllFound: stopWhenAllFound)
        walk.skipWhitespace()
        guard walk.position < line.count, line[walk.position] == UInt8(ascii: "{") else { return false }
        guard walk.object(node: 0, depth: 1, scanner: &self) else { return false }
        if walk.stopped { return true }
        walk.skipWhitespace()
        return walk.position == line.count
    }

    /// Records `value` for the node's field unless a better-ranked key already gave one.
    @inlinable
    mutating func record(_ value: JSONValue, node: Int) -> Bool {
        let slot = nodes[node].slot
        let rank = nodes[node].rank
        if rank < ranks[slot] {
            if found[slot].kind == .missing { unfound -= 1 }
            found[slot] = value
            ranks[slot] = rank
        }
        return unfound == 0 && allBest()
    }

    /// Whether every found value came from its first-choice key (nothing better can follow).
    @inlinable
    func allBest() -> Bool {
        for r in ranks where r != 0 { return false }
        return true
    }

    /// The child of `node` whose key segment is `line[key]`, or `nil`.
    @inlinable
    func child(of node: Int, key: Range<Int>, in line: UnsafeRawBufferPointer) -> Int? {
        let parent = nodes[node]
        guard parent.childCount > 0 else { return nil }
        let count = key.count
        for c in parent.firstChild..<(parent.firstChild + parent.childCount) {
            let candidate = nodes[c]
            guard candidate.keyEnd - candidate.keyStart == count else { continue }
            var k = 0
            while k < count, keyBytes[candidate.keyStart + k] == line[key.lowerBound + k] { k += 1 }
            if k == count { return c }
        }
        return nil
    }

    /// The recursive-descent walk over one line.
    @usableFromInline
    struct Walk {
        @usableFromInline let bytes: UnsafeRawBufferPointer
        @usableFromInline var position: Int
        @usableFromInline let stopWhenAllFound: Bool
        /// Set when the walk ended early because everything was found.
        @usableFromInline var stopped = false

        @inlinable
        init(bytes: UnsafeRawBufferPointer, position: Int, stopWhenAllFound: Bool) {
            self.bytes = bytes
            self.position = position
            self.stopWhenAllFound = stopWhenAllFound
        }

        @inlinable
        mutating func skipWhitespace() {
            while position < bytes.count {
                let b = bytes[position]
                guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return }
                position += 1
            }
        }

        /// An object whose `{` is at `position`; its keys are matched against `node`'s children.
        @inlinable
        mutating func object(node: Int, depth: Int, scanner: inout JSONScanner) -> Bool {
            guard depth <= JSONScanner.maxDepth else { return false }
            position += 1  // '{'
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return true
            }
            while true {
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return false }
                guard let (key, keyEscaped) = string() else { return false }
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return false }
                position += 1
                skipWhitespace()
                let match = keyEscaped ? nil : scanner.child(of: node, key: key, in: bytes)
                if let match {
                    guard member(node: match, depth: depth, scanner: &scanner) else { return false }
                    if stopped { return true }
                } else {
                    guard skipValue(depth: depth) else { return false }
                }
                switch afterElement(closing: UInt8(ascii: "}")) {
                case .next: continue
                case .closed: return true
                case .invalid: return false
                }
            }
        }

        /// The value of a wanted key: recorded if the node fills a field, searched further if
        /// the node has children.
        @inlinable
        mutating func member(node: Int, depth: Int, scanner: inout JSONScanner) -> Bool {
            guard position < bytes.count else { return false }
            let first = bytes[position]
            let wantsField = scanner.nodes[node].slot >= 0
            let hasChildren = scanner.nodes[node].childCount > 0
            let start = position
            let ok: Bool
            if hasChildren, first == UInt8(ascii: "{") {
                ok = object(node: node, depth: depth + 1, scanner: &scanner)
            } else if hasChildren, first == UInt8(ascii: "[") {
                ok = arrayLookingIntoFirst(node: node, depth: depth + 1, scanner: &scanner)
            } else if wantsField, first == UInt8(ascii: "\"") {
                guard let (range, escaped) = string() else { return false }
                if scanner.record(JSONValue(kind: .string, range: range, hasEscapes: escaped), node: node),
                    stopWhenAllFound
                {
                    stopped = true
                }
                return true
            } else {
                ok = skipValue(depth: depth)
            }
            guard ok else { return false }
            if stopped { return true }
            if wantsField {
                let kind: JSONValue.Kind
                switch first {
                case UInt8(ascii: "{"): kind = .object
                case UInt8(ascii: "["): kind = .array
                case UInt8(ascii: "t"): kind = .true
                case UInt8(ascii: "f"): kind = .false
                case UInt8(ascii: "n"): kind = .null
                default: kind = .number
                }
                if scanner.record(JSONValue(kind: kind, range: start..<position, hasEscapes: false), node: node),
                    stopWhenAllFound
                {
                    stopped = true
                }
            }
            return true
        }

        /// An array whose first element, if an object, is searched with `node`'s children; the
        /// other elements are only checked.
        @inlinable
        mutating func arrayLookingIntoFirst(node: Int, depth: Int, scanner: inout JSONScanner) -> Bool {
            guard depth <= JSONScanner.maxDepth else { return false }
            position += 1  // '['
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return true
            }
            var first = true
            while true {
                guard position < bytes.count else { return false }
                if first, bytes[position] == UInt8(ascii: "{") {
                    guard object(node: node, depth: depth + 1, scanner: &scanner) else { return false }
                    if stopped { return true }
                } else {
                    guard skipValue(depth: depth) else { return false }
                }
                first = false
                switch afterElement(closing: UInt8(ascii: "]")) {
                case .next: continue
                case .closed: return true
                case .invalid: return false
                }
            }
        }

        @usableFromInline
        enum AfterElement { case next, closed, invalid }

        /// What follows an element of an object or array: `,` and another element (whitespace
        /// after it skipped), or the container's closing byte (passed).
        @inlinable
        mutating func afterElement(closing: UInt8) -> AfterElement {
            skipWhitespace()
            guard position < bytes.count else { return .invalid }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                skipWhitespace()
                return .next
            }
            guard bytes[position] == closing else { return .invalid }
            position += 1
            return .closed
        }

        /// Checks and passes over any value at `position` (inside `depth` levels of nesting).
        @inlinable
        mutating func skipValue(depth: Int) -> Bool {
            guard position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return skipContainer(depth: depth)
            case UInt8(ascii: "t"):
                return literal("true")
            case UInt8(ascii: "f"):
                return literal("false")
            case UInt8(ascii: "n"):
                return literal("null")
            default:
                return number()
            }
        }

        /// An object or array nobody looks into, checked all the same (recursion is bounded by
        /// ``JSONScanner/maxDepth``).
        @inlinable
        mutating func skipContainer(depth: Int) -> Bool {
            guard depth < JSONScanner.maxDepth else { return false }
            let isObject = bytes[position] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            position += 1
            skipWhitespace()
            if position < bytes.count, bytes[position] == close {
                position += 1
                return true
            }
            while true {
                if isObject {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), string() != nil else {
                        return false
                    }
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return false }
                    position += 1
                    skipWhitespace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                switch afterElement(closing: close) {
                case .next: continue
                case .closed: return true
                case .invalid: return false
                }
            }
        }

        @inlinable
        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard bytes.count - position >= count else { return false }
            let p = word.utf8Start
            for k in 0..<count where bytes[position + k] != p[k] { return false }
            position += count
            return true
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
        @inlinable
        mutating func number() -> Bool {
            let end = bytes.count
            if position < end, bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < end, bytes[position] &- 0x30 < 10 else { return false }
            if bytes[position] == UInt8(ascii: "0") {
                position += 1
            } else {
                while position < end, bytes[position] &- 0x30 < 10 { position += 1 }
            }
            if position < end, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard position < end, bytes[position] &- 0x30 < 10 else { return false }
                while position < end, bytes[position] &- 0x30 < 10 { position += 1 }
            }
            if position < end, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                    position += 1
                }
                guard position < end, bytes[position] &- 0x30 < 10 else { return false }
                while position < end, bytes[position] &- 0x30 < 10 { position += 1 }
            }
            return true
        }

        /// A string whose opening quote is at `position`: the range inside the quotes and whether
        /// it has escapes; moves past the closing quote. Looks for the next `"` or `\` eight bytes
        /// at a time.
        @inlinable
        mutating func string() -> (Range<Int>, Bool)? {
            let end = bytes.count
            let start = position + 1
            var i = start
            var escaped = false
            while true {
                if let base = bytes.baseAddress {
                    while i + 8 <= end {
                        let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        let mask =
                            FieldCursor.zeroBytes(word ^ 0x2222_2222_2222_2222)
                            | FieldCursor.zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
                        if mask != 0 {
                            i += mask.trailingZeroBitCount >> 3
                            break
                        }
                        i += 8
                    }
                }
                while i < end, bytes[i] != 0x22, bytes[i] != 0x5C { i += 1 }
                guard i < end else { return nil }
                if bytes[i] == 0x22 {
                    position = i + 1
                    return (start..<i, escaped)
                }
                // A backslash: one of \" \\ \/ \b \f \n \r \t, or \u and four hex digits.
                escaped = true
                guard i + 1 < end else { return nil }
                switch bytes[i + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= end else { return nil }
                    for k in (i + 2)..<(i + 6) where JSONScanner.hexValue(bytes[k]) == nil { return nil }
                    i += 6
                default:
                    return nil
                }
            }
        }
    }
}

extension JSONScanner {
    /// The value of a hexadecimal digit.
    @inlinable
    static func hexValue(_ b: UInt8) -> UInt32? {
        if b &- 0x30 < 10 { return UInt32(b &- 0x30) }
        let lower = b | 0x20
        if lower &- 0x61 < 6 { return UInt32(lower &- 0x61 + 10) }
        return nil
    }

    /// Decodes the escapes of the string at `range` (the inside of the quotes) in place and
    /// returns the decoded string's range (it starts where `range` starts and is never longer).
    ///
    /// `\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t` become their byte; `\uXXXX` becomes the code point in
    /// UTF-8, a surrogate pair one four-byte sequence; a lone surrogate becomes U+FFFD. Returns
    /// `nil` for a malformed escape (which a scanned string never has).
    @inlinable
    public static func decodeString(_ bytes: UnsafeMutableRawBufferPointer, _ range: Range<Int>) -> Range<Int>? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        var read = range.lowerBound
        var write = range.lowerBound
        let end = range.upperBound
        while read < end {
            let b = bytes[read]
            if b != 0x5C {
                bytes[write] = b
                write += 1
                read += 1
                continue
            }
            guard read + 1 < end else { return nil }
            let e = bytes[read + 1]
            read += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes[write] = e
            case UInt8(ascii: "b"): bytes[write] = 0x08
            case UInt8(ascii: "f"): bytes[write] = 0x0C
            case UInt8(ascii: "n"): bytes[write] = 0x0A
            case UInt8(ascii: "r"): bytes[write] = 0x0D
            case UInt8(ascii: "t"): bytes[write] = 0x09
            case UInt8(ascii: "u"):
                guard var scalar = hex4(bytes, at: read, end: end) else { return nil }
                read += 4
                if scalar & 0xFC00 == 0xD800 {
                    // A high surrogate: a low one must follow as another \u escape.
                    if read + 6 <= end, bytes[read] == 0x5C, bytes[read + 1] == UInt8(ascii: "u"),
                        let low = hex4(bytes, at: read + 2, end: end), low & 0xFC00 == 0xDC00
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        read += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar & 0xFC00 == 0xDC00 {
                    scalar = 0xFFFD
                }
                write = writeUTF8(scalar, into: bytes, at: write)
                continue
            default:
                return nil
            }
            write += 1
        }
        return range.lowerBound..<write
    }

    @inlinable
    static func hex4(_ bytes: UnsafeMutableRawBufferPointer, at i: Int, end: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var value: UInt32 = 0
        for k in i..<(i + 4) {
            guard let d = hexValue(bytes[k]) else { return nil }
            value = value << 4 | d
        }
        return value
    }

    /// Writes `scalar` as UTF-8 at `i`; returns the position after it.
    @inlinable
    static func writeUTF8(_ scalar: UInt32, into bytes: UnsafeMutableRawBufferPointer, at i: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            bytes[i] = UInt8(scalar)
            return i + 1
        case 0x80..<0x800:
            bytes[i] = UInt8(0xC0 | scalar >> 6)
            bytes[i + 1] = UInt8(0x80 | scalar & 0x3F)
            return i + 2
        case 0x800..<0x10000:
            bytes[i] = UInt8(0xE0 | scalar >> 12)
            bytes[i + 1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            bytes[i + 2] = UInt8(0x80 | scalar & 0x3F)
            return i + 3
        default:
            bytes[i] = UInt8(0xF0 | scalar >> 18)
            bytes[i + 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
            bytes[i + 2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            bytes[i + 3] = UInt8(0x80 | scalar & 0x3F)
            return i + 4
        }
    }

    /// When any found string value has escapes, copies `line` into `decoded`, decodes those
    /// values there in place, points their ranges into the copy and returns it (for
    /// ``LogEvent/text``); returns `nil` when nothing needs decoding (the ranges index `line`).
    @inlinable
    public mutating func decodeEscapedStrings(
        _ line: UnsafeRawBufferPointer, into decoded: DecodedLine
    ) -> UnsafeRawBufferPointer? {
        var copy: UnsafeMutableRawBufferPointer?
        for i in found.indices where found[i].kind == .string && found[i].hasEscapes {
            if copy == nil { copy = decoded.copy(line) }
            guard let copy, let range = Self.decodeString(copy, found[i].range) else { continue }
            found[i].range = range
            found[i].hasEscapes = false
        }
        return copy.map { UnsafeRawBufferPointer($0) }
    }
}

/// Reading JSON timestamps into UTC milliseconds.
public enum JSONTime {
    /// A JSON number as epoch time: seconds with an optional fraction (`1732875904.123456`), or
    /// integer milliseconds when it has twelve digits or more (`1732875904123`, Zeek's
    /// `JSON::TS_MILLIS`). `nil` for negatives, exponents or anything else.
    @inlinable
    public static func epochMillis(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        var whole: Int64 = 0
        while i < range.upperBound, bytes[i] &- 0x30 < 10 {
            guard i - range.lowerBound < 16 else { return nil }
            whole = whole * 10 + Int64(bytes[i] &- 0x30)
            i += 1
        }
        let digits = i - range.lowerBound
        guard digits > 0 else { return nil }
        if i == range.upperBound { return digits >= 12 ? whole : whole * 1000 }
        guard bytes[i] == UInt8(ascii: "."), i + 1 < range.upperBound else { return nil }
        i += 1
        var millis: Int64 = 0
        var count = 0
        while i < range.upperBound, bytes[i] &- 0x30 < 10 {
            if count < 3 { millis = millis * 10 + Int64(bytes[i] &- 0x30) }
            count += 1
            i += 1
        }
        guard i == range.upperBound, count > 0 else { return nil }
        while count < 3 {
            millis *= 10
            count += 1
        }
        return whole * 1000 + millis
    }

    /// An RFC 3339 string (`2026-11-29T03:45:04.123456+0000`, `…Z`, `…+01:00`); a time without a
    /// zone is read in `clock`'s zone. `nil` if the whole range is not such a time.
    @inlinable
    public static func iso8601Millis(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, clock: inout LineTime
    ) -> Int64? {
        guard range.upperBound <= bytes.count else { return nil }
        var cursor = FieldCursor(UnsafeRawBufferPointer(rebasing: bytes[0..<range.upperBound]), from: range.lowerBound)
        guard case .millis(let t) = clock.iso8601(&cursor), cursor.position == range.upperBound else { return nil }
        return t
    }
}
