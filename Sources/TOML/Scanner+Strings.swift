extension Scanner {
    /// Reads a string at its opening quote: basic (`"…"`) or literal (`'…'`), single-line or
    /// multi-line (`"""…"""`, `'''…'''`).
    ///
    /// - Parameter allowMultiline: `false` for keys, which TOML only allows as single-line
    ///   strings.
    /// - Throws: for an unterminated string (at its opening quote), a control character, a bad
    ///   escape sequence (at its backslash), or a multi-line string where a key belongs.
    mutating func scanString(allowMultiline: Bool) throws(TOMLError) -> String {
        let start = index
        let quote = bytes[start]
        let multiline = peek(1) == quote && peek(2) == quote
        if multiline && !allowMultiline {
            throw error("a key cannot be a multi-line string", at: start)
        }
        return try scanQuoted(from: start, multiline: multiline, escapes: quote == UInt8(ascii: "\""))
    }

    /// The one loop behind all four kinds of string; literal strings just have no escapes.
    private mutating func scanQuoted(
        from start: Int,
        multiline: Bool,
        escapes: Bool
    ) throws(TOMLError) -> String {
        let quote = bytes[start]
        advance(multiline ? 3 : 1)
        // A newline right after the opening delimiter is not part of the string.
        if multiline { _ = try skipNewline() }
        var text: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string", at: start) }
            switch byte {
            case quote:
                guard multiline else {
                    advance()
                    return String(decoding: text, as: UTF8.self)
                }
                // One or two quotes are content. Three end the string, and up to two more
                // right before them are content too (`""""` is a quote, then the end).
                var run = 1
                while run < 5, peek(run) == quote { run += 1 }
                text.append(contentsOf: repeatElement(quote, count: run >= 3 ? run - 3 : run))
                advance(run)
                if run >= 3 { return String(decoding: text, as: UTF8.self) }
            case UInt8(ascii: "\\") where escapes:
                try scanEscape(into: &text, multiline: multiline)
            case UInt8(ascii: "\n"),
                UInt8(ascii: "\r") where peek(1) == UInt8(ascii: "\n"):
                guard multiline else { throw error("unterminated string", at: start) }
                _ = try skipNewline()
                text.append(UInt8(ascii: "\n"))
            default:
                if Self.isControl(byte) {
                    throw error("control character \(Self.scalarName(UInt32(byte))) in a string", at: index)
                }
                text.append(byte)
                advance()
            }
        }
    }

    /// Reads an escape sequence at its backslash and appends what it stands for.
    ///
    /// In a multi-line basic string a backslash that ends a line (spaces and tabs may follow it)
    /// removes itself, the newline and all whitespace and newlines after it.
    private mutating func scanEscape(into text: inout [UInt8], multiline: Bool) throws(TOMLError) {
        let start = index
        if multiline {
            var ahead = 1
            while peek(ahead) == UInt8(ascii: " ") || peek(ahead) == UInt8(ascii: "\t") { ahead += 1 }
            if peek(ahead) == UInt8(ascii: "\n")
                || (peek(ahead) == UInt8(ascii: "\r") && peek(ahead + 1) == UInt8(ascii: "\n"))
            {
                advance(ahead)
                while try skipNewline() { skipSpaces() }
                return
            }
        }
        // At the end of the input the caller reports the unterminated string.
        guard let letter = peek(1) else { return advance() }
        let replacement: UInt8
        switch letter {
        case UInt8(ascii: "b"): replacement = 0x08
        case UInt8(ascii: "t"): replacement = 0x09
        case UInt8(ascii: "n"): replacement = 0x0A
        case UInt8(ascii: "f"): replacement = 0x0C
        case UInt8(ascii: "r"): replacement = 0x0D
        case UInt8(ascii: "\""): replacement = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): replacement = UInt8(ascii: "\\")
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            advance(2)
            return try appendEscapedScalar(digits: letter == UInt8(ascii: "u") ? 4 : 8, from: start, into: &text)
        default:
            let shown =
                (0x21..<0x7F).contains(letter)
                ? "'\\\(Character(Unicode.Scalar(letter)))'" : "'\\' followed by \(describe(at: start + 1))"
            throw error("invalid escape sequence \(shown)", at: start)
        }
        advance(2)
        text.append(replacement)
    }

    /// Reads the hex digits of a `\uXXXX` or `\UXXXXXXXX` escape and appends the scalar as UTF-8.
    private mutating func appendEscapedScalar(
        digits count: Int,
        from start: Int,
        into text: inout [UInt8]
    ) throws(TOMLError) {
        let name = count == 4 ? "\\u" : "\\U"
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let byte = peek(), let digit = Self.digitValue(byte, radix: 16) else {
                throw error("\(name) needs \(count) hexadecimal digits", at: start)
            }
            value = value << 4 | UInt32(digit)
            advance()
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error("\(name) escape \(Self.scalarName(value)) is not a Unicode scalar value", at: start)
        }
        UTF8.encode(scalar) { text.append($0) }
    }
}
