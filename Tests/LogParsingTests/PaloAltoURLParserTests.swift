import LogParsing
import Testing

@Suite("PAN-OS URL filtering")
struct PaloAltoURLParserTests {
    @Test func blockedURLWithSyslogHeader() {
        var parser = PaloAltoURLParser(context: utcContext)
        let p = parse(
            #"<14>Nov 29 03:45:04 fw01 1,2026/11/29 03:45:04,012801096514,THREAT,url,2561,2026/11/29 03:45:04,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:04,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"login.evil-brand.com/signin?next=/",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "corp\\alice", method: "get", url: "login.evil-brand.com/signin?next=/",
                    status: nil, action: "block-url"))
    }

    /// A line of elastic/integrations' panw test logs (PAN-OS 9.x, rsyslog file header, no user).
    @Test func realLineFromPANOS9() {
        var parser = PaloAltoURLParser(context: utcContext)
        let p = parse(
            #"Nov 30 16:44:36 PA-220 1,2018/11/30 16:44:36,012801096514,THREAT,url,2049,2018/11/30 16:44:36,192.168.15.224,175.16.199.1,192.168.1.63,175.16.199.1,new_outbound_from_trust,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,send_to_mac,2018/11/30 16:44:36,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"consent.cmp.oath.com/",(9999),business-and-economy,informational,client-to-server,7726,0x2000000000000000,192.168.0.0-192.168.255.255,United States,0,,0,,,0,,,,,,,,0,0,0,0,0,,PA-220,,,,,0,,0,,N/A,unknown,AppThreat-0-0,0x0,0,4294967295,"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_543_596_276_000, host: "consent.cmp.oath.com",
                    client: "192.168.15.224", user: nil, method: nil, url: "consent.cmp.oath.com/", status: nil,
                    action: "block-url"))
    }

    @Test func generatedTimeIsLocalToTheFirewall() {
        // Receive time 03:45:04 but generated 03:44:59, in a firewall one hour east of UTC.
        var parser = PaloAltoURLParser(
            context: ParserContext(referenceTimeMillis: referenceMillis, timeZone: .fixed(seconds: 3600)))
        let p = parse(
            #"<14>Nov 29 03:45:04 fw01 1,2026/11/29 03:45:04,012801096514,THREAT,url,2561,2026/11/29 03:44:59,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:04,28191,1,52984,443,37679,443,0x403000,tcp,alert,"www.example.org/",(9999),computer-and-internet-info,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html"#,
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.timeMillis == 1_795_923_899_000 - 3_600_000)
    }

    @Test func quotedURLWithCommaAndEscapedQuotes() {
        var parser = PaloAltoURLParser(context: utcContext)
        let p = parse(
            #"<14>Nov 29 03:45:08 fw01 1,2026/11/29 03:45:08,012801096514,THREAT,url,2561,2026/11/29 03:45:08,10.0.0.9,203.0.113.11,198.51.100.7,203.0.113.11,allow-web,corp\bob,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:08,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"paypa1-secure.net/verify,account?id=1&x=""a""",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,post,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_908_000, host: "paypa1-secure.net", client: "10.0.0.9",
                    user: "corp\\bob", method: "post", url: "paypa1-secure.net/verify,account?id=1&x=\"a\"", status: nil,
                    action: "block-url"))
    }

    @Test func ipv6ClientAndBracketedHostWithPort() {
        var parser = PaloAltoURLParser(context: utcContext)
        let p = parse(
            #"<14>Nov 29 03:45:09 fw01 1,2026/11/29 03:45:09,012801096514,THREAT,url,2561,2026/11/29 03:45:09,2001:db8::15,2001:db8::80,198.51.100.7,2001:db8::80,allow-web,,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:09,28191,1,52984,8080,37679,8080,0x403000,tcp,alert,"[2001:db8::80]:8080/admin/",(9999),private-ip-addresses,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"private-ip-addresses,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
            with: &parser)
        #expect(p.skip == nil)
        #expect(p.client == "2001:db8::15")
        #expect(p.host == "[2001:db8::80]:8080")
        #expect(p.user == nil)
        #expect(p.action == "alert")
    }

    @Test func portUserinfoAndIPURLsKeepTheAuthorityAsLogged() {
        var parser = PaloAltoURLParser(context: utcContext)
        #expect(
            parse(
                #"<14>Nov 29 03:45:07 fw01 1,2026/11/29 03:45:07,012801096514,THREAT,url,2561,2026/11/29 03:45:07,10.0.0.9,203.0.113.10,198.51.100.7,203.0.113.10,allow-web,corp\bob,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:07,28191,1,52984,8443,37679,8443,0x403000,tcp,allow,"evil-brand.com:8443/download/setup.exe",(9999),newly-registered-domain,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"newly-registered-domain,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
                with: &parser
            ).host == "evil-brand.com:8443")
        #expect(
            parse(
                #"1,2026/11/29 03:45:12,012801096514,THREAT,url,2561,2026/11/29 03:45:12,10.0.0.13,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\dave,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:12,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"admin@login.evil-brand.com/owa/",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
                with: &parser
            ).host == "admin@login.evil-brand.com")
        #expect(
            parse(
                #"<14>Nov 29 03:45:13 fw01 1,2026/11/29 03:45:13,012801096514,THREAT,url,2561,2026/11/29 03:45:13,10.0.0.14,203.0.113.12,198.51.100.7,203.0.113.12,allow-web,,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:13,28191,1,52984,443,37679,443,0x403000,tcp,override,"198.51.100.23/gate.php",(9999),malware,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,post,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"malware,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
                with: &parser
            ).host == "198.51.100.23")
    }

    @Test func rfc5424HeaderOrNoHeader() {
        var parser = PaloAltoURLParser(context: utcContext)
        let framed = parse(
            #"<14>1 2026-11-29T03:45:11+00:00 fw01 - - - - 1,2026/11/29 03:45:11,012801096514,THREAT,url,2561,2026/11/29 03:45:11,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:11,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"www.login.evil-brand.com/",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
            with: &parser)
        #expect(framed.skip == nil)
        #expect(framed.host == "www.login.evil-brand.com")
        #expect(framed.timeMillis == 1_795_923_911_000)
        let bare = parse(
            #"1,2026/11/29 03:45:12,012801096514,THREAT,url,2561,2026/11/29 03:45:12,10.0.0.13,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\dave,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:12,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"admin@login.evil-brand.com/owa/",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
            with: &parser)
        #expect(bare.skip == nil)
        #expect(bare.user == "corp\\dave")
        #expect(bare.timeMillis == 1_795_923_912_000)
    }

    @Test func shortLineOfOlderVersionsHasNoMethod() {
        var parser = PaloAltoURLParser(context: utcContext)
        let p = parse(
            #"Nov 29 03:45:15 fw01 1,2026/11/29 03:45:15,012801096514,THREAT,url,2561,2026/11/29 03:45:15,10.0.0.16,203.0.113.11,198.51.100.7,203.0.113.11,allow-web,,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:15,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"cdn.paypa1-secure.net/js/app.js",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html"#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_915_000, host: "cdn.paypa1-secure.net",
                    client: "10.0.0.16", user: nil, method: nil, url: "cdn.paypa1-secure.net/js/app.js", status: nil,
                    action: "block-url"))
    }

    @Test func otherLogTypesAndThreatSubtypesAreNoVisits() {
        var parser = PaloAltoURLParser(context: utcContext)
        for line in [
            #"<14>Nov 29 03:45:19 fw01 1,2026/11/29 03:45:19,012801096514,TRAFFIC,end,2561,2026/11/29 03:45:19,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:19,28191,1,52984,443,37679,443,0x40001c,tcp,allow,5461,1223,4238,19,2026/11/29 03:45:02,7,phishing,0,7727,0x0,10.0.0.0-10.255.255.255,United States,0,10,9,tcp-fin,0,0,0,0,,fw01,from-policy,,,0,,0,,N/A,0,0,0,0"#,
            #"<14>Nov 29 03:45:21 fw01 1,2026/11/29 03:45:21,012801096514,THREAT,vulnerability,2561,2026/11/29 03:45:21,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:21,28191,1,52984,443,37679,443,0x403000,tcp,reset-both,"setup.exe",(9999),any,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"any,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
            #"<14>Nov 29 03:46:00 fw01 1,2026/11/29 03:46:00,012801096514,SYSTEM,general,0,2026/11/29 03:46:00,,general,,0,0,general,informational,"User admin logged in via Web from 10.0.0.8 using https, session 4",1234,0x0,0,0,0,0,,fw01,0,0,2026-11-29T03:46:00.123+00:00"#,
            #"<14>Nov 29 03:46:01 fw01 1,2026/11/29 03:46:01,012801096514,CONFIG,0,0,2026/11/29 03:46:01,10.0.0.8,,set,admin,Web,Succeeded, deviceconfig system,8123,0x0,0,0,0,0,,fw01,,,"#,
        ] {
            #expect(parse(line, with: &parser).skip == .notAVisit)
        }
    }

    @Test func emptyURLBadTimeAndTruncatedLines() {
        var parser = PaloAltoURLParser(context: utcContext)
        #expect(
            parse(
                #"<14>Nov 29 03:45:23 fw01 1,2026/11/29 03:45:23,012801096514,THREAT,url,2561,2026/11/29 03:45:23,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:23,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"",(9999),unknown,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"unknown,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
                with: &parser
            ).skip == .noHost)
        #expect(
            parse(
                #"<14>Nov 29 03:45:24 fw01 1,2026/11/29 03:45:24,012801096514,THREAT,url,2561,2026/13/29 03:45:24,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust,untrust,ethernet1/2,ethernet1/1,fwd-siem,2026/11/29 03:45:24,28191,1,52984,443,37679,443,0x403000,tcp,block-url,"login.evil-brand.com/",(9999),phishing,informational,client-to-server,7726,0x2000000000000000,10.0.0.0-10.255.255.255,United States,0,text/html,0,,,1,Mozilla/5.0 (Windows NT 10.0; Win64; x64),,,,,,,0,0,0,0,0,,fw01,,,,get,0,,0,,N/A,unknown,AppThreat-8700-8000,0x0,0,4294967295,,"phishing,low-risk",a1b2c3d4-0000-4000-8000-00000000abcd,0"#,
                with: &parser
            ).skip == .badTime)
        #expect(
            parse(
                #"<14>Nov 29 03:45:25 fw01 1,2026/11/29 03:45:25,012801096514,THREAT,url,2561,2026/11/29 03:45:25,10.0.0.5,203.0.113.9,198.51.100.7,203.0.113.9,allow-web,corp\alice,,web-browsing,vsys1,trust"#,
                with: &parser
            ).skip == .malformed)
        #expect(parse("Nov 29 03:45:26 fw01 -- MARK --", with: &parser).skip == .malformed)
        #expect(parse("", with: &parser).skip == .malformed)
        #expect(parse("1,2026/11/29 03:45:04,0123", with: &parser).skip == .malformed)
        #expect(parse(#"1,"2026/11/29 03:45:04",012801096514,THREAT,url"#, with: &parser).skip == .malformed)
    }

    @Test func claimsNoOtherFormatsFixture() throws {
        for name in try fixtureNames() where name != "paloalto.log" {
            #expect(sniffScore(PaloAltoURLParser(context: utcContext), try fixtureByteLines(name)) < 0.1, "\(name)")
        }
        #expect(sniffScore(PaloAltoURLParser(context: utcContext), try fixtureByteLines("paloalto.log")) > 0.8)
    }

    @Test func fixture() throws {
        var parser = PaloAltoURLParser(context: utcContext)
        #expect(
            try outcomes(of: "paloalto.log", with: &parser)
                == ["visit": 15, "not_a_visit": 6, "no_host": 1, "bad_time": 1, "malformed": 2])
    }

    @Test func fuzz() throws {
        var parser = PaloAltoURLParser(context: utcContext)
        let tally = LogParsingTests.fuzz(&parser, seeds: try fixtureByteLines("paloalto.log"))
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}
