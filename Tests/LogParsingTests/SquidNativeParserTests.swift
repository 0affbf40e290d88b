import LogParsing
import Testing

@Suite("Squid native logformat")
struct SquidNativeParserTests {
    @Test func connectWithNamedUser() throws {
        let p = try parse(
            "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html",
            format: "squid")
        #expect(p.skip == nil)
        #expect(p.kind == .proxy)
        #expect(p.timeMillis == 1_795_923_904_827)
        #expect(p.host == "www.evil-brand.com:443")
        #expect(p.client == "127.0.0.4")
        #expect(p.user == "carol")
        #expect(p.method == "CONNECT")
        #expect(p.url == "www.evil-brand.com:443")
        #expect(p.status == "403")
        #expect(p.action == "TCP_DENIED")
        #expect(p.qtype == nil)
        #expect(p.rcode == nil)
    }

    @Test func ipv6ClientAndIPv6URL() throws {
        let p = try parse(
            "1795923904.878      1 ::1 TCP_MISS/200 365 GET http://[::1]:8081/ipv6-literal carol HIER_DIRECT/::1 text/plain",
            format: "squid")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_904_878)
        #expect(p.client == "::1")
        #expect(p.host == "[::1]:8081")
        #expect(p.url == "http://[::1]:8081/ipv6-literal")
        #expect(p.method == "GET")
        #expect(p.status == "200")
        #expect(p.action == "TCP_MISS")
        #expect(p.user == "carol")
    }

    @Test func dashUserIsNil() throws {
        let p = try parse(
            "1795923905.153      1 127.0.0.6 TCP_DENIED/407 3541 GET http://example.org:8081/ - HIER_NONE/- text/html",
            format: "squid")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_905_153)
        #expect(p.host == "example.org:8081")
        #expect(p.client == "127.0.0.6")
        #expect(p.user == nil)
        #expect(p.status == "407")
        #expect(p.action == "TCP_DENIED")
    }

    @Test func errorURLHasNoHost() throws {
        let p = try parse(
            "1795923905.300      0 127.0.0.9 NONE_NONE/400 3928 NONE error:invalid-request - HIER_NONE/- text/html",
            format: "squid")
        #expect(p.skip == .noHost)
        #expect(p.timeMillis == 1_795_923_905_300)
        #expect(p.client == "127.0.0.9")
        #expect(p.url == "error:invalid-request")
        #expect(p.method == "NONE")
        #expect(p.status == "400")
        #expect(p.action == "NONE_NONE")
        #expect(p.user == nil)
    }

    @Test func percentEscapedUserIsKeptAsLogged() throws {
        let p = try parse(
            "1795923905.200      3 127.0.0.5 TCP_MISS/200 365 GET http://good-site.com:8081/ john%20doe HIER_DIRECT/127.0.0.1 text/plain",
            format: "squid")
        #expect(p.skip == nil)
        #expect(p.user == "john%20doe")
        #expect(p.host == "good-site.com:8081")
    }

    @Test func otherFormatsAreNotSquid() throws {
        let combined = try parse(
            "127.0.0.4 - carol [29/Nov/2026:03:45:04 +0000] \"CONNECT www.evil-brand.com:443 HTTP/1.1\" 403 3468 \"-\" \"-\" TCP_DENIED:HIER_NONE",
            format: "squid")
        #expect(combined.skip == .badTime)
        let bind = try parse(
            "29-Nov-2026 03:45:04.827 queries: info: client @0x7f712f897098 127.0.0.4#40004 (malware-drop.com): query: malware-drop.com IN TXT +E(0) (127.0.0.1)",
            format: "squid")
        #expect(bind.skip == .malformed)
    }

    @Test func wholeSampleFile() throws {
        // 126 lines, all visits: `grep -c ' error:' squid-access.log` is 0.
        #expect(try outcomes(of: "squid-access.log", format: "squid") == ["visit": 126])
    }
}
