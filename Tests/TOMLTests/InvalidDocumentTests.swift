import TOML
import Testing

/// A document TOML 1.0 forbids, and the error it must produce.
struct InvalidDocument: Sendable, CustomTestStringConvertible {
    var source: String
    var line: Int
    var column: Int
    /// A part of the message.
    var message: String

    init(_ source: String, _ line: Int, _ column: Int, _ message: String) {
        self.source = source
        self.line = line
        self.column = column
        self.message = message
    }

    var testDescription: String { source.debugDescription }
}

@Suite("Invalid documents")
struct InvalidDocumentTests {
    static let documents: [InvalidDocument] = [
        // Keys and tables defined twice, or in conflicting ways.
        .init("a = 1\na = 2", 2, 1, "duplicate key 'a' (first defined at 1:1)"),
        .init("a.b = 1\na.b = 2", 2, 3, "duplicate key 'a.b' (first defined at 1:3)"),
        .init("a.b.c = 1\na.b = 2", 2, 3, "duplicate key 'a.b'"),
        .init("[t]\n\"x\" = 1\n'x' = 2", 3, 1, "duplicate key 'x'"),
        .init("[a]\n[a]", 2, 2, "table [a] is already defined at 1:2"),
        .init("[a.b]\nx = 1\n[a]\n[a]", 4, 2, "table [a] is already defined at 3:2"),
        .init("[a]\n[a.b]\n[a]", 3, 2, "table [a] is already defined"),
        .init("[a]\nb = 1\n[a.b]", 3, 4, "'a.b' is already an integer (defined at 2:1), not a table"),
        .init("[a]\nb = 1\n[a.b.c]", 3, 4, "'a.b' is already an integer"),
        .init("a = 1\n[a]", 2, 2, "'a' is already an integer (defined at 1:1), not a table"),
        .init("a = 1\na.b = 2", 2, 1, "'a' is already an integer"),
        .init("a = \"s\"\n[[a]]", 2, 3, "'a' is already a string"),
        .init("a = [1]\n[[a]]", 2, 3, "cannot append to static array 'a' (defined at 1:1)"),
        .init("x = [{a = 1}]\n[[x]]", 2, 3, "cannot append to static array 'x'"),
        .init("a = {b = 1}\n[a]", 2, 2, "cannot extend inline table 'a' (defined at 1:1)"),
        .init("a = {b = 1}\n[a.c]", 2, 2, "cannot extend inline table 'a'"),
        .init("a = {b = 1}\na.c = 2", 2, 1, "cannot extend inline table 'a'"),
        .init("[a]\nb = { c = {} }\n[a.b.c.d]", 3, 4, "cannot extend inline table 'a.b'"),
        .init("a = { b = { c = 1 }, b.d = 2 }", 1, 22, "cannot extend inline table 'b'"),
        .init("a = {x = 1, x = 2}", 1, 13, "duplicate key 'x'"),
        .init("[[a]]\n[a]", 2, 2, "table [a] is already defined as an array of tables at 1:3"),
        .init("[a]\n[[a]]", 2, 3, "cannot define [[a]]: 'a' is already a table"),
        .init("[fruit]\napple.color = \"red\"\n[fruit.apple]", 3, 8, "defined by dotted keys at 2:1"),
        .init("a.b = 1\n[a]", 2, 2, "table [a] is already defined by dotted keys"),
        .init("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 3, "cannot add keys to table 'b.c' with dotted keys"),
        .init("[[a.b]]\n[a]\nb.y = 2", 3, 1, "cannot add keys to array of tables 'b'"),
        .init("[a.b.c]\n[a]\nb.d = 1\n[a.b]", 4, 4, "table [a.b] is already defined by dotted keys"),
        // Characters TOML forbids.
        .init("a = \"x\u{01}\"", 1, 7, "control character U+0001 in a string"),
        .init("a = \"tab\tok, DEL \u{7F}\"", 1, 18, "control character U+007F in a string"),
        .init("a = '''\nx\u{0}'''", 2, 2, "control character U+0000 in a string"),
        .init("a = \"\"\"\nx\ry\"\"\"", 2, 2, "control character U+000D in a string"),
        .init("a = 1 # ok \u{07}", 1, 12, "control character U+0007 in a comment"),
        .init("# \u{7F}\na = 1", 1, 3, "control character U+007F in a comment"),
        .init("a = 1\rb = 2", 1, 6, "carriage return without a line feed"),
        .init("a = [\r1]", 1, 6, "carriage return without a line feed"),
        // Unterminated things, reported where they start.
        .init("a = \"abc", 1, 5, "unterminated string"),
        .init("a = \"abc\nb = 1", 1, 5, "unterminated string"),
        .init("x = 1\na = 'abc\nb = 1", 2, 5, "unterminated string"),
        .init("a = \"\"\"abc\n\"\"", 1, 5, "unterminated string"),
        .init("a = '''abc''", 1, 5, "unterminated string"),
        .init("a = \"abc\\", 1, 5, "unterminated string"),
        .init("a = [1, 2", 1, 5, "unterminated array"),
        .init("a = [1, [2,\n\n", 1, 9, "unterminated array"),
        .init("a = {b = 1", 1, 5, "unterminated inline table"),
        .init("a = { b = 1\n}", 1, 5, "unterminated inline table"),
        .init("[a", 1, 3, "expected ']' to close the table header, found end of file"),
        .init("[a\nb = 1", 1, 3, "expected ']' to close the table header, found end of line"),
        .init("[[a]", 1, 5, "expected ']]' to close the array-of-tables header"),
        .init("[[a] ]", 1, 5, "expected ']]'"),
        // Syntax.
        .init("a 1", 1, 3, "expected '=' after the key 'a', found '1'"),
        .init("a.b\n= 1", 1, 4, "expected '=' after the key 'a.b', found end of line"),
        .init("= 1", 1, 1, "expected a key, found '='"),
        .init("a. = 1", 1, 4, "expected a key, found '='"),
        .init("[]", 1, 2, "expected a key, found ']'"),
        .init("[a.]", 1, 4, "expected a key, found ']'"),
        .init("[ [a] ]", 1, 3, "expected a key, found '['"),
        .init("\"\"\"a\"\"\" = 1", 1, 1, "a key cannot be a multi-line string"),
        .init("ü = 1", 1, 1, "expected a key, found 'ü'"),
        .init("a =", 1, 4, "expected a value, found end of file"),
        .init("a = \nb = 1", 1, 5, "expected a value, found end of line"),
        .init("a = # nothing", 1, 5, "expected a value, found '#'"),
        .init("a = 1 b = 2", 1, 7, "expected the end of the line, found 'b'"),
        .init("a = \"x\" \"y\"", 1, 9, "expected the end of the line, found '\"'"),
        .init("a = \"\"\"a\"\"\"\"\"\"", 1, 14, "expected the end of the line, found '\"'"),
        .init("[a] b = 1", 1, 5, "expected the end of the line, found 'b'"),
        .init("a = 1,", 1, 6, "expected the end of the line, found ','"),
        .init("a = [1 2]", 1, 8, "expected ',' or ']' after an array element, found '2'"),
        .init("a = [1, 2\nb = 3", 2, 1, "expected ',' or ']' after an array element, found 'b'"),
        .init("a = [,]", 1, 6, "expected a value, found ','"),
        .init("a = [1,,]", 1, 8, "expected a value, found ','"),
        .init("a = {b = 1,}", 1, 12, "trailing comma in an inline table"),
        .init("a = {b = 1 c = 2}", 1, 12, "expected ',' or '}' in an inline table, found 'c'"),
        .init("a = {b = 1,\nc = 2}", 1, 12, "expected a key, found end of line"),
        .init("a = {,}", 1, 6, "expected a key, found ','"),
        .init("a = " + String(repeating: "[", count: 101), 1, 105, "nested too deeply"),
        .init(String(repeating: "a.", count: 100) + "a = 1", 1, 200, "a key cannot have more than 100 parts"),
        // Escapes.
        .init("a = \"\\q\"", 1, 6, "invalid escape sequence '\\q'"),
        .init("a = \"\\x41\"", 1, 6, "invalid escape sequence '\\x'"),
        .init("a = \"\\ \"", 1, 6, "invalid escape sequence '\\' followed by ' '"),
        .init("a = \"line \\\nnext\"", 1, 11, "invalid escape sequence '\\' followed by end of line"),
        .init("a = \"\"\"\\  x\"\"\"", 1, 8, "invalid escape sequence '\\' followed by ' '"),
        .init("a = \"\\u12\"", 1, 6, "\\u needs 4 hexadecimal digits"),
        .init("a = \"\\U0001F60\"", 1, 6, "\\U needs 8 hexadecimal digits"),
        .init("a = \"\\uD800\"", 1, 6, "\\u escape U+D800 is not a Unicode scalar value"),
        .init("a = \"\\U00110000\"", 1, 6, "\\U escape U+110000 is not a Unicode scalar value"),
        // Numbers.
        .init("a = 012", 1, 5, "leading zeros are not allowed: '012'"),
        .init("a = -0_1", 1, 5, "leading zeros"),
        .init("a = 03.14", 1, 5, "leading zeros"),
        .init("a = 1__000", 1, 5, "invalid integer '1__000'"),
        .init("a = 1_", 1, 5, "invalid integer '1_'"),
        .init("a = _1", 1, 5, "invalid value '_1'"),
        .init("a = 9223372036854775808", 1, 5, "integer '9223372036854775808' does not fit in 64 bits"),
        .init("a = -9223372036854775809", 1, 5, "does not fit in 64 bits"),
        .init("a = 0x1_0000_0000_0000_0000", 1, 5, "does not fit in 64 bits"),
        .init("a = 0x", 1, 5, "invalid integer '0x'"),
        .init("a = 0xG1", 1, 5, "invalid integer '0xG1'"),
        .init("a = 0o8", 1, 5, "invalid integer '0o8'"),
        .init("a = 0b102", 1, 5, "invalid integer '0b102'"),
        .init("a = 0X1F", 1, 5, "invalid integer '0X1F'"),
        .init("a = +0x10", 1, 5, "a prefixed integer cannot have a sign: '+0x10'"),
        .init("a = 1.", 1, 5, "invalid float '1.'"),
        .init("a = .5", 1, 5, "invalid value '.5'"),
        .init("a = 1e", 1, 5, "invalid float '1e'"),
        .init("a = 1.e5", 1, 5, "invalid float '1.e5'"),
        .init("a = 1._5", 1, 5, "invalid float '1._5'"),
        .init("a = 1.5_", 1, 5, "invalid float '1.5_'"),
        .init("a = 1e5.5", 1, 5, "invalid float '1e5.5'"),
        .init("a = 1.2.3", 1, 5, "invalid float '1.2.3'"),
        .init("a = infinity", 1, 5, "invalid value 'infinity'; strings must be quoted"),
        .init("a = TRUE", 1, 5, "invalid value 'TRUE'; strings must be quoted"),
        .init("format = squid", 1, 10, "invalid value 'squid'; strings must be quoted"),
        .init("a = truex", 1, 5, "invalid value 'truex'"),
        // Date-times.
        .init("a = 1979-13-01", 1, 5, "invalid date-time '1979-13-01': month out of range"),
        .init("a = 1979-02-29", 1, 5, "day out of range"),
        .init("a = 1979-04-31", 1, 5, "day out of range"),
        .init("a = 1979-5-27", 1, 5, "expected a date as YYYY-MM-DD"),
        .init("a = 1979-05-27T25:00:00", 1, 5, "hour out of range"),
        .init("a = 1979-05-27T07:60:00", 1, 5, "minute out of range"),
        .init("a = 1979-05-27T07:32:61", 1, 5, "second out of range"),
        .init("a = 07:32", 1, 5, "expected a time as HH:MM:SS"),
        .init("a = 1979-05-27 07:32", 1, 5, "expected a time as HH:MM:SS"),
        .init("a = 1979-05-27T07:32:00.", 1, 5, "expected digits after '.'"),
        .init("a = 1979-05-27T07:32:00+25:00", 1, 5, "offset out of range"),
        .init("a = 1979-05-27T07:32:00+0700", 1, 5, "expected 'Z' or an offset as +HH:MM"),
        .init("a = 1979-05-27T07:32:00Zx", 1, 5, "expected 'Z' or an offset"),
        .init("a = 1979-05-27X07:32:00", 1, 5, "expected 'T' between the date and the time"),
        .init("a = 07:32:00Z", 1, 5, "unexpected characters after the time"),
    ]

    @Test("each invalid document fails at the right place", arguments: documents)
    func rejects(_ document: InvalidDocument) {
        do {
            let table = try TOML.parse(document.source)
            Issue.record("parsed as \(render(table))")
        } catch {
            #expect(error.position == at(document.line, document.column), "\(error)")
            #expect(error.message.contains(document.message), "\(error)")
        }
    }

    @Test(
        "invalid UTF-8 is rejected where it starts",
        arguments: [
            (Array("a = \"".utf8) + [0xC3, 0x28, 0x22], 1, 6),  // a lead byte without its continuation
            (Array("a = 1\n# ".utf8) + [0xC0, 0x80], 2, 3),  // overlong NUL
            (Array("a = '".utf8) + [0xED, 0xA0, 0x80, 0x27], 1, 6),  // a UTF-16 surrogate
            (Array("a = '".utf8) + [0xF4, 0x90, 0x80, 0x80, 0x27], 1, 6),  // above U+10FFFF
            (Array("a = 'x".utf8) + [0xE2, 0x82], 1, 7),  // cut short at the end
            ([0x80], 1, 1),  // a stray continuation byte
            ([0xEF, 0xBB, 0xBF, 0xFF], 1, 1),  // after a byte order mark
        ] as [([UInt8], Int, Int)]
    )
    func invalidUTF8(bytes: [UInt8], line: Int, column: Int) {
        #expect(throws: TOMLError(position: at(line, column), message: "invalid UTF-8")) {
            try TOML.parse(bytes: bytes)
        }
    }

    @Test func validMultibyteUTF8IsAccepted() throws {
        let bytes = Array("k = \"é € 😀 \u{10FFFF}\"".utf8)
        #expect(try TOML.parse(bytes: bytes)["k"]?.value == .string("é € 😀 \u{10FFFF}"))
    }
}
