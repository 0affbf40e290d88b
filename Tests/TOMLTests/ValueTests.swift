import TOML
import Testing

@Suite("Values")
struct ValueTests {
    @Test(
        "basic and literal strings",
        arguments: [
            (#""plain""#, "plain"),
            ("\"\"", ""),
            (#"''"#, ""),
            (#""tab\there""#, "tab\there"),
            (#""\b\t\n\f\r\"\\""#, "\u{08}\t\n\u{0C}\r\"\\"),
            (#""caf\u00E9 \U0001F600""#, "café 😀"),
            (#""\u0000""#, "\u{0}"),
            ("\"literal\ttab\"", "literal\ttab"),
            ("\"é ü 日本\"", "é ü 日本"),
            (#"'C:\Users\nodejs\templates'"#, #"C:\Users\nodejs\templates"#),
            (#"'<\i\c*\s*>'"#, #"<\i\c*\s*>"#),
            (#"'Tom "Dubs" Preston-Werner'"#, #"Tom "Dubs" Preston-Werner"#),
        ]
    )
    func singleLineStrings(source: String, expected: String) throws {
        #expect(try value(of: source) == .string(expected))
    }

    @Test(
        "multi-line strings",
        arguments: [
            ("\"\"\"\nRoses are red\nViolets are blue\"\"\"", "Roses are red\nViolets are blue"),
            ("\"\"\"\r\nfirst newline trimmed\r\nCRLF kept as LF\"\"\"", "first newline trimmed\nCRLF kept as LF"),
            (
                "\"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"",
                "The quick brown fox jumps over the lazy dog."
            ),
            ("\"\"\"\\\n       The quick brown \\\n       fox.\\\n       \"\"\"", "The quick brown fox."),
            (
                "\"\"\"trailing spaces after the backslash \\   \n  are trimmed too\"\"\"",
                "trailing spaces after the backslash are trimmed too"
            ),
            (
                "\"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"",
                "Here are two quotation marks: \"\". Simple enough."
            ),
            ("\"\"\"Here are three: \"\"\\\".\"\"\"", "Here are three: \"\"\"."),
            (
                "\"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"",
                "\"This,\" she said, \"is just a pointless statement.\""
            ),
            ("\"\"\"ends with two quotes\"\"\"\"\"", "ends with two quotes\"\""),
            ("\"\"\"escapes \\t work \\u00E9\"\"\"", "escapes \t work é"),
            (
                "'''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n'''",
                "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n"
            ),
            (#"'''I [dw]on't need \d{2} apples'''"#, #"I [dw]on't need \d{2} apples"#),
            (#"''''That,' she said, 'is still pointless.''''"#, #"'That,' she said, 'is still pointless.'"#),
            (#"'''no \escapes\ \here'''"#, #"no \escapes\ \here"#),
        ]
    )
    func multilineStrings(source: String, expected: String) throws {
        #expect(try value(of: source) == .string(expected))
    }

    @Test(
        "integers",
        arguments: [
            ("+99", 99), ("42", 42), ("0", 0), ("-17", -17), ("+0", 0), ("-0", 0),
            ("1_000", 1000), ("5_349_221", 5_349_221), ("53_49_221", 5_349_221), ("1_2_3_4_5", 12345),
            ("0xDEADBEEF", 0xDEAD_BEEF), ("0xdeadbeef", 0xDEAD_BEEF), ("0xdead_beef", 0xDEAD_BEEF),
            ("0x00ff", 255), ("0o01234567", 0o01234567), ("0o755", 0o755), ("0b11010110", 0b11010110),
            ("0b1_0", 2), ("9223372036854775807", Int64.max), ("-9223372036854775808", Int64.min),
            ("0x7FFFFFFFFFFFFFFF", Int64.max), ("1_048_576", 1_048_576),
        ] as [(String, Int64)]
    )
    func integers(source: String, expected: Int64) throws {
        #expect(try value(of: source) == .integer(expected))
    }

    @Test(
        "floats",
        arguments: [
            ("+1.0", 1.0), ("3.1415", 3.1415), ("-0.01", -0.01), ("5e+22", 5e+22), ("1e06", 1e06),
            ("-2E-2", -2e-2), ("6.626e-34", 6.626e-34), ("224_617.445_991_228", 224_617.445_991_228),
            ("1e1_0", 1e10), ("0.0", 0.0), ("0e0", 0.0), ("+0.0", 0.0), ("inf", .infinity), ("+inf", .infinity),
            ("-inf", -.infinity), ("9_007_199_254_740_993.0", 9_007_199_254_740_992.0),
        ] as [(String, Double)]
    )
    func floats(source: String, expected: Double) throws {
        #expect(try value(of: source) == .float(expected))
    }

    @Test("signed zero and NaN", arguments: ["nan", "+nan", "-nan"])
    func nan(source: String) throws {
        guard case .float(let float)? = try value(of: source) else {
            Issue.record("not a float")
            return
        }
        #expect(float.isNaN)
    }

    @Test func negativeZero() throws {
        guard case .float(let float)? = try value(of: "-0.0") else {
            Issue.record("not a float")
            return
        }
        #expect(float == 0 && float.sign == .minus)
    }

    @Test func booleans() throws {
        #expect(try value(of: "true") == .boolean(true))
        #expect(try value(of: "false") == .boolean(false))
    }

    @Test(
        "date-times are validated and kept as written",
        arguments: [
            "1979-05-27T07:32:00Z", "1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00.999999-07:00",
            "1979-05-27 07:32:00Z", "1979-05-27t07:32:00z", "1979-05-27T07:32:00", "1979-05-27T00:32:00.999999",
            "1979-05-27", "07:32:00", "00:32:00.999999", "2000-02-29", "2024-12-31T23:59:60+14:00",
            "1985-06-18 17:04:07+12:00",
        ]
    )
    func dateTimes(source: String) throws {
        #expect(try value(of: source) == .datetime(source))
    }

    @Test func dateFollowedByComment() throws {
        let document = try TOML.parse("d = 1979-05-27 # a date, then a comment\nt = 1979-05-27 07:32:00")
        #expect(document["d"]?.value == .datetime("1979-05-27"))
        #expect(document["t"]?.value == .datetime("1979-05-27 07:32:00"))
    }

    @Test(
        "arrays",
        arguments: [
            ("[]", "[]"),
            ("[ 1, 2, 3 ]", "[1, 2, 3]"),
            (#"[ "red", "yellow", "green" ]"#, #"["red", "yellow", "green"]"#),
            ("[ [ 1, 2 ], [3, 4, 5] ]", "[[1, 2], [3, 4, 5]]"),
            (#"[ [ 1, 2 ], ["a", 'b', """c"""] ]"#, #"[[1, 2], ["a", "b", "c"]]"#),
            (
                #"[ 0.1, 0.2, 0.5, 1, 2, 5, "mixed", true, 1979-05-27 ]"#,
                #"[0.1, 0.2, 0.5, 1, 2, 5, "mixed", true, 1979-05-27]"#
            ),
            (#"[ { x = 1, y = 2, z = 3 }, { x = 7, y = 8, z = 9 } ]"#, "[{x: 1, y: 2, z: 3}, {x: 7, y: 8, z: 9}]"),
            ("[\n  1,\n  2, # two\n  # nothing\n  3,\n]", "[1, 2, 3]"),
            ("[\r\n  1 , 2\r\n\r\n , 3 # c\r\n]", "[1, 2, 3]"),
            ("[ # comment right after the bracket\n]", "[]"),
            ("[[[[]]]]", "[[[[]]]]"),
        ]
    )
    func arrays(source: String, expected: String) throws {
        #expect(try value(of: source).map(render) == expected)
    }

    @Test(
        "inline tables",
        arguments: [
            ("{}", "{}"),
            ("{ }", "{}"),
            (#"{ first = "Tom", last = "Preston-Werner" }"#, #"{first: "Tom", last: "Preston-Werner"}"#),
            ("{x=1,y=2}", "{x: 1, y: 2}"),
            (#"{ type.name = "pug", type.age = 3 }"#, #"{type: {name: "pug", age: 3}}"#),
            (#"{ a = { b = { c = [ { d = 1 } ] } } }"#, "{a: {b: {c: [{d: 1}]}}}"),
            (#"{ "quoted key" = 1, 'literal.key' = 2 }"#, "{quoted key: 1, literal.key: 2}"),
        ]
    )
    func inlineTables(source: String, expected: String) throws {
        #expect(try value(of: source).map(render) == expected)
    }

    @Test func typeNames() throws {
        let document = try TOML.parse(
            #"s = "x"\#ni = 1\#nf = 1.5\#nb = true\#nd = 07:00:00\#na = []\#nt = {}\#n[h]"#
        )
        #expect(
            document.entries.map(\.node.typeName) == [
                "string", "integer", "float", "boolean", "datetime", "array", "table", "table",
            ]
        )
        #expect(document.keys == ["s", "i", "f", "b", "d", "a", "t", "h"])
        #expect(document["missing"] == nil)
    }

    @Test func descriptions() {
        #expect(at(3, 14).description == "3:14")
        #expect(TOMLError(position: at(7, 1), message: "duplicate key 'a'").description == "7:1: duplicate key 'a'")
    }
}
