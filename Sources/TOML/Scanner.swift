/// A cursor over a document's bytes that can say where any byte is.
///
/// The reader works on UTF-8 bytes and builds a `String` only for the text of a string, key or
/// bare value. Line starts are found once, when the scanner is made, so turning an index into a
/// ``TOMLPosition`` is a binary search and no lexing code has to count newlines: positions cannot
/// drift, whichever way a newline was consumed.
struct Scanner {
    let bytes: [UInt8]
    /// The next byte to read.
    var index: Int
    /// The index of the first byte of each line; line 1 starts after a byte order mark.
    private let lineStarts: [Int]

    /// Makes a scanner over `bytes`, skipping a UTF-8 byte order mark.
    ///
    /// - Throws: ``TOMLError`` at the first byte that is not part of well-formed UTF-8, so that
    ///   the lexing code may turn any run of bytes into a `String` without checking.
    init(bytes: [UInt8]) throws(TOMLError) {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lineStarts = [start]
        for i in start..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            lineStarts.append(i + 1)
        }
        self.bytes = bytes
        self.index = start
        self.lineStarts = lineStarts
        if let bad = Self.firstInvalidUTF8(in: bytes, from: start) {
            throw error("invalid UTF-8", at: bad)
        }
    }

    var isAtEnd: Bool { index >= bytes.count }

    /// The byte `offset` bytes after the cursor, or `nil` past the end.
    func peek(_ offset: Int = 0) -> UInt8? {
        let i = index + offset
        return i < bytes.count ? bytes[i] : nil
    }

    mutating func advance(_ count: Int = 1) {
        index += count
    }

    func position(of index: Int) -> TOMLPosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= index { low = middle } else { high = middle - 1 }
        }
        return TOMLPosition(line: low + 1, column: index - lineStarts[low] + 1)
    }

    var position: TOMLPosition { position(of: index) }

    func error(_ message: String, at index: Int) -> TOMLError {
        TOMLError(position: position(of: index), message: message)
    }

    /// The error for whatever is at the cursor: "`expected`, found 'x'".
    func unexpected(_ expected: String) -> TOMLError {
        error("\(expected), found \(describe(at: index))", at: index)
    }

    /// The character at `index` as a message shows it: `'x'`, `end of line`, `U+0007`.
    func describe(at index: Int) -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte == UInt8(ascii: "\n")
            || (byte == UInt8(ascii: "\r") && index + 1 < bytes.count
                && bytes[index + 1] == UInt8(ascii: "\n"))
        {
            return "end of line"
        }
        if Self.isControl(byte) { return Self.scalarName(UInt32(byte)) }
        var iterator = bytes[index...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return "invalid UTF-8" }
        return "'\(Character(scalar))'"
    }

    // MARK: Whitespace, newlines, comments

    /// Skips spaces and tabs, the only whitespace TOML has within a line.
    mutating func skipSpaces() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            advance()
        }
    }

    /// Consumes a newline (LF or CRLF) if there is one at the cursor.
    ///
    /// - Throws: for a carriage return without a line feed, which TOML does not allow anywhere.
    mutating func skipNewline() throws(TOMLError) -> Bool {
        switch peek() {
        case UInt8(ascii: "\n"):
            advance()
            return true
        case UInt8(ascii: "\r"):
            guard peek(1) == UInt8(ascii: "\n") else {
                throw error("carriage return without a line feed", at: index)
            }
            advance(2)
            return true
        default:
            return false
        }
    }

    /// Skips a comment if there is one at the cursor, up to but not including its newline.
    ///
    /// - Throws: for a control character other than tab in the comment.
    mutating func skipComment() throws(TOMLError) {
        guard peek() == UInt8(ascii: "#") else { return }
        advance()
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n") { return }
            if Self.isControl(byte) {
                throw error("control character \(Self.scalarName(UInt32(byte))) in a comment", at: index)
            }
            advance()
        }
    }

    /// Skips what may sit between the elements of an array: whitespace, newlines and comments.
    mutating func skipBlank() throws(TOMLError) {
        while true {
            skipSpaces()
            try skipComment()
            guard try skipNewline() else { return }
        }
    }

    // MARK: Bytes

    /// A control character TOML forbids in strings and comments: everything below space except
    /// tab, and DEL. (Newlines are handled before this is asked.)
    static func isControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    static func isDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A character of a bare key: `A-Z a-z 0-9 _ -`.
    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// `U+000D`: a code point as messages name it.
    static func scalarName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The index of the first byte from `start` on that is not part of well-formed UTF-8
    /// (no overlong forms, surrogates or code points above U+10FFFF), or `nil`.
    static func firstInvalidUTF8(in bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i < bytes.count {
            let lead = bytes[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            // The length of the sequence and the range its second byte must fall in.
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; second = 0xA0...0xBF
            case 0xED: length = 3; second = 0x80...0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0: length = 4; second = 0x90...0xBF
            case 0xF4: length = 4; second = 0x80...0x8F
            case 0xF1...0xF3: length = 4
            default: return i
            }
            guard i + length <= bytes.count, second.contains(bytes[i + 1]) else { return i }
            for j in i + 2..<i + length where bytes[j] & 0xC0 != 0x80 { return i }
            i += length
        }
        return nil
    }
}
