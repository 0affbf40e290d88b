import LogParsing
import Testing

@Suite("FieldCursor")
struct FieldCursorTests {
    @Test(arguments: [
        ("12345678", UInt64?.some(12_345_678)), ("00000000", 0), ("99999999", 99_999_999), ("17959239", 17_959_239),
        ("1234567a", nil), ("/2345678", nil), (":2345678", nil), ("1234 678", nil), ("1234567", nil),
    ])
    func eightDigits(text: String, value: UInt64?) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { #expect(FieldCursor.eightDigits(in: UnsafeRawBufferPointer($0), at: 0) == value) }
    }

    /// Fields split eight bytes at a time must equal a plain split on spaces and tabs, at every
    /// field length around the word size.
    @Test func nextFieldMatchesSplit() {
        for length in 1...20 {
            let field = String(repeating: "x", count: length)
            let line = "  \(field)\t\(field) \(field)  \(field)"
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { raw in
                let buffer = UnsafeRawBufferPointer(raw)
                var cursor = FieldCursor(buffer)
                var fields: [String] = []
                while let range = cursor.nextField() { fields.append(String(decoding: buffer[range], as: UTF8.self)) }
                #expect(fields == line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
            }
        }
    }
}
