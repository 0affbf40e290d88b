import DomainMatch
import LogParsing
import Testing

@testable import Agent

@Suite("Hit JSON")
struct HitFormatterTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_795_923_904_827, "2026-11-29T03:45:04.827Z"),
        (951_782_400_001, "2000-02-29T00:00:00.001Z"),  // leap day
        (-1, "1969-12-31T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ])
    func rfc3339(millis: Int64, text: String) {
        #expect(HitFormatter.rfc3339(millis) == text)
    }

    func escaped(_ bytes: [UInt8]) -> String {
        var out = OutputBuffer(fd: -1, name: "test")
        bytes.withUnsafeBytes { HitFormatter.appendString($0, to: &out) }
        return String(decoding: out.bytes, as: UTF8.self)
    }

    @Test func escapesQuotesBackslashesAndControlBytes() {
        #expect(escaped(Array("a\"b\\c".utf8)) == #""a\"b\\c""#)
        #expect(escaped([0x41, 0x00, 0x0A, 0x1F, 0x7F]) == "\"A\\u0000\\u000a\\u001f\u{7F}\"")
    }

    @Test func keepsValidUTF8AndReplacesEachInvalidByte() {
        #expect(escaped(Array("münchen €𝄞".utf8)) == "\"münchen €𝄞\"")
        // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, > U+10FFFF.
        #expect(escaped([0x61, 0x80, 0x62]) == "\"a\u{FFFD}b\"")
        #expect(escaped([0xE2, 0x82]) == "\"\u{FFFD}\u{FFFD}\"")
        #expect(escaped([0xC0, 0xAF]) == "\"\u{FFFD}\u{FFFD}\"")
        #expect(escaped([0xED, 0xA0, 0x80]) == "\"\u{FFFD}\u{FFFD}\u{FFFD}\"")
        #expect(escaped([0xF4, 0x90, 0x80, 0x80]) == "\"\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\"")
    }

    /// The counters index arrays by a hand-written switch; it must follow `allCases`.
    @Test func counterIndexesFollowAllCases() {
        for (i, reason) in SkipReason.allCases.enumerated() { #expect(ScanCounters.index(reason) == i) }
        for (i, reason) in HostRejection.allCases.enumerated() { #expect(ScanCounters.index(reason) == i) }
    }
}
