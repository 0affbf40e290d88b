import DomainMatch
import Testing

/// Rules 3 and 10: IPv4 dotted quads and IPv6 literals in canonical text.
@Suite("Normalization: IP literals")
struct NormalizationIPTests {
    @Test(
        "IPv4: a numeric last label means a strict dotted quad",
        arguments: [
            ("1.2.3.4", Outcome.ipv4("1.2.3.4")),
            ("1.2.3.4.", .ipv4("1.2.3.4")),
            ("0.0.0.0", .ipv4("0.0.0.0")),
            ("255.255.255.255", .ipv4("255.255.255.255")),
            ("10.0.0.1:3128", .ipv4("10.0.0.1")),
            ("user@192.168.1.10:80", .ipv4("192.168.1.10")),
            ("1.2.3.256", .rejected(.badIPAddress)),
            ("01.2.3.4", .rejected(.badIPAddress)),
            ("1.2.3.04", .rejected(.badIPAddress)),
            ("1.2.3.00", .rejected(.badIPAddress)),
            ("1.2.3", .rejected(.badIPAddress)),
            ("1.2.3.4.5", .rejected(.badIPAddress)),
            ("127.1", .rejected(.badIPAddress)),
            ("2130706433", .rejected(.badIPAddress)),
            ("example.123", .rejected(.badIPAddress)),
            ("a.b.c.4", .rejected(.badIPAddress)),
            ("1.2.3.4444", .rejected(.badIPAddress)),
        ]
    )
    func ipv4(_ input: String, _ expected: Outcome) {
        #expect(normalize(input) == expected)
    }

    @Test(
        "IPv6: brackets, port, percent-encoding, bare",
        arguments: [
            ("[::1]:8081", Outcome.ipv6("::1")),
            ("[::1]", .ipv6("::1")),
            ("%5B::1%5D", .ipv6("::1")),
            ("%5b::1%5d:8081", .ipv6("::1")),
            ("%5B%3A%3A1%5D", .ipv6("::1")),
            ("::1", .ipv6("::1")),
            ("::", .ipv6("::")),
            ("[2001:DB8::1]:443", .ipv6("2001:db8::1")),
            ("user@[2001:db8::1]:443", .ipv6("2001:db8::1")),
            ("2001:DB8:0:0:0:0:0:1", .ipv6("2001:db8::1")),
            ("2001:0db8:0000:0000:0000:0000:0000:0001", .ipv6("2001:db8::1")),
            ("1::", .ipv6("1::")),
            ("1:0:0:0:0:0:0:0", .ipv6("1::")),
            ("0:0:0:0:0:0:0:0", .ipv6("::")),
            ("1:2:3:4:5:6:7:8", .ipv6("1:2:3:4:5:6:7:8")),
            ("2001:db8:0:1:1:1:1:1", .ipv6("2001:db8:0:1:1:1:1:1")),  // one zero group: not compressed
            ("2001:db8:0:0:1:0:0:1", .ipv6("2001:db8::1:0:0:1")),  // tie: the first run
            ("2001:db8:0:0:1:0:0:0", .ipv6("2001:db8:0:0:1::")),  // the longest run
            ("fe80::0001:0AbC", .ipv6("fe80::1:abc")),
            ("1:2:3:4:5:6::", .ipv6("1:2:3:4:5:6::")),
            ("1:2:3:4:5:6:7::", .ipv6("1:2:3:4:5:6:7:0")),
            ("::2:3:4:5:6:7:8", .ipv6("0:2:3:4:5:6:7:8")),
            ("::ffff:1.2.3.4", .ipv6("::ffff:1.2.3.4")),
            ("::FFFF:1.2.3.4", .ipv6("::ffff:1.2.3.4")),
            ("::ffff:0102:0304", .ipv6("::ffff:1.2.3.4")),
            ("0:0:0:0:0:ffff:102:304", .ipv6("::ffff:1.2.3.4")),
            ("[::ffff:10.0.0.1]:80", .ipv6("::ffff:10.0.0.1")),
            ("::1.2.3.4", .ipv6("::102:304")),
            ("64:ff9b::192.0.2.33", .ipv6("64:ff9b::c000:221")),
            ("1:2:3:4:5:6:1.2.3.4", .ipv6("1:2:3:4:5:6:102:304")),
        ]
    )
    func ipv6(_ input: String, _ expected: Outcome) {
        #expect(normalize(input) == expected)
    }

    @Test(
        "IPv6: invalid literals and zone ids",
        arguments: [
            "[fe80::1%25eth0]", "fe80::1%25eth0", "[fe80::1%eth0]", "fe80::1%eth0", "%5Bfe80::1%25eth0%5D",
            "[::1", "[::1]x", "[]", "[1.2.3.4]", "[evil.com]", "[::1]]",
            "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::1", "1:::2", "12345::1", "g::1",
            "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7::8", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
            "::ffff:1.2.3.256", "::ffff:01.2.3.4", "::1.2.3", "1.2.3.4::", "::1.2.3.4:5",
            "1:2:3:4:5:6:7:1.2.3.4", "a:b:c", "evil.com:80:90",
        ]
    )
    func badIPv6(_ input: String) {
        #expect(normalize(input) == .rejected(.badIPAddress))
    }

    @Test(
        "IPv6 with a port that is not a number",
        arguments: ["[::1]:http", "[::1]:", "[::1]:70000", "%5B::1%5D:x"]
    )
    func badIPv6Port(_ input: String) {
        #expect(normalize(input) == .rejected(.badPort))
    }

    @Test func percentEncodedBracketsAreBrackets() {
        #expect(normalize("[::1%5D") == .ipv6("::1"))
        #expect(normalize("%5B::1]") == .ipv6("::1"))
    }

    @Test func decodedColonAfterABracketIsNoPortSeparator() {
        #expect(normalize("[::1]%3A80") == .rejected(.badByte))
    }
}
