import DomainMatch
import Testing

/// Rules 1–6, 9 and 11: userinfo, percent and DNS escapes, port, case, trailing dot, bytes.
@Suite("Normalization: ASCII names")
struct NormalizationTests {
    @Test(
        "case folding, trailing dot, plain names",
        arguments: [
            ("WWW.Example.COM.", "www.example.com"),
            ("www.example.com", "www.example.com"),
            ("Login.Evil.COM.", "login.evil.com"),
            ("EVIL.COM", "evil.com"),
            ("localhost", "localhost"),
            ("a", "a"),
            ("_dmarc.example.com", "_dmarc.example.com"),
            ("_sip._tcp.Example.com", "_sip._tcp.example.com"),
            ("-foo.example.com", "-foo.example.com"),
            ("foo-.example.com", "foo-.example.com"),
            ("a--b.example", "a--b.example"),
            ("123.example.com", "123.example.com"),
            ("1.2.3.4.example", "1.2.3.4.example"),
            ("example.123a", "example.123a"),
            ("0x7f.example", "0x7f.example"),
        ]
    )
    func plainNames(_ input: String, _ expected: String) {
        #expect(normalize(input) == .name(expected))
    }

    @Test(
        "rule 1: userinfo up to the last '@' is dropped",
        arguments: [
            ("user@evil.com", "evil.com"),
            ("user:pw@evil.com:443", "evil.com"),
            ("user:pw@Evil.COM", "evil.com"),
            ("a@b@evil.com", "evil.com"),
            ("@evil.com", "evil.com"),
            ("us er;x\"$@evil.com", "evil.com"),
            ("CORP\\alice@evil.com", "evil.com"),
            ("x.y..z@evil.com", "evil.com"),
            ("\(label(300))@evil.com", "evil.com"),
        ]
    )
    func userinfo(_ input: String, _ expected: String) {
        #expect(normalize(input) == .name(expected))
    }

    @Test(
        "rule 2: percent-encoding is decoded once",
        arguments: [
            ("EVIL%2ECOM", Outcome.name("evil.com")),
            ("evil%2ecom:443", .name("evil.com")),
            ("%65vil.com", .name("evil.com")),
            ("user%40x@evil.com", .name("evil.com")),
            ("m%C3%BCnchen.de", .name("xn--mnchen-3ya.de")),
            ("EVIL%zzCOM", .rejected(.badByte)),
            ("evil.com%4", .rejected(.badByte)),
            ("evil.com%", .rejected(.badByte)),
            ("evil.com%40x", .rejected(.badByte)),  // a decoded '@' is not userinfo
            ("evil.com%2Fx", .rejected(.badByte)),
            ("evil.com%3A443", .rejected(.badByte)),  // a decoded ':' is no port separator
            ("a%00b.com", .rejected(.badByte)),
            ("a%20b.com", .rejected(.badByte)),
            ("a%25b.com", .rejected(.badByte)),  // a decoded '%' is not decoded again
            ("a%252Eb.com", .rejected(.badByte)),
            ("a%5C097.com", .rejected(.badByte)),  // a decoded '\' is no DNS escape
        ]
    )
    func percentEncoding(_ input: String, _ expected: Outcome) {
        #expect(normalize(input) == expected)
    }

    @Test(
        "rule 3: host:port",
        arguments: [
            ("evil.com:8081", Outcome.name("evil.com")),
            ("evil.com:443", .name("evil.com")),
            ("Evil.Com.:443", .name("evil.com")),
            ("evil.com:0", .name("evil.com")),
            ("evil.com:65535", .name("evil.com")),
            ("evil.com:http", .rejected(.badPort)),
            ("evil.com:", .rejected(.badPort)),
            ("evil.com:65536", .rejected(.badPort)),
            ("evil.com:123456", .rejected(.badPort)),
            ("evil.com:-1", .rejected(.badPort)),
            ("evil.com:44 3", .rejected(.badPort)),
            (":443", .rejected(.empty)),
        ]
    )
    func ports(_ input: String, _ expected: Outcome) {
        #expect(normalize(input) == expected)
    }

    @Test(
        "rule 4: DNS presentation escapes",
        arguments: [
            ("\\097bc.example", Outcome.name("abc.example")),
            ("\\065BC.example", .name("abc.example")),
            ("a\\-b.example", .name("a-b.example")),
            ("\\_dmarc.example", .name("_dmarc.example")),
            ("a\\032b.example", .rejected(.badByte)),
            ("a\\.b.example", .rejected(.badByte)),
            ("a\\046b.example", .rejected(.badByte)),  // an escaped dot, as digits
            ("c\\;d.example", .rejected(.badByte)),
            ("e\\$f.example", .rejected(.badByte)),
            ("x\\000y.example", .rejected(.badByte)),
            ("a\\256b.example", .rejected(.badByte)),
            ("a\\03", .rejected(.badByte)),
            ("a\\03x.example", .rejected(.badByte)),
            ("a\\", .rejected(.badByte)),
            ("a\\\\b.example", .rejected(.badByte)),
            ("ev\\195\\188l.example", .rejected(.badByte)),  // escaped non-ASCII bytes
            ("a\\@evil.com", .rejected(.badByte)),  // an escaped '@' is not userinfo
        ]
    )
    func dnsEscapes(_ input: String, _ expected: Outcome) {
        #expect(normalize(input) == expected)
    }

    @Test(
        "rule 6: empty names and empty labels",
        arguments: [
            ("", HostRejection.empty),
            (".", .empty),
            ("user@", .empty),
            ("@", .empty),
            ("a..b", .emptyLabel),
            (".a.com", .emptyLabel),
            ("a.com..", .emptyLabel),
            ("..", .emptyLabel),
            ("a.com.:443", nil),
        ] as [(String, HostRejection?)]
    )
    func emptyNames(_ input: String, _ expected: HostRejection?) {
        if let expected {
            #expect(normalize(input) == .rejected(expected))
        } else {
            #expect(normalize(input) == .name("a.com"))
        }
    }

    @Test(
        "rule 9: bytes outside [a-z0-9-_.]",
        arguments: [
            "a b.com", "a;b.com", "a*b.com", "a\u{0}b.com", "a/b.com", "a\"b.com", "a$b.com",
            "a\nb.com", "a\tb.com", "evil.com ", " evil.com", "a!b.com", "a]b.com", "a'b.com",
            "*.evil.com", "a,b.com", "a+b.com", "a=b.com", "a\u{7F}b.com", "a|b.com",
        ]
    )
    func badBytes(_ input: String) {
        #expect(normalize(input) == .rejected(.badByte))
    }

    @Test func everyASCIIByteOutsideTheAllowedSetIsRejected() {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.".utf8)
        // '@', '%', ':', '[' and '\' have their own meaning; each is tested elsewhere.
        let special = Set("@%:[\\".utf8)
        for byte in UInt8(0)..<0x80 where !allowed.contains(byte) && !special.contains(byte) {
            let input: [UInt8] = Array("ab".utf8) + [byte] + Array("c.example".utf8)
            #expect(normalize(bytes: input) == .rejected(.badByte), "byte \(byte)")
        }
    }

    static let longest: String = [label(63), label(63), label(63), label(61)].joined(separator: ".")
    static let tooLong: String = [label(63), label(63), label(63), label(62)].joined(separator: ".")
    static let lengthCases: [(String, Outcome)] = [
        (label(63) + ".com", .name(label(63) + ".com")),
        (label(64) + ".com", .rejected(.labelTooLong)),
        ("www." + label(64), .rejected(.labelTooLong)),
        (label(64), .rejected(.labelTooLong)),
        (longest, .name(longest)),
        (longest + ".", .name(longest)),
        (longest + ".:80", .name(longest)),
        (tooLong, .rejected(.nameTooLong)),
        (tooLong + ".", .rejected(.nameTooLong)),
        (Array(repeating: "a", count: 200).joined(separator: "."), .rejected(.nameTooLong)),
        (label(1025), .rejected(.nameTooLong)),
        ("user@" + String(repeating: "a.", count: 510), .rejected(.nameTooLong)),
    ]

    @Test("rule 9: label and name lengths", arguments: lengthCases)
    func lengths(_ input: String, _ expected: Outcome) {
        #expect(normalize(input) == expected)
    }

    @Test func lengthFixturesHaveTheIntendedSizes() {
        #expect(label(63).utf8.count == 63)
        #expect(Self.longest.utf8.count == 253)
        #expect(Self.tooLong.utf8.count == 254)
    }

    @Test func longInputsNeverWritePastTheOutput() {
        // The helper checks a guard zone after the 256-byte output on every call.
        for count in [252, 253, 254, 255, 256, 257, 300, 1024] {
            _ = normalize(String(repeating: "a.", count: count / 2) + "a")
            _ = normalize(String(repeating: "A.", count: count / 2) + ":80")
            _ = normalize(String(repeating: "ü.", count: count / 4))
            _ = normalize(String(repeating: "%41.", count: count / 4))
            _ = normalize(String(repeating: "\\097.", count: count / 5))
        }
    }
}

/// Properties that hold for every accepted input.
@Suite("Normalization: invariants")
struct NormalizationInvariantTests {
    static let corpus: [String] = [
        "WWW.Example.COM.", "evil.com:8081", "user:pw@evil.com:443", "[::1]:8081", "%5B::1%5D", "EVIL%2ECOM",
        "2001:DB8:0:0:0:0:0:1", "::ffff:1.2.3.4", "1.2.3.4", "münchen.de", "MÜNCHEN.DE", "Bücher.example",
        "\\097bc.example", "_dmarc.example.com", "-foo.example.com", "xn--mnchen-3ya.de", "☃.net",
        "\u{130}stanbul.example", "64:ff9b::192.0.2.33", "ПРИМЕР.испытание", "münchen\u{3002}de",
    ]

    @Test("canonical output is a fixed point", arguments: corpus)
    func idempotent(_ input: String) throws {
        guard case .ok(let kind, let name) = normalize(input) else {
            Issue.record("\(input) was rejected")
            return
        }
        #expect(normalize(name) == .ok(kind, name))
    }

    @Test("names only contain [a-z0-9-_.]", arguments: corpus)
    func allowedBytes(_ input: String) {
        guard case .ok(.name, let name) = normalize(input) else { return }
        #expect(name.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F || byte == 0x2E
        })
    }
}
