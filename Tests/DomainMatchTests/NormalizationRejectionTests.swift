import DomainMatch
import Testing

/// Every ``HostRejection`` case, each with an input that triggers it.
@Suite("Normalization: every rejection")
struct NormalizationRejectionTests {
    static let examples: [(HostRejection, [UInt8])] = [
        (.empty, []),
        (.emptyLabel, Array("a..b".utf8)),
        (.labelTooLong, Array((label(64) + ".com").utf8)),
        (.nameTooLong, Array(([label(63), label(63), label(63), label(62)].joined(separator: ".")).utf8)),
        (.badByte, Array("a b.com".utf8)),
        (.invalidUTF8, [0x65, 0x76, 0xFF, 0x6C, 0x2E, 0x63, 0x6F, 0x6D]),
        (.confusableFold, Array("\u{212A}ey.example".utf8)),
        (.invalidPunycode, Array("xn--a.com".utf8)),
        (.badIPAddress, Array("1.2.3.256".utf8)),
        (.badPort, Array("evil.com:http".utf8)),
    ]

    @Test func everyCaseHasAnExample() {
        #expect(Set(Self.examples.map(\.0.rawValue)) == Set(HostRejection.allCases.map(\.rawValue)))
    }

    @Test(arguments: HostRejection.allCases)
    func triggers(_ reason: HostRejection) throws {
        let example = try #require(Self.examples.first { $0.0 == reason })
        #expect(normalize(bytes: example.1) == .rejected(reason))
        #expect(!reason.explanation.isEmpty)
    }

    @Test func stableRawValues() {
        #expect(HostRejection.allCases.map(\.rawValue) == [
            "empty", "empty_label", "label_too_long", "name_too_long", "bad_byte", "invalid_utf8",
            "confusable_fold", "invalid_punycode", "bad_ip", "bad_port",
        ])
    }
}
