/// Reads a document line by line: headers, key/value pairs, and the values themselves.
///
/// The parser owns the structure (which table a pair goes into, arrays, inline tables); the
/// ``Scanner`` reads the tokens and ``TableBuilder`` enforces the rules about defining tables.
struct Parser {
    /// Arrays and inline tables nested deeper than this, and keys with more parts, are rejected,
    /// so that a hostile document cannot exhaust the stack.
    static let maximumDepth = 100

    private var scanner: Scanner
    private let root = TableBuilder(origin: .header, position: TOMLPosition(line: 1, column: 1))
    /// The table the next key/value pair goes into: the root, or the table of the last header.
    private var current: TableBuilder
    private var depth = 0

    init(bytes: [UInt8]) throws(TOMLError) {
        scanner = try Scanner(bytes: bytes)
        current = root
    }

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        while true {
            scanner.skipSpaces()
            guard let byte = scanner.peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "["):
                try parseHeader()
            default:
                let (path, node) = try parseKeyValue()
                try current.assign(node, to: path)
            }
            // Whatever was on the line, only a comment may follow it.
            scanner.skipSpaces()
            try scanner.skipComment()
            if !scanner.isAtEnd, try !scanner.skipNewline() {
                throw scanner.unexpected("expected the end of the line")
            }
        }
        return root.build()
    }

    /// Reads `[a.b]` or `[[a.b]]` and makes its table the current one.
    private mutating func parseHeader() throws(TOMLError) {
        let start = scanner.index
        let isArray = scanner.peek(1) == UInt8(ascii: "[")
        scanner.advance(isArray ? 2 : 1)
        let path = try parseKey()
        guard scanner.peek() == UInt8(ascii: "]") else {
            throw scanner.unexpected("expected '\(isArray ? "]]" : "]")' to close the table header")
        }
        scanner.advance()
        if isArray {
            guard scanner.peek() == UInt8(ascii: "]") else {
                throw scanner.unexpected("expected ']]' to close the array-of-tables header")
            }
            scanner.advance()
        }
        current = try root.openTable(path, isArray: isArray, header: scanner.position(of: start))
    }

    /// Reads a (possibly dotted) key, and the whitespace after it.
    private mutating func parseKey() throws(TOMLError) -> [KeySegment] {
        var path: [KeySegment] = []
        while true {
            scanner.skipSpaces()
            let start = scanner.index
            let name: String
            switch scanner.peek() {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                name = try scanner.scanString(allowMultiline: false)
            case let byte? where Scanner.isBareKeyByte(byte):
                while let byte = scanner.peek(), Scanner.isBareKeyByte(byte) { scanner.advance() }
                name = String(decoding: scanner.bytes[start..<scanner.index], as: UTF8.self)
            default:
                throw scanner.unexpected("expected a key")
            }
            path.append(KeySegment(name: name, position: scanner.position(of: start)))
            scanner.skipSpaces()
            guard scanner.peek() == UInt8(ascii: ".") else { return path }
            if path.count == Self.maximumDepth {
                throw scanner.error("a key cannot have more than \(Self.maximumDepth) parts", at: scanner.index)
            }
            scanner.advance()
        }
    }

    /// Reads `key = value`.
    private mutating func parseKeyValue() throws(TOMLError) -> ([KeySegment], TOMLNode) {
        let path = try parseKey()
        guard scanner.peek() == UInt8(ascii: "=") else {
            throw scanner.unexpected("expected '=' after the key '\(path.display())'")
        }
        scanner.advance()
        scanner.skipSpaces()
        return (path, try parseValue())
    }

    private mutating func parseValue() throws(TOMLError) -> TOMLNode {
        let position = scanner.position
        let value: TOMLValue
        switch scanner.peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            value = .string(try scanner.scanString(allowMultiline: true))
        case UInt8(ascii: "["):
            value = try nested { parser throws(TOMLError) in try parser.parseArray() }
        case UInt8(ascii: "{"):
            value = try nested { parser throws(TOMLError) in try parser.parseInlineTable() }
        default:
            value = try scanner.scanBareValue()
        }
        return TOMLNode(value: value, position: position)
    }

    /// Runs `body` one level deeper in arrays and inline tables.
    private mutating func nested(
        _ body: (inout Parser) throws(TOMLError) -> TOMLValue
    ) throws(TOMLError) -> TOMLValue {
        guard depth < Self.maximumDepth else {
            throw scanner.error("arrays and inline tables are nested too deeply", at: scanner.index)
        }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    /// Reads `[ value, value, ]`, which may span lines and hold comments.
    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        let start = scanner.index
        scanner.advance()
        var elements: [TOMLNode] = []
        while true {
            try scanner.skipBlank()
            if scanner.isAtEnd { throw scanner.error("unterminated array", at: start) }
            if scanner.peek() == UInt8(ascii: "]") { break }
            elements.append(try parseValue())
            try scanner.skipBlank()
            if scanner.isAtEnd { throw scanner.error("unterminated array", at: start) }
            if scanner.peek() == UInt8(ascii: "]") { break }
            guard scanner.peek() == UInt8(ascii: ",") else {
                throw scanner.unexpected("expected ',' or ']' after an array element")
            }
            scanner.advance()
        }
        scanner.advance()
        return .array(elements)
    }

    /// Reads `{ key = value, … }`: on one line, without a trailing comma.
    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        let start = scanner.index
        let table = TableBuilder(origin: .header, position: scanner.position)
        scanner.advance()
        scanner.skipSpaces()
        if scanner.peek() == UInt8(ascii: "}") {
            scanner.advance()
            return .table(table.build())
        }
        while true {
            let (path, node) = try parseKeyValue()
            try table.assign(node, to: path)
            scanner.skipSpaces()
            switch scanner.peek() {
            case UInt8(ascii: "}"):
                scanner.advance()
                return .table(table.build())
            case UInt8(ascii: ","):
                scanner.advance()
                scanner.skipSpaces()
                if scanner.peek() == UInt8(ascii: "}") {
                    throw scanner.error("trailing comma in an inline table", at: scanner.index)
                }
            case nil, UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw scanner.error("unterminated inline table (an inline table must be on one line)", at: start)
            default:
                throw scanner.unexpected("expected ',' or '}' in an inline table")
            }
        }
    }
}
