import LogParsing
import Testing

@Suite("Cisco Umbrella proxy")
struct UmbrellaProxyParserTests {
    @Test func blockedRequestOfADUser() {
        var parser = UmbrellaProxyParser()
        let p = parse(
            #""2026-11-29 03:45:04","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.20","text/html","BLOCKED","https://login.evil-brand.com/signin?next=%2F","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","Phishing","","","","","","AD Users","Phishing","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","signin","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","login.evil-brand.com","false","false","","","2204063""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_904_000, host: "login.evil-brand.com",
                    client: "10.0.0.5", user: "Jane Doe (jane@corp.example)", method: "GET",
                    url: "https://login.evil-brand.com/signin?next=%2F", status: "403", action: "BLOCKED"))
    }

    /// The example of Umbrella's "Web Log Formats" page (also in elastic/integrations' test logs),
    /// with a space after one comma.
    @Test func documentedExampleLine() {
        var parser = UmbrellaProxyParser()
        let p = parse(
            #""2017-10-02 23:52:53","TheComputerName","192.192.192.135","1.1.1.91", "3.4.5.6","","ALLOWED","http://google.com/the.js","www.google.com","Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/61.0.3163.100 Safari/537.36","200","562","1489","","","Search Engines","","","","","","Roaming Computer","","TheComputerName, ADSite,Network","Roaming Computer, Site, Network","GET","","","the.js","","","","isolated","downloaded_original_file","warn-session""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_506_988_373_000, host: "google.com", client: "192.192.192.135",
                    user: nil, method: "GET", url: "http://google.com/the.js", status: "200", action: "ALLOWED"))
    }

    @Test func networkIdentityWithoutInternalIPUsesTheExternalOne() {
        var parser = UmbrellaProxyParser()
        let p = parse(
            #""2026-11-29 03:45:11","NetworkName","","101.102.103.104","202.203.204.205","text/plain","ALLOWED","http://analyticsnew.example.net/analytics/Counter?Name=UpdatedApp&Value=1","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","812","14061","13500","","Games,Software/Technology","","","","","","Networks","","NetworkName","Networks","HEAD","","","","","","","","","","""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_911_000, host: "analyticsnew.example.net",
                    client: "101.102.103.104", user: nil, method: "HEAD",
                    url: "http://analyticsnew.example.net/analytics/Counter?Name=UpdatedApp&Value=1", status: "200",
                    action: "ALLOWED"))
    }

    @Test func commaInsideIdentityIPv6ClientAndCommaInURL() {
        var parser = UmbrellaProxyParser()
        let p = parse(
            #""2026-11-29 03:45:07","Doe, John (john.doe@corp.example)","2001:db8::15","2001:db8:ffff::2","2001:db8::80","application/json","BLOCKED","https://paypa1-secure.net/verify/account.php?id=1,2","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","Phishing,Newly Seen Domains","","","","","","AD Users","Phishing","Doe, John (john.doe@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","POST","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","paypa1-secure.net","false","false","","","2204063""#,
            with: &parser)
        #expect(p.user == "Doe, John (john.doe@corp.example)")
        #expect(p.client == "2001:db8::15")
        #expect(p.url == "https://paypa1-secure.net/verify/account.php?id=1,2")
        #expect(p.host == "paypa1-secure.net")
        #expect(p.method == "POST")
    }

    @Test func escapedQuotesAreDecoded() {
        var parser = UmbrellaProxyParser()
        let p = parse(
            #""2026-11-29 03:45:08","Smith ""Bo"" (bo@corp.example)","10.0.0.11","203.0.113.9","203.0.113.10","application/octet-stream","BLOCKED","http://evil-brand.com:8080/download/setup.exe","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","Malware","","","","","","AD Users","Malware","Smith ""Bo"" (bo@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","setup.exe","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","","false","false","","","2204063""#,
            with: &parser)
        #expect(
            p
                == Parsed(
                    skip: nil, kind: .proxy, timeMillis: 1_795_923_908_000, host: "evil-brand.com:8080",
                    client: "10.0.0.11", user: "Smith \"Bo\" (bo@corp.example)", method: "GET",
                    url: "http://evil-brand.com:8080/download/setup.exe", status: "403", action: "BLOCKED"))
    }

    @Test func ipURLTakesTheServerNameWhenLogged() {
        var parser = UmbrellaProxyParser()
        #expect(parse(#""2026-11-29 03:45:09","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.23","text/html","BLOCKED","https://198.51.100.23/gate.php","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","Command and Control","","","","","","AD Users","Command and Control","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","POST","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","cdn.paypa1-secure.net","false","false","","","2204063""#, with: &parser).host == "cdn.paypa1-secure.net")
        #expect(parse(#""2026-11-29 03:45:10","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.24","text/html","ALLOWED","http://198.51.100.24/status","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","812","14061","13500","","Uncategorized","","","","","","AD Users","","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","","false","false","","","2204063""#, with: &parser).host == "198.51.100.24")
    }

    @Test func userinfoAndBracketedIPv6AreLeftAsLogged() {
        var parser = UmbrellaProxyParser()
        let warned = parse(#""2026-11-29 03:45:13","Dave (dave@corp.example)","10.0.0.13","203.0.113.9","198.51.100.20","text/html","WARNED","https://admin:hunter2@login.evil-brand.com/owa/","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","812","14061","13500","","Phishing","","","","","","AD Users","","Dave (dave@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","login.evil-brand.com","false","false","","","2204063""#, with: &parser)
        #expect(warned.host == "admin:hunter2@login.evil-brand.com")
        #expect(warned.action == "WARNED")
        #expect(parse(#""2026-11-29 03:45:14","Erin (erin@corp.example)","10.0.0.14","203.0.113.9","2001:db8::80","text/html","ALLOWED","https://[2001:db8::80]:8443/admin/","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","812","14061","13500","","Business Services","","","","","","AD Users","","Erin (erin@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","","false","false","","","2204063""#, with: &parser).host == "[2001:db8::80]:8443")
    }

    @Test func directoryUsersAreUsersComputersAreNot() {
        var parser = UmbrellaProxyParser()
        #expect(parse(#""2026-11-29 03:45:12","Carol King (carol@corp.example)","10.0.0.12","203.0.113.9","151.101.1.69","text/html","ALLOWED","https://news.example.com/world/","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","812","14061","13500","","News","","","","","","Directory Users","","Carol King (carol@corp.example),PC-0042,HQ","Directory Users,Roaming Computers","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","news.example.com","false","false","","","2204063""#, with: &parser).user == "Carol King (carol@corp.example)")
        #expect(parse(#""2026-11-29 03:45:06","PC-0042","10.0.0.9","203.0.113.9","93.184.215.14","text/html","ALLOWED","https://www.example.org/","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","812","14061","13500","","Software/Technology,Business Services","","","","","","Roaming Computers","","PC-0042,PC-0042,HQ","Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","www.example.org","false","false","","","2204063""#, with: &parser).user == nil)
        #expect(parse(#""2026-11-29 03:45:16","TheComputerName","192.192.192.135","1.1.1.91", "3.4.5.6","","ALLOWED","http://cdn.paypa1-secure.net/the.js","www.google.com","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","200","562","1489","","","Search Engines","","","","","","Roaming Computer","","TheComputerName, ADSite,Network","Roaming Computer, Site, Network","GET","","","the.js","","","","isolated","downloaded_original_file","warn-session""#, with: &parser).user == nil)
    }

    @Test func emptyStatusIsNil() {
        var parser = UmbrellaProxyParser()
        let p = parse(#""2026-11-29 03:45:18","Gina (gina@corp.example)","10.0.0.17","203.0.113.9","52.84.150.30","application/json","ALLOWED","https://updates.example.net/v2/manifest.json","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","","812","14061","13500","","Software Updates","","","","","","AD Users","","Gina (gina@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","updates.example.net","false","false","","","2204063""#, with: &parser)
        #expect(p.skip == nil)
        #expect(p.status == nil)
    }

    @Test func headerDNSLinesAndBrokenLines() {
        var parser = UmbrellaProxyParser()
        #expect(parse(#""timestamp","policy_identity_label","internal_client_ip","external_client_ip","destination_ip","content_type","verdict","url","referer","user_agent","status_code","requested_size","response_size","response_body_size","sha","categories","av_detections","puas","amp_disposition","amp_malware_name","amp_score","policy_identity_type","blocked_categories","identities","identity_types","request_method","dlp_status","certificate_errors","file_name","ruleset_id","rule_id","destination_list_ids","isolate_action","file_action","warn_status","forwarding_method","producer","msp_organization_id","blocked_destination_countries","application_ids","hostname","data_center","egress","server_name","time_based_rule","security_overridden","detected_response_file_type","warn_categories","organization_id""#, with: &parser).skip == .notAVisit)
        #expect(parse(#""2026-11-29 03:45:19","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.20","","BLOCKED","","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","","","","","","","AD Users","","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","","false","false","","","2204063""#, with: &parser).skip == .noHost)
        #expect(parse(#""2026-11-29 3:45:20","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.20","text/html","BLOCKED","https://login.evil-brand.com/","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","","","","","","","AD Users","","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","","false","false","","","2204063""#, with: &parser).skip == .badTime)
        // An Umbrella DNS log line: its eleventh column is an identity type, not a status.
        #expect(parse(#""2026-11-29 03:45:21","Jane Doe (jane@corp.example)","Jane Doe (jane@corp.example),PC-0042,Default Site","10.0.0.5","203.0.113.9","Blocked","1 (A)","NOERROR","login.evil-brand.com.","Phishing,Newly Seen Domains","AD Users","AD Users,Roaming Computers,Sites","Phishing""#, with: &parser).skip == .malformed)
        #expect(parse(#""2026-11-29 03:45:22","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.20","text/html","BLOCKED""#, with: &parser).skip == .malformed)
        #expect(parse(#""2026-11-29 03:45:23","Jane Doe (jane@corp.example)","10.0.0.5","203.0.113.9","198.51.100.20","text/html","BLOCKED","/favicon.ico","","Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36","403","812","14061","13500","","","","","","","","AD Users","","Jane Doe (jane@corp.example),PC-0042,HQ","AD Users,Roaming Computers,Sites","GET","","","","","","","","","","","SWA","","","","swg-nginx-proxy-https-bd8cc1601841.signginx.atl1","ATL1","true","","false","false","","","2204063""#, with: &parser).skip == .noHost)
        #expect(parse("", with: &parser).skip == .malformed)
    }

    @Test func claimsNoOtherFormatsFixture() throws {
        for name in try fixtureNames() where name != "umbrella-proxy.log" {
            #expect(sniffScore(UmbrellaProxyParser(), try fixtureByteLines(name)) < 0.1, "\(name)")
        }
        #expect(sniffScore(UmbrellaProxyParser(), try fixtureByteLines("umbrella-proxy.log")) > 0.8)
    }

    @Test func fixture() throws {
        var parser = UmbrellaProxyParser()
        #expect(
            try outcomes(of: "umbrella-proxy.log", with: &parser)
                == ["visit": 15, "not_a_visit": 1, "no_host": 2, "bad_time": 1, "malformed": 2])
    }

    @Test func fuzz() throws {
        var parser = UmbrellaProxyParser()
        let tally = LogParsingTests.fuzz(&parser, seeds: try fixtureByteLines("umbrella-proxy.log"))
        expectSound(tally)
        #expect(tally.visits > 1000)
    }
}
