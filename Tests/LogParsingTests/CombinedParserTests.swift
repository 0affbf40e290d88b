import LogParsing
import Testing

@Suite("Squid/Apache combined logformat")
struct CombinedParserTests {
    @Test func squidConnect() throws {
        let p = try parse(
            #"127.0.0.4 - carol [29/Nov/2026:03:45:04 +0000] "CONNECT www.evil-brand.com:443 HTTP/1.1" 403 3468 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" TCP_DENIED:HIER_NONE"#,
            format: "combined")
        #expect(p.skip == nil)
        #expect(p.kind == .proxy)
        #expect(p.timeMillis == 1_795_923_904_000)
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

    @Test func squidGetFromIPv6Client() throws {
        let p = try parse(
            #"::1 - bob [29/Nov/2026:03:45:04 +0000] "GET http://notevil-brand.com:8081/ HTTP/1.1" 200 365 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" TCP_MISS:HIER_DIRECT"#,
            format: "combined")
        #expect(p.skip == nil)
        #expect(p.host == "notevil-brand.com:8081")
        #expect(p.client == "::1")
        #expect(p.user == "bob")
        #expect(p.method == "GET")
        #expect(p.url == "http://notevil-brand.com:8081/")
        #expect(p.status == "200")
        #expect(p.action == "TCP_MISS")
    }

    @Test func ipv6LiteralURL() throws {
        let p = try parse(
            #"::1 - carol [29/Nov/2026:03:45:04 +0000] "GET http://[::1]:8081/ipv6-literal HTTP/1.1" 200 365 "-" "Mozilla/5.0" TCP_MISS:HIER_DIRECT"#,
            format: "combined")
        #expect(p.skip == nil)
        #expect(p.host == "[::1]:8081")
        #expect(p.url == "http://[::1]:8081/ipv6-literal")
    }

    @Test func noUser() throws {
        let p = try parse(
            #"127.0.0.6 - - [29/Nov/2026:03:45:05 +0000] "GET http://example.org:8081/ HTTP/1.1" 407 3541 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36" TCP_DENIED:HIER_NONE"#,
            format: "combined")
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_905_000)
        #expect(p.user == nil)
        #expect(p.host == "example.org:8081")
        #expect(p.status == "407")
        #expect(p.action == "TCP_DENIED")
    }

    @Test func identUserWhenNoAuthUser() throws {
        let ident = try parse(
            #"192.0.2.5 alice - [29/Nov/2026:03:45:05 +0000] "GET http://example.org/ HTTP/1.1" 200 10 "-" "curl/8.0" TCP_MISS:HIER_DIRECT"#,
            format: "combined")
        #expect(ident.user == "alice")
        let both = try parse(
            #"192.0.2.5 alice bob [29/Nov/2026:03:45:05 +0000] "GET http://example.org/ HTTP/1.1" 200 10 "-" "curl/8.0" TCP_MISS:HIER_DIRECT"#,
            format: "combined")
        #expect(both.user == "bob")
    }

    /// The example of Apache's log documentation: an origin-server request, with its own offset.
    @Test func apacheCombinedOriginServerHasNoHost() throws {
        let p = try parse(
            #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#,
            format: "combined")
        #expect(p.skip == .noHost)
        #expect(p.timeMillis == 971_211_336_000)
        #expect(p.client == "127.0.0.1")
        #expect(p.user == "frank")
        #expect(p.method == "GET")
        #expect(p.url == "/apache_pb.gif")
        #expect(p.status == "200")
        #expect(p.action == nil)
    }

    @Test func apacheCommonProxyRequest() throws {
        let p = try parse(
            #"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET http://www.example.com/start.html HTTP/1.0" 200 2326"#,
            format: "combined")
        #expect(p.skip == nil)
        #expect(p.host == "www.example.com")
        #expect(p.action == nil)
    }

    @Test func dashRequestHasNoHost() throws {
        let p = try parse(
            #"192.0.2.9 - - [29/Nov/2026:03:45:04 +0000] "-" 408 0 "-" "-""#, format: "combined")
        #expect(p.skip == .noHost)
        #expect(p.client == "192.0.2.9")
        #expect(p.status == "408")
        #expect(p.method == nil)
        #expect(p.url == nil)
    }

    @Test func squidErrorRequestHasNoHost() throws {
        let p = try parse(
            #"127.0.0.9 - - [29/Nov/2026:03:45:05 +0000] "NONE error:invalid-request HTTP/0.0" 400 3928 "-" "-" NONE_NONE:HIER_NONE"#,
            format: "combined")
        #expect(p.skip == .noHost)
        #expect(p.method == "NONE")
        #expect(p.url == "error:invalid-request")
        #expect(p.action == "NONE_NONE")
        #expect(p.status == "400")
    }

    @Test func escapedQuotesInUserAgent() throws {
        let p = try parse(
            #"127.0.0.2 - alice [29/Nov/2026:03:45:06 +0000] "GET http://phish-bank.org:8081/ HTTP/1.1" 403 3473 "-" "Evil \"agent\" 1.0" TCP_DENIED:HIER_NONE"#,
            format: "combined")
        #expect(p.skip == nil)
        #expect(p.host == "phish-bank.org:8081")
        #expect(p.timeMillis == 1_795_923_906_000)
        #expect(p.action == "TCP_DENIED")
    }

    @Test func badTimeAndOtherFormats() throws {
        let badTime = try parse(
            #"127.0.0.4 - carol [29/Xyz/2026:03:45:04 +0000] "CONNECT a.example:443 HTTP/1.1" 403 3468 "-" "-" TCP_DENIED:HIER_NONE"#,
            format: "combined")
        #expect(badTime.skip == .badTime)
        let native = try parse(
            "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html",
            format: "combined")
        #expect(native.skip == .malformed)
    }

    @Test func wholeSampleFile() throws {
        // 126 lines, all with an absolute URL or CONNECT target: no `"-"` or `"GET /…"` requests.
        #expect(try outcomes(of: "squid-access-combined.log", format: "combined") == ["visit": 126])
    }
}
