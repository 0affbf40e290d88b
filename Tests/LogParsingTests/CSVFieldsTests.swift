import LogParsing
import SeededRandom
import Testing

/// Splits `line` and returns the fields as strings, unescaped.
private func fields(
    _ line: String, separator: UInt8 = UInt8(ascii: ","), quoting: Bool = true, capacity: Int = 128
) -> (fields: [String], extra: Int) {
    let table = CSVFields(capacity: capacity)
    let decoded = DecodedLine()
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBytes { raw in
        let line = UnsafeRawBufferPointer(raw)
        table.split(line, separator: separator, quoting: quoting)
        let copy = decoded.copy(line)
        var out: [String] = []
        for i in 0..<table.count {
            let range = table.hasEscapes(i) ? table.unescape(i, in: copy) : table.range(i)!
            out.append(String(decoding: copy[range], as: UTF8.self))
        }
        return (out, table.extra)
    }
}

private func words(_ line: String) -> [String] {
    let table = CSVFields()
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBytes { raw in
        let line = UnsafeRawBufferPointer(raw)
        table.splitWords(line)
        return (0..<table.count).map { String(decoding: line[table.range($0)!], as: UTF8.self) }
    }
}

@Suite("CSV fields")
struct CSVFieldsTests {
    @Test func plainFields() {
        #expect(fields("a,b,,c").fields == ["a", "b", "", "c"])
        #expect(fields("").fields == [""])
        #expect(fields(",").fields == ["", ""])
    }

    @Test func quotedFieldsWithSeparatorsAndEscapes() {
        let line = #""2026-11-29 03:45:04","Doe, Jane (jane@corp.example)","say ""hi""",plain,"""quoted"""#
        #expect(
            fields(line).fields == [
                "2026-11-29 03:45:04", "Doe, Jane (jane@corp.example)", "say \"hi\"", "plain", "\"quoted\"",
            ])
    }

    @Test func escapeOnlyMarkedWhereNeeded() {
        let table = CSVFields()
        var bytes = Array(#""a""b","c""#.utf8)
        bytes.withUnsafeMutableBytes { raw in
            table.split(UnsafeRawBufferPointer(raw), separator: UInt8(ascii: ","))
        }
        #expect(table.count == 2)
        #expect(table.hasEscapes(0))
        #expect(!table.hasEscapes(1))
        #expect(table.anyEscaped)
        #expect(table.range(0) == 1..<5)
        #expect(table.range(1) == 8..<9)
        #expect(table.range(2) == nil)
    }

    @Test func spacesBeforeAnOpeningQuote() {
        // Old Umbrella exports: `"a", "b"`.
        #expect(
            fields(#""2015-01-16 17:48:41","ActiveDirectoryUserName", "ActiveDirectoryUserName,ADSite,Network", "10.10.1.100""#)
                .fields == [
                    "2015-01-16 17:48:41", "ActiveDirectoryUserName", "ActiveDirectoryUserName,ADSite,Network",
                    "10.10.1.100",
                ])
        // Spaces without a quote after them belong to the field.
        #expect(fields("a, b ,c").fields == ["a", " b ", "c"])
    }

    @Test func exportQuirks() {
        #expect(fields("a,b\"c,d").fields == ["a", "b\"c", "d"])  // stray quote in an unquoted field
        #expect(fields("\"a\"junk,b").fields == ["a", "b"])  // bytes after the closing quote
        #expect(fields("a,\"unterminated, still").fields == ["a", "unterminated, still"])
        #expect(fields("a,b\r").fields == ["a", "b"])
        #expect(fields("a,\"b\"\r").fields == ["a", "b"])
        #expect(fields("a,\"\"").fields == ["a", ""])
    }

    @Test func tabsAndNoQuoting() {
        #expect(fields("a\t\"b\tc\"\td", separator: 0x09).fields == ["a", "b\tc", "d"])
        #expect(fields("a\t\"b\"\tc", separator: 0x09, quoting: false).fields == ["a", "\"b\"", "c"])
    }

    @Test func extraColumnsAreCounted() {
        let result = fields("1,2,3,4,5", capacity: 3)
        #expect(result.fields == ["1", "2", "3"])
        #expect(result.extra == 2)
    }

    @Test func w3cWords() {
        #expect(
            words("2011-08-04 21:00:00 11 0.0.0.0 - OBSERVED \"unavailable\" -  200 \"a b\" x\r") == [
                "2011-08-04", "21:00:00", "11", "0.0.0.0", "-", "OBSERVED", "unavailable", "-", "200", "a b", "x",
            ])
        #expect(words("\"a\"b\" c") == ["a\"b", "c"])
        #expect(words("  ") == [])
        #expect(words("\"open") == ["open"])
    }

    @Test func randomLinesStayInBounds() {
        var random = SplitMix64(state: 7)
        let table = CSVFields(capacity: 16)
        let alphabet = Array(",\"\t \r\nab".utf8)
        for _ in 0..<50_000 {
            var bytes = (0..<random.below(60)).map { _ in alphabet[random.below(alphabet.count)] }
            bytes.withUnsafeMutableBytes { raw in
                let line = UnsafeRawBufferPointer(raw)
                for mode in 0..<3 {
                    switch mode {
                    case 0: table.split(line, separator: UInt8(ascii: ","))
                    case 1: table.split(line, separator: 0x09, quoting: false)
                    default: table.splitWords(line)
                    }
                    for i in 0..<table.count {
                        let r = table.range(i)!
                        #expect(r.lowerBound >= 0 && r.lowerBound <= r.upperBound && r.upperBound <= line.count)
                        let u = table.unescape(i, in: raw)
                        #expect(u.lowerBound == r.lowerBound && u.upperBound <= r.upperBound)
                    }
                }
            }
        }
    }
}
