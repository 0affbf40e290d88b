import DomainMatch
import Testing

/// Rules 7 and 8: UTF-8, Unicode lowercasing, confusable folds, Punycode A-labels.
@Suite("Normalization: IDN")
struct NormalizationIDNTests {
    @Test(
        "non-ASCII labels become A-labels",
        arguments: [
            ("münchen.de", "xn--mnchen-3ya.de"),
            ("MÜNCHEN.DE", "xn--mnchen-3ya.de"),
            ("München.De.", "xn--mnchen-3ya.de"),
            ("Bücher.example", "xn--bcher-kva.example"),
            ("www.bücher.example:443", "www.xn--bcher-kva.example"),
            ("user@bücher.example", "xn--bcher-kva.example"),
            ("☃.net", "xn--n3h.net"),
            ("ПРИМЕР.испытание", "xn--e1afmkfd.xn--80akhbyknj4f"),
            ("例え.jp", "xn--r8jz45g.jp"),
            ("straße.de", "xn--strae-oqa.de"),  // no UTS #46 mapping: ß stays ß
            // U+0130 lowercases to "i" + U+0307, which is not pure ASCII: an A-label, not a fold.
            ("\u{130}stanbul.example", "xn--istanbul-o0e.example"),
            ("ü\(label(55)).example", "xn--\(label(55))-oxf.example"),
        ]
    )
    func aLabels(_ input: String, _ expected: String) {
        #expect(normalize(input) == .name(expected))
    }

    @Test(
        "U+3002, U+FF0E and U+FF61 separate labels",
        arguments: ["münchen\u{3002}de", "münchen\u{FF0E}de", "münchen\u{FF61}de", "münchen.de\u{3002}"]
    )
    func fullwidthDots(_ input: String) {
        #expect(normalize(input) == .name("xn--mnchen-3ya.de"))
    }

    @Test func fullwidthDotsInAnOtherwiseASCIIName() {
        #expect(normalize("evil\u{3002}com") == .name("evil.com"))
        #expect(normalize("evil\u{3002}\u{3002}com") == .rejected(.emptyLabel))
        #expect(normalize("\u{FF0E}evil.com") == .rejected(.emptyLabel))
    }

    @Test func aLabelsPassThroughAndFold() {
        #expect(normalize("xn--mnchen-3ya.de") == .name("xn--mnchen-3ya.de"))
        #expect(normalize("XN--MNCHEN-3YA.DE") == .name("xn--mnchen-3ya.de"))
        #expect(normalize("www.Xn--Bcher-Kva.example.") == .name("www.xn--bcher-kva.example"))
        #expect(normalize("xn--n3h.net:443") == .name("xn--n3h.net"))
    }

    @Test(
        "rule 7: a label that lowercases to pure ASCII is a confusable fold",
        arguments: ["\u{212A}ey.example", "\u{212A}.example", "www.\u{212A}EY.example", "evil.co\u{212A}"]
    )
    func confusableFold(_ input: String) {
        #expect(normalize(input) == .rejected(.confusableFold))
    }

    @Test func kelvinInALabelWithOtherNonASCIIIsEncodedNotFolded() {
        // Lowercased "münchenk" still has ü: it is an IDN, not a lookalike of an ASCII name.
        #expect(normalize("münchen\u{212A}.de") == normalize("münchenk.de"))
    }

    @Test(
        "rule 7: invalid UTF-8 is rejected, not repaired",
        arguments: [
            [0x65, 0x76, 0xFF, 0x6C, 0x2E, 0x63, 0x6F, 0x6D],  // ev\xFFl.com
            [0x65, 0x76, 0xFE, 0x6C, 0x2E, 0x63, 0x6F, 0x6D],  // ev\xFEl.com
            [0x61, 0x80, 0x2E, 0x63, 0x6F, 0x6D],  // stray continuation byte
            [0x61, 0xC3, 0x2E, 0x63, 0x6F, 0x6D],  // truncated sequence
            [0x61, 0xC3],  // truncated at the end
            [0xC0, 0xAF, 0x2E, 0x63, 0x6F, 0x6D],  // overlong '/'
            [0xC1, 0xBF, 0x2E, 0x63, 0x6F, 0x6D],  // overlong
            [0xE0, 0x80, 0xAF, 0x2E, 0x63, 0x6F, 0x6D],  // overlong, 3 bytes
            [0xF0, 0x80, 0x80, 0xAF, 0x2E, 0x63, 0x6F, 0x6D],  // overlong, 4 bytes
            [0xED, 0xA0, 0x80, 0x2E, 0x63, 0x6F, 0x6D],  // surrogate U+D800
            [0xED, 0xBF, 0xBF, 0x2E, 0x63, 0x6F, 0x6D],  // surrogate U+DFFF
            [0xF4, 0x90, 0x80, 0x80, 0x2E, 0x63, 0x6F, 0x6D],  // U+110000
            [0xF5, 0x80, 0x80, 0x80, 0x2E, 0x63, 0x6F, 0x6D],
        ] as [[UInt8]]
    )
    func invalidUTF8(_ input: [UInt8]) {
        #expect(normalize(bytes: input) == .rejected(.invalidUTF8))
    }

    @Test func validUTF8EdgesAreAccepted() {
        // U+0800, U+FFFD, U+10000, U+10FFFF (largest sequences of each length, all valid).
        for scalar: Unicode.Scalar in ["\u{800}", "\u{FFFD}", "\u{10000}", "\u{10FFFF}", "\u{D7FF}", "\u{E000}"] {
            let result = normalize("a\(scalar).example")
            guard case .ok(.name, let name) = result else {
                Issue.record("U+\(String(scalar.value, radix: 16)) gave \(result)")
                continue
            }
            #expect(name.hasPrefix("xn--a-"))
        }
    }

    @Test(
        "rule 8: xn-- labels must be valid, round-tripping Punycode",
        arguments: [
            "xn--a.com",  // decodes to U+0080, a control
            "XN--A.COM",
            "xn--.com",
            "xn--abc-.com",  // decodes to ASCII only
            "xn--abc.com",
            "www.xn--0.com",  // truncated integer
            "xn--mnchen-3ya-.de",
            "xn--99999999999.com",  // overflow
            "xn--ü.de",  // an A-label prefix on a U-label
            "xn--mnchen-3ya.xn--a",
        ]
    )
    func invalidPunycode(_ input: String) {
        #expect(normalize(input) == .rejected(.invalidPunycode))
    }

    @Test func idnLabelsAreCheckedAfterConversion() {
        #expect(normalize("ü\(label(57)).example") == .rejected(.labelTooLong))
        // 248 characters as Unicode, 255 bytes once the last label is an A-label.
        let longName = [label(63), label(63), label(63), "ü\(label(55))"].joined(separator: ".")
        #expect(longName.count == 248)
        #expect(normalize(longName) == .rejected(.nameTooLong))
        #expect(normalize("mü nchen.de") == .rejected(.badByte))
        #expect(normalize("mü*nchen.de") == .rejected(.badByte))
        #expect(normalize("m\u{85}nchen.de") == .rejected(.badByte))  // C1 control NEL
        #expect(normalize("münchen..de") == .rejected(.emptyLabel))
        #expect(normalize(".münchen.de") == .rejected(.emptyLabel))
        #expect(normalize("münchen.123") == .rejected(.badIPAddress))
    }
}
