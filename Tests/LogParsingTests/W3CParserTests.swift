import LogParsing
import Testing

/// ProxySG's default `main` format (SGOS 5.x–7.x), as in real exports.
private let proxySGHeader = [
    "#Software: SGOS 6.7.5.3",
    "#Version: 1.0",
    "#Start-Date: 2026-11-29 03:40:00",
    "#Date: 2026-11-29 03:40:00",
    "#Fields: date time time-taken c-ip cs-username cs-auth-group x-exception-id sc-filter-result cs-categories cs(Referer) sc-status s-action cs-method rs(Content-Type) cs-uri-scheme cs-host cs-uri-port cs-uri-path cs-uri-query cs-uri-extension cs(User-Agent) s-ip sc-bytes cs-bytes x-virus-id",
    "#Remark: 2610140037 \"SG-42\" \"10.0.0.1\" \"main\"",
]

private func proxySG() -> W3CParser {
    var parser = W3CParser(context: utcContext)
    for line in proxySGHeader { _ = parse(line, with: &parser) }
    return parser
}

@Suite("W3C Extended")
struct W3CParserTests {
    @Test func directivesAreNotVisits() {
        var parser = W3CParser(context: utcContext)
        for line in proxySGHeader {
            #expect(parse(line, with: &parser).skip == .notAVisit, "\(line)")
        }
    }

    @Test func proxySGVisitWithQuotedGroupAndCategory() {
        var parser = proxySG()
        let p = parse(
            "2026-11-29 03:45:04 112 10.0.0.5 alice \"CORP\\web users\" - OBSERVED \"Phishing\" -  200 TCP_NC_MISS GET text/html http login.evil-brand.com 80 /signin ?next=1 - \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\" 10.0.0.1 5120 420 -",
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "alice", method: "GET", url: nil, status: "200", action: "TCP_NC_MISS"))
    }

    @Test func proxySGDeniedAndUnsetUser() {
        var parser = proxySG()
        let p = parse(
            "2026-11-29 03:45:05 3 10.0.0.7 - - policy_denied DENIED \"Phishing\" -  403 TCP_DENIED GET text/html http evil-brand.com 80 /login - - - 10.0.0.1 3468 380 -",
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_905_000)
        #expect(p.host == "evil-brand.com")
        #expect(p.user == nil)
        #expect(p.status == "403")
        #expect(p.action == "TCP_DENIED")
    }

    @Test func proxySGUnsetHostIsNoHost() {
        var parser = proxySG()
        let p = parse(
            "2026-11-29 03:45:10 2 10.0.0.9 - - dns_unresolved_hostname DENIED \"unavailable\" -  503 TCP_ERR_MISS GET text/html http - 80 / - - - 10.0.0.1 1290 210 -",
            with: &parser)
        #expect(p.skip == .noHost)
    }

    @Test func dataBeforeFieldsIsMalformed() {
        var parser = W3CParser(context: utcContext)
        let p = parse(
            "2026-11-29 03:45:04 112 10.0.0.5 alice - - OBSERVED \"Phishing\" -  200 TCP_NC_MISS GET text/html http login.evil-brand.com 80 /signin - - - 10.0.0.1 5120 420 -",
            with: &parser)
        #expect(p.skip == .malformed)
    }

    @Test func cutOffLineIsMalformed() {
        var parser = proxySG()
        #expect(parse("2026-11-29 03:45:04 112 10.0.0.5 alice", with: &parser).skip == .malformed)
    }

    @Test func badTime() {
        var parser = proxySG()
        let p = parse(
            "2026-11-29 25:45:04 112 10.0.0.5 alice - - OBSERVED \"Phishing\" -  200 TCP_NC_MISS GET text/html http login.evil-brand.com 80 /signin - - - 10.0.0.1 5120 420 -",
            with: &parser)
        #expect(p.skip == .badTime)
    }

    @Test func newFieldsMidFileRemaps() {
        var parser = proxySG()
        for line in [
            "#Software: SGOS 7.3.16.2", "#Version: 1.0",
            "#Fields: date time time-taken c-ip cs-username cs-auth-group sc-filter-result sc-status s-action cs-method cs-uri x-rs-certificate-hostname cs(User-Agent) s-ip",
        ] {
            #expect(parse(line, with: &parser).skip == .notAVisit)
        }
        // An address-only URL gives way to the certificate host name.
        let tunnel = parse(
            "2026-11-29 03:50:01 88 10.0.0.5 alice \"CORP\\web users\" OBSERVED 200 TCP_TUNNELED CONNECT tcp://203.0.113.9:443/ login.evil-brand.com \"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\" 10.0.0.1",
            with: &parser)
        #expect(
            tunnel
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_924_201_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "alice", method: "CONNECT", url: "tcp://203.0.113.9:443/", status: "200",
                    action: "TCP_TUNNELED"))
        // Userinfo and port stay in the host as logged (the pipeline strips them).
        let userinfo = parse(
            "2026-11-29 03:50:02 12 10.0.0.6 carol - OBSERVED 200 TCP_NC_MISS GET http://user:pw@www.paypa1-secure.net:8080/verify?x=1 - \"curl/8.5.0\" 10.0.0.1",
            with: &parser)
        #expect(userinfo.host == "user:pw@www.paypa1-secure.net:8080")
        #expect(userinfo.url == "http://user:pw@www.paypa1-secure.net:8080/verify?x=1")
        // IPv6 client and IPv6 URL without SNI: the address is the host.
        let v6 = parse(
            "2026-11-29 03:50:03 9 fe80::1c2e:5ff:fe3a:1 dave - DENIED 403 TCP_DENIED GET http://[2001:db8::7]/ - \"curl/8.5.0\" 10.0.0.1",
            with: &parser)
        #expect(v6.skip == nil)
        #expect(v6.client == "fe80::1c2e:5ff:fe3a:1")
        #expect(v6.host == "[2001:db8::7]")
        #expect(v6.action == "TCP_DENIED")
    }

    @Test func iisWithHostHeader() {
        var parser = W3CParser(context: utcContext)
        for line in [
            "#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0", "#Date: 2026-11-29 03:45:00",
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken",
        ] {
            #expect(parse(line, with: &parser).skip == .notAVisit)
        }
        let p = parse(
            "2026-11-29 03:45:04 10.0.0.20 GET /owa/auth/logon.aspx replaceCurrent=1 443 - 2001:db8::42 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - mail.evil-brand.com 200 0 0 46",
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "mail.evil-brand.com",
                    client: "2001:db8::42", user: nil, method: "GET", url: nil, status: "200"))
    }

    @Test func iisWithoutHostIsNoHost() {
        var parser = W3CParser(context: utcContext)
        _ = parse(
            "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
            with: &parser)
        let p = parse(
            "2026-11-29 03:45:04 10.0.0.20 GET /index.html - 80 CORP\\alice 10.0.0.5 Mozilla/5.0 - 200 0 0 15",
            with: &parser)
        #expect(p.skip == .noHost)
        #expect(p.user == "CORP\\alice")
    }

    @Test func tmgTabSeparatedWithAnonymousUser() {
        var parser = W3CParser(context: utcContext)
        _ = parse("#Software: Microsoft Forefront Threat Management Gateway 7.0", with: &parser)
        _ = parse(
            "#Fields: c-ip\tcs-username\tc-agent\tsc-authenticated\tdate\ttime\ts-svcname\ts-computername\tcs-referred\tr-host\tr-ip\tr-port\ttime-taken\tcs-bytes\tsc-bytes\tcs-protocol\tcs-transport\ts-operation\tcs-uri\tcs-mime-type\ts-object-source\tsc-status\taction",
            with: &parser)
        let p = parse(
            "10.0.0.5\tanonymous\tMozilla/5.0 (Windows NT 10.0; Win64; x64)\tN\t2026-11-29\t03:45:04\tForward Proxy\tTMG01\t-\tlogin.evil-brand.com\t203.0.113.9\t80\t31\t512\t4410\thttp\tTCP\tGET\thttp://login.evil-brand.com/signin\ttext/html\tInternet\t200\tAllowed",
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: nil, method: "GET", url: "http://login.evil-brand.com/signin",
                    status: "200", action: "Allowed"))
        let named = parse(
            "10.0.0.6\tCORP\\bob\tMozilla/5.0\tY\t2026-11-29\t03:45:05\tForward Proxy\tTMG01\t-\tpaypa1-secure.net\t203.0.113.10\t443\t31\t512\t4410\tSSL-tunnel\tTCP\t-\tpaypa1-secure.net:443\t-\tInternet\t0\tDenied",
            with: &parser)
        #expect(named.skip == nil)
        #expect(named.user == "CORP\\bob")
        #expect(named.host == "paypa1-secure.net:443")
        #expect(named.method == nil)
        #expect(named.action == "Denied")
    }

    @Test func unixTimestamp() {
        var parser = W3CParser(context: utcContext)
        _ = parse("#Fields: x-timestamp-unix c-ip cs-username cs-host s-action", with: &parser)
        let p = parse("1795923904 10.0.0.5 alice login.evil-brand.com TCP_NC_MISS", with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_904_000)
    }

    @Test func otherFormatsAreNotClaimed() {
        let parser = W3CParser(context: utcContext)
        #expect(sniffScore(parser, ["#separator \\x09", "#fields\tts\tuid"]) == 0)
        #expect(
            sniffScore(
                parser,
                [
                    "1795923904.827      0 127.0.0.4 TCP_DENIED/403 3468 CONNECT www.evil-brand.com:443 carol HIER_NONE/- text/html"
                ]) == 0)
        #expect(sniffScore(parser, Array(proxySGHeader.prefix(2))) == 1)
    }

    @Test func zeekHeaderIsMalformed() {
        var parser = W3CParser(context: utcContext)
        #expect(parse("#separator \\x09", with: &parser).skip == .malformed)
    }

    @Test func fixture() throws {
        var parser = W3CParser(context: utcContext)
        #expect(
            try outcomes(of: "w3c.log", with: &parser)
                == ["visit": 11, "not_a_visit": 11, "no_host": 2, "bad_time": 1, "malformed": 2])
    }

    @Test func fuzz() throws {
        var parser = W3CParser(context: utcContext)
        let lines = try fixtureByteLines("w3c.log")
        for line in lines.prefix(5) { _ = parse(line, with: &parser) }
        let tally = LogParsingTests.fuzz(&parser, seeds: lines)
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}
